import Foundation
import Glibc

/// A `vigil` process started for a test: its own temp directory, an ephemeral port on
/// 127.0.0.1 read back from the "Listening on" log line, and cleanup on `stop()`.
package final class DaemonProcess: @unchecked Sendable {
    // @unchecked: the Process and file handles are only touched from the test's own task.
    package let process: Process
    package let directory: TempDirectory
    package let logPath: String
    package private(set) var port: Int = 0

    /// The `vigil` executable built next to the test bundle (`.build/<triple>/debug/vigil`).
    package static var executable: URL {
        let exe = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
        return exe.deletingLastPathComponent().appendingPathComponent("vigil")
    }

    /// Runs `vigil <arguments>` to completion and returns (exit code, stdout, stderr).
    package static func runToEnd(_ arguments: [String], cwd: String? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// Starts `vigil` with `arguments` plus a listen address on an ephemeral port and a storage
    /// path inside a fresh temp directory (unless the arguments name their own), and waits up to
    /// `timeout` for it to log its address.
    package init(_ arguments: [String], directory: TempDirectory? = nil, timeout: Duration = .seconds(20)) throws {
        self.directory = try directory ?? TempDirectory(prefix: "vigil-daemon")
        logPath = self.directory.url.appendingPathComponent("vigil.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var args = arguments
        if !args.contains(where: { $0.hasPrefix("--web.listen-address") }) { args.append("--web.listen-address=127.0.0.1:0") }
        if !args.contains(where: { $0.hasPrefix("--storage.path") }) { args.append("--storage.path=\(self.directory.path)/data") }
        process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = args
        process.currentDirectoryURL = self.directory.url
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardError = log
        process.standardOutput = log
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let p = DaemonProcess.listeningPort(in: self.log) { port = p; return }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let text = self.log
        stop()
        throw DaemonProcessError(description: "vigil did not start listening; log:\n\(text)")
    }

    /// Everything the daemon logged so far.
    package var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    /// `GET path` on a fresh connection.
    package func get(_ path: String) throws -> RawHTTPResponse { try request("GET", path) }

    /// Sends one request on a fresh connection and reads the response.
    package func request(_ method: String, _ path: String, body: String = "",
                         headers: [String: String] = [:]) throws -> RawHTTPResponse {
        let client = try RawHTTPClient(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.utf8.count)\r\n" }
        try client.send(head + "\r\n" + body)
        return try client.readResponse(forHead: method == "HEAD")
    }

    /// Polls `/-/ready` until it answers 200 (storage open) or `timeout` passes.
    package func waitUntilReady(timeout: Duration = .seconds(20)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? get("/-/ready").status) == 200 { return true }
            usleep(5_000)
        }
        return false
    }

    /// Waits until the log contains `text` or `timeout` passes; returns whether it appeared.
    package func waitForLog(_ text: String, timeout: Duration = .seconds(10)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if log.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Sends `signal` to the daemon.
    package func send(signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit (up to `timeout`) and returns its exit code, or nil.
    package func waitForExit(timeout: Duration = .seconds(20)) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { return process.terminationStatus }
            usleep(20_000)
        }
        return nil
    }

    /// Kills the process if still running and removes the temp directory.
    package func stop() {
        if process.isRunning {
            process.terminate()
            if waitForExit(timeout: .seconds(5)) == nil { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        directory.remove()
    }

    /// The port from the "Listening on" line, in logfmt (`address=h:p`) or JSON (`"address":"h:p"`).
    static func listeningPort(in log: String) -> Int? {
        for line in log.split(separator: "\n") where line.contains("Listening on") {
            if let r = line.range(of: "address=") ?? line.range(of: "\"address\":\"") {
                let addr = line[r.upperBound...].prefix { $0 != " " && $0 != "\"" }
                if let colon = addr.lastIndex(of: ":"), let p = Int(addr[addr.index(after: colon)...]) { return p }
            }
        }
        return nil
    }
}

/// The daemon failed to start in a test.
package struct DaemonProcessError: Error, CustomStringConvertible {
    package var description: String
    package init(description: String) { self.description = description }
}
