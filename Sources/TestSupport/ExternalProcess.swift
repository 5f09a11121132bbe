import Foundation
import Glibc

/// A reference tool (Prometheus, node_exporter, promtool) or Vigil helper binary run by an
/// interop test: found on PATH, started with its output in a log file, stopped by its pid.
package final class ExternalProcess: @unchecked Sendable {
    // @unchecked: the Process is only touched from the test's own task.
    package let process: Process
    package let logPath: String

    /// The absolute path of `name` on PATH, or nil.
    package static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// A port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
    package static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DaemonProcessError(description: "socket: \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Bool in
                bind(fd, p, len) == 0 && getsockname(fd, p, &len) == 0
            }
        }
        guard bound else { throw DaemonProcessError(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Runs `executable arguments` to completion; (exit code, stdout and stderr together).
    package static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `executable arguments` in `directory`, output to `<directory>/<logName>`.
    package init(_ executable: String, _ arguments: [String], directory: String, logName: String) throws {
        logPath = "\(directory)/\(logName)"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    /// Everything the process wrote so far.
    package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls `GET path` on 127.0.0.1:`port` until it answers 200, the process exits, or
    /// `timeout` passes.
    package func waitForHTTP(port: Int, path: String, timeout: Duration = .seconds(60)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline && process.isRunning {
            if let r = try? ExternalProcess.get(port: port, path), r.status == 200 { return true }
            usleep(100_000)
        }
        return false
    }

    /// `GET path` on 127.0.0.1:`port` on a fresh connection.
    package static func get(port: Int, _ path: String, timeout: Duration = .seconds(30)) throws -> RawHTTPResponse {
        let client = try RawHTTPClient(port: port, timeout: timeout)
        try client.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return try client.readResponse()
    }

    /// SIGTERM, then SIGKILL after 5 s; waits for the exit.
    package func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
