import Config
import Foundation
import Synchronization
import Telemetry

/// The running configuration and the outcome of the last (re)load, swapped atomically on reload.
final class ConfigState: Sendable {
    struct Snapshot: Sendable {
        var config: VigilConfig
        var lastReloadSuccess: Bool
        var lastSuccessSeconds: Double
    }

    /// Where the config comes from: a file, or the embedded default text.
    enum Source: Sendable {
        case file(String)
        case embedded(String)
    }

    let source: Source
    private let current: Mutex<Snapshot>
    private let successGauge: Gauge
    private let timestampGauge: Gauge

    init(source: Source, initial: VigilConfig, registry: MetricRegistry) {
        self.source = source
        let now = Date().timeIntervalSince1970
        current = Mutex(Snapshot(config: initial, lastReloadSuccess: true, lastSuccessSeconds: now))
        successGauge = registry.gauge("vigil_config_last_reload_successful",
                                      help: "Whether the last configuration reload attempt was successful.").with()
        timestampGauge = registry.gauge("vigil_config_last_reload_success_timestamp_seconds",
                                        help: "Timestamp of the last successful configuration reload.").with()
        successGauge.set(1)
        timestampGauge.set(now)
    }

    var snapshot: Snapshot { current.withLock { $0 } }

    /// Reads the config from its source; throws the loader's error with file, line and column.
    static func load(_ source: Source) throws(ConfigError) -> VigilConfig {
        switch source {
        case .file(let path): return try ConfigFile.load(path: path)
        case .embedded(let text): return try ConfigFile.parse(text, file: DefaultConfig.fileName)
        }
    }

    /// Loads the source again. On success the new config replaces the old one; on failure the
    /// old one stays and the reload-success gauge drops to 0.
    func reload() -> Result<VigilConfig, ConfigError> {
        let now = Date().timeIntervalSince1970
        do {
            let config = try ConfigState.load(source)
            current.withLock { $0 = Snapshot(config: config, lastReloadSuccess: true, lastSuccessSeconds: now) }
            successGauge.set(1)
            timestampGauge.set(now)
            return .success(config)
        } catch {
            current.withLock { $0.lastReloadSuccess = false }
            successGauge.set(0)
            return .failure(error)
        }
    }

    var fileName: String {
        switch source {
        case .file(let path): return path
        case .embedded: return DefaultConfig.fileName
        }
    }
}
