import Foundation
import Synchronization

/// Severity of a log line; the daemon drops lines below the configured level.
package enum LogLevel: Int, Sendable, Comparable, CaseIterable {
    case debug = 0, info, warn, error

    /// Parses `--log.level` values: debug, info, warn, error.
    package init?(name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        default: return nil
        }
    }

    package var name: String {
        switch self {
        case .debug: return "debug"
        case .info: return "info"
        case .warn: return "warn"
        case .error: return "error"
        }
    }

    package static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

/// How a log line is written: logfmt (`time=... level=info msg="..." k=v`) or one JSON object.
package enum LogFormat: String, Sendable, CaseIterable {
    case logfmt, json
}

/// Where log lines go. The default writes to standard error; tests capture lines in memory.
package protocol LogSink: Sendable {
    /// Writes one complete line (with its trailing newline).
    func write(_ line: [UInt8])
}

/// Writes each line to standard error with a single `write(2)`, so lines never interleave.
package struct StandardErrorSink: LogSink {
    package init() {}
    package func write(_ line: [UInt8]) {
        line.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(2, raw.baseAddress.map { $0 + off }, raw.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}

/// Keeps lines in memory; for tests.
package final class MemorySink: LogSink {
    private let lines = Mutex<[String]>([])
    package init() {}
    package func write(_ line: [UInt8]) {
        let s = String(decoding: line, as: UTF8.self)
        lines.withLock { $0.append(s) }
    }
    /// Every line written so far, each with its newline.
    package var all: [String] { lines.withLock { $0 } }
}

/// The daemon's structured logger: levels, logfmt or JSON, fields as key/value pairs.
///
/// Cheap when a level is disabled (the field list is an autoclosure-free array the caller builds;
/// check `enabled(_:)` before building expensive fields). Thread-safe: a line is formatted on the
/// caller's thread and handed to the sink as one write.
package final class Logger: Sendable {
    private let state: Mutex<(level: LogLevel, format: LogFormat)>
    private let sink: any LogSink
    /// Fields added to every line, e.g. `component=scrape`.
    private let context: [(String, String)]

    package init(level: LogLevel = .info, format: LogFormat = .logfmt, sink: any LogSink = StandardErrorSink()) {
        state = Mutex((level, format))
        self.sink = sink
        context = []
    }

    private init(state: (LogLevel, LogFormat), sink: any LogSink, context: [(String, String)]) {
        self.state = Mutex(state)
        self.sink = sink
        self.context = context
    }

    /// A logger that shares the sink and settings at the time of the call and adds `fields` to each line.
    package func with(_ fields: [(String, String)]) -> Logger {
        let s = state.withLock { $0 }
        return Logger(state: s, sink: sink, context: context + fields)
    }

    /// Changes the level at run time (used on config reload and in tests).
    package func setLevel(_ level: LogLevel) { state.withLock { $0.level = level } }

    package func enabled(_ level: LogLevel) -> Bool { level >= state.withLock { $0.level } }

    package func debug(_ msg: String, _ fields: [(String, String)] = []) { log(.debug, msg, fields) }
    package func info(_ msg: String, _ fields: [(String, String)] = []) { log(.info, msg, fields) }
    package func warn(_ msg: String, _ fields: [(String, String)] = []) { log(.warn, msg, fields) }
    package func error(_ msg: String, _ fields: [(String, String)] = []) { log(.error, msg, fields) }

    /// Writes one line if `level` is enabled. Time is RFC 3339 UTC with milliseconds.
    package func log(_ level: LogLevel, _ msg: String, _ fields: [(String, String)]) {
        let (minLevel, format) = state.withLock { ($0.level, $0.format) }
        guard level >= minLevel else { return }
        let all = [("time", Logger.timestamp()), ("level", level.name), ("msg", msg)] + context + fields
        var out: [UInt8] = []
        out.reserveCapacity(128)
        switch format {
        case .logfmt: Logger.appendLogfmt(all, to: &out)
        case .json: Logger.appendJSON(all, to: &out)
        }
        out.append(UInt8(ascii: "\n"))
        sink.write(out)
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        return RFC3339.format(seconds: Int(tv.tv_sec), millis: Int(tv.tv_usec / 1000))
    }

    /// logfmt: values with spaces, quotes, `=` or non-printables are quoted and escaped.
    static func appendLogfmt(_ fields: [(String, String)], to out: inout [UInt8]) {
        var first = true
        for (k, v) in fields {
            if !first { out.append(UInt8(ascii: " ")) }
            first = false
            out.append(contentsOf: k.utf8)
            out.append(UInt8(ascii: "="))
            let needsQuote = v.isEmpty || v.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == 0x7f }
            if needsQuote {
                appendQuoted(v, to: &out)
            } else {
                out.append(contentsOf: v.utf8)
            }
        }
    }

    static func appendJSON(_ fields: [(String, String)], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in fields {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendQuoted(k, to: &out)
            out.append(UInt8(ascii: ":"))
            appendQuoted(v, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A JSON string literal; also valid as a logfmt quoted value.
    static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0 ..< 0x20, 0x7f:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(b >> 4)], hex[Int(b & 0xf)]])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// RFC 3339 timestamps in UTC, as Prometheus prints them in logs and the status API.
package enum RFC3339 {
    /// `2006-01-02T15:04:05.000Z` for the given Unix seconds and milliseconds.
    package static func format(seconds: Int, millis: Int) -> String {
        var t = time_t(seconds)
        var tm = Glibc.tm()
        gmtime_r(&t, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }

    /// The same for a `Date`-free Unix time in seconds with fraction.
    package static func format(unixSeconds: Double) -> String {
        let whole = unixSeconds.rounded(.down)
        return format(seconds: Int(whole), millis: Int(((unixSeconds - whole) * 1000).rounded(.down)))
    }
}
