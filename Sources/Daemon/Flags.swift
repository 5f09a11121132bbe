import Config
import Model

/// The kind of value a flag takes; booleans may be given as `--x`, `--no-x` or `--x=true|false`.
enum FlagKind: Sendable {
    case string, bool, duration, bytes, int
}

/// One command-line flag of `vigil`, Prometheus-style (`--web.listen-address=:9090`).
struct FlagSpec: Sendable {
    var name: String
    var defaultValue: String
    var kind: FlagKind
    var help: String
}

/// The serve flags, in the order `--help` lists them. Names follow Prometheus where one exists.
let serveFlags: [FlagSpec] = [
    FlagSpec(name: "config.file", defaultValue: "vigil.yml", kind: .string,
             help: "Configuration file path. When the default file does not exist, the embedded default config is used."),
    FlagSpec(name: "web.listen-address", defaultValue: ":9090", kind: .string,
             help: "Address to listen on for the UI, API and telemetry."),
    FlagSpec(name: "web.external-url", defaultValue: "", kind: .string,
             help: "The URL under which Vigil is externally reachable (used in alert links and redirects)."),
    FlagSpec(name: "web.enable-lifecycle", defaultValue: "false", kind: .bool,
             help: "Enable shutdown and reload via HTTP request (POST /-/reload, /-/quit)."),
    FlagSpec(name: "web.enable-admin-api", defaultValue: "false", kind: .bool,
             help: "Enable API endpoints for admin control actions."),
    FlagSpec(name: "web.max-connections", defaultValue: "4096", kind: .int,
             help: "Maximum number of simultaneous connections."),
    FlagSpec(name: "web.read-timeout", defaultValue: "5m", kind: .duration,
             help: "Maximum duration before timing out read of the request, and closing idle connections."),
    FlagSpec(name: "web.threads", defaultValue: "0", kind: .int,
             help: "Event-loop threads for HTTP (0: one per CPU core)."),
    FlagSpec(name: "web.cors.origin", defaultValue: ".*", kind: .string,
             help: "Regex for CORS origin. It is fully anchored. Example: 'https?://(domain1|domain2)\\.com'."),
    FlagSpec(name: "query.lookback-delta", defaultValue: "5m", kind: .duration,
             help: "The maximum lookback duration for retrieving metrics during expression evaluations and federation."),
    FlagSpec(name: "query.timeout", defaultValue: "2m", kind: .duration,
             help: "Maximum time a query may take before being aborted."),
    FlagSpec(name: "query.max-concurrency", defaultValue: "20", kind: .int,
             help: "Maximum number of queries executed concurrently."),
    FlagSpec(name: "query.max-samples", defaultValue: "50000000", kind: .int,
             help: "Maximum number of samples a single query can load into memory."),
    FlagSpec(name: "storage.path", defaultValue: "./data", kind: .string,
             help: "Base path for metrics storage. Given explicitly, it overrides vigil.storage.path from the config file."),
    FlagSpec(name: "storage.retention.time", defaultValue: "15d", kind: .duration,
             help: "How long to retain samples in storage. Given explicitly, it overrides the retention in the config file."),
    FlagSpec(name: "storage.retention.size", defaultValue: "0B", kind: .bytes,
             help: "Maximum number of bytes that can be stored for blocks (0: no limit). Units: B, KB, MB, GB, TB, PB, EB (powers of 1024). Given explicitly, it overrides the config file."),
    FlagSpec(name: "log.level", defaultValue: "info", kind: .string,
             help: "Only log messages with the given severity or above. One of: [debug, info, warn, error]."),
    FlagSpec(name: "log.format", defaultValue: "logfmt", kind: .string,
             help: "Output format of log messages. One of: [logfmt, json]."),
]

/// A command-line error: the message kingpin-style tools print after `vigil: error:`.
struct FlagError: Error, CustomStringConvertible {
    var description: String
}

/// Parsed flags: every known flag with its effective value as text (the form
/// `/api/v1/status/flags` reports), plus the positional arguments.
struct ParsedFlags: Sendable {
    var values: [String: String]
    var explicitlySet: Set<String>
    var positional: [String]
    var wantsHelp = false
    var wantsVersion = false

    func string(_ name: String) -> String { values[name] ?? "" }
    func bool(_ name: String) -> Bool { values[name] == "true" }
}

