// swift-tools-version: 6.2
import PackageDescription

/// Every Swift target is built in Swift 6 language mode with existential `any` spelled out.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigil-loadgen", targets: ["vigil-loadgen"]),
        .executable(name: "vigil-bench", targets: ["vigil-bench"]),
    ],
    targets: [
        // C libraries, linked through pkg-config (Debian: libsqlite3-dev, liblz4-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),

        // Shared vocabulary: labels, durations, storage protocols. Depends on nothing.
        // RE2: Go-compatible regular expressions (syntax, errors, linear-time matching).
        .target(name: "RE2", exclude: ["README.md"], swiftSettings: settings),
        .target(name: "Model", dependencies: ["RE2"], swiftSettings: settings),
        // A YAML 1.2 reader of our own: text in, positioned node tree out.
        .target(name: "YAML", swiftSettings: settings),
        // The Prometheus-compatible configuration model on top of YAML.
        .target(name: "Config", dependencies: ["YAML", "Model", "RE2"], swiftSettings: settings),
        // The time-series core: chunk encodings, head, WAL, blocks with a SQLite index, querier.
        .target(name: "TSDB", dependencies: ["Model", "CSQLite", "CLZ4"],
                exclude: ["Chunks/FORMAT.md", "WAL/FORMAT.md", "Blocks/FORMAT.md"], swiftSettings: settings),
        // Prometheus text exposition 0.0.4 and OpenMetrics 1.0: bytes in, samples out.
        .target(name: "Exposition", dependencies: ["Model"], exclude: ["README.md"], swiftSettings: settings),
        // Targets, service discovery, relabeling, scrape loops and their HTTP client.
        .target(name: "Scrape", dependencies: ["Model", "Config", "Exposition", "HTTP", "YAML", "RE2"], swiftSettings: settings),
        // PromQL: lexer, parser, AST, printer, engine and functions, over Model's Queryable.
        .target(name: "PromQL", dependencies: ["Model", "RE2"], swiftSettings: settings),
        // HTTP/1.1 server on epoll: connections, request parser, router, limits.
        .target(name: "HTTP", swiftSettings: settings),
        // The daemon's own logs and metrics: logger, metric registry, /proc readers.
        .target(name: "Telemetry", dependencies: ["Model"], swiftSettings: settings),
        // Prometheus JSON API handlers: status, query, series, labels, format/parse, federation, targets.
        .target(name: "API", dependencies: ["HTTP", "Telemetry", "Config", "Model", "PromQL", "Scrape", "TSDB"], swiftSettings: settings),
        // Wiring: flags, serve, reload, signals, check config. No domain logic.
        .target(name: "Daemon",
                dependencies: ["HTTP", "Config", "Telemetry", "API", "Model", "TSDB", "Scrape", "PromQL", "CSQLite", "CLZ4"],
                swiftSettings: settings),
        // Benchmark load generator (connections, slowloris, scrape targets, data files, parser loop). Loopback only.
        .executableTarget(name: "vigil-loadgen", dependencies: ["Exposition", "Model"], swiftSettings: settings),
        // In-process storage benchmarks (append through the scrape cache, select + decode).
        .executableTarget(name: "vigil-bench", dependencies: ["TSDB", "Scrape", "Config", "Model"], swiftSettings: settings),
        // Helpers shared by the test targets only: corpus location, temp dirs, raw clients.
        .target(name: "TestSupport", dependencies: ["Model"], swiftSettings: settings),
        .executableTarget(name: "vigil", dependencies: ["Daemon"], swiftSettings: settings),

        .testTarget(name: "RE2Tests", dependencies: ["RE2"], swiftSettings: settings),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "TSDBTests", dependencies: ["TSDB", "Model", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "Model", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "ScrapeTests", dependencies: ["Scrape", "Exposition", "Config", "Model", "TestSupport", "HTTP"], swiftSettings: settings),
        .testTarget(name: "PromQLTests", dependencies: ["PromQL", "Model", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "YAMLTests", dependencies: ["TestSupport", "YAML"], swiftSettings: settings),
        .testTarget(name: "ConfigTests", dependencies: ["TestSupport", "Config", "YAML", "Model"], swiftSettings: settings),
        .testTarget(name: "HTTPTests", dependencies: ["TestSupport", "HTTP"], swiftSettings: settings),
        .testTarget(name: "TelemetryTests", dependencies: ["TestSupport", "Telemetry"], swiftSettings: settings),
        .testTarget(name: "APITests", dependencies: ["API", "HTTP", "Model", "PromQL", "TestSupport"], swiftSettings: settings),
        .testTarget(name: "DaemonTests", dependencies: ["TestSupport", "Daemon", "HTTP", "Config", "Telemetry", "TSDB", "Model"], swiftSettings: settings),
        // Vigil's executables side by side with the real Prometheus, node_exporter and promtool.
        .testTarget(name: "InteropTests", dependencies: ["TestSupport", "Model"], swiftSettings: settings),
    ]
)