/// Parses `args` against `specs`: `--name=value`, `--name value`, `--bool`, `--no-bool`,
/// `-h`/`--help`, `--version`; `--` ends flags. Unknown flags and bad values are errors.
func parseFlags(_ args: [String], specs: [FlagSpec]) throws(FlagError) -> ParsedFlags {
    var byName: [String: FlagSpec] = [:]
    for s in specs { byName[s.name] = s }
    var out = ParsedFlags(values: Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0.defaultValue) }),
                          explicitlySet: [], positional: [])
    var i = 0
    var flagsDone = false
    while i < args.count {
        let arg = args[i]
        i += 1
        if flagsDone || !arg.hasPrefix("-") || arg == "-" {
            out.positional.append(arg)
            continue
        }
        if arg == "--" { flagsDone = true; continue }
        if arg == "-h" || arg == "--help" { out.wantsHelp = true; continue }
        if arg == "--version" { out.wantsVersion = true; continue }
        guard arg.hasPrefix("--") else { throw FlagError(description: "unknown short flag '\(arg)', try --help") }
        var name = String(arg.dropFirst(2))
        var value: String? = nil
        if let eq = name.firstIndex(of: "=") {
            value = String(name[name.index(after: eq)...])
            name = String(name[..<eq])
        }
        var spec = byName[name]
        if spec == nil, name.hasPrefix("no-"), let s = byName[String(name.dropFirst(3))], s.kind == .bool, value == nil {
            spec = s
            value = "false"
            name = s.name
        }
        guard let spec else { throw FlagError(description: "unknown long flag '--\(name)', try --help") }
        if value == nil {
            if spec.kind == .bool {
                value = "true"
            } else {
                guard i < args.count else { throw FlagError(description: "expected argument for flag '--\(name)'") }
                value = args[i]
                i += 1
            }
        }
        let v = value ?? ""
        try validateFlagValue(v, spec: spec)
        out.values[name] = spec.kind == .bool ? (v.lowercased() == "true" || v == "1" ? "true" : "false") : v
        out.explicitlySet.insert(name)
    }
    return out
}

func validateFlagValue(_ v: String, spec: FlagSpec) throws(FlagError) {
    switch spec.kind {
    case .string:
        return
    case .bool:
        guard ["true", "false", "1", "0"].contains(v.lowercased()) else {
            throw FlagError(description: "invalid boolean value '\(v)' for flag '--\(spec.name)'")
        }
    case .int:
        guard let n = Int(v), n >= 0 else {
            throw FlagError(description: "invalid value '\(v)' for flag '--\(spec.name)': expected a non-negative integer")
        }
    case .duration:
        do { _ = try PromDuration(parsing: v) } catch {
            throw FlagError(description: "invalid value '\(v)' for flag '--\(spec.name)': \(error)")
        }
    case .bytes:
        do {
            let size = try ByteSize(parsing: v)
            guard size.bytes >= 0 else { throw FlagError(description: "negative size") }
        } catch {
            throw FlagError(description: "invalid value '\(v)' for flag '--\(spec.name)': expected a size like 512MB or 10GB")
        }
    }
}

/// The `--help` text: usage, commands, then every flag with its default.
func helpText(specs: [FlagSpec]) -> String {
    var s = """
    usage: vigil [<flags>] [<command> ...]

    Vigil: metrics, traces, logs and alerts in one daemon, Prometheus-compatible.

    Commands:
      (none)                  Serve: scrape, store, evaluate rules, answer the API.
      check config FILE...    Check configuration files; exit 1 on errors (like promtool).
      tsdb import openmetrics FILE [DATA_DIR]
                              Write OpenMetrics samples (with timestamps) as blocks (like promtool
                              tsdb create-blocks-from openmetrics); DATA_DIR defaults to ./data.
      tsdb analyze [DATA_DIR] Cardinality report of the newest block.

    Flags:
      -h, --help              Show this help and exit.
          --version           Show version and exit.

    """
    for f in specs {
        let left = f.kind == .bool ? "--[no-]\(f.name)" : "--\(f.name)=\(placeholder(f.kind))"
        let pad = left.count < 32 ? String(repeating: " ", count: 32 - left.count) : " "
        s += "      \(left)\(pad)\(f.help) (default: \(f.defaultValue.isEmpty ? "\"\"" : f.defaultValue))\n"
    }
    return s
}

private func placeholder(_ k: FlagKind) -> String {
    switch k {
    case .string: return "VALUE"
    case .bool: return ""
    case .duration: return "DURATION"
    case .bytes: return "BYTES"
    case .int: return "N"
    }
}
