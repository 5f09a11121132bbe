import Model
internal import YAML

/// A loaded, validated configuration: Prometheus' `prometheus.yml` model (the parts Vigil
/// implements) plus Vigil's own `vigil:` section, with every default and inherited value
/// filled in. Built by `ConfigFile.parse` / `ConfigFile.load`.
package struct VigilConfig: Sendable, Equatable {
    package var global = GlobalConfig()
    package var alerting = AlertingConfig()
    /// Rule file paths or globs, as written (relative to the config file's directory).
    package var ruleFiles: [String] = []
    package var scrapeConfigs: [ScrapeConfig] = []
    package var storage = StorageConfig()
    package var vigil = VigilSection()
    /// The file name given when loading; used in messages and to resolve relative paths.
    package var file = ""
    /// The text the configuration was read from, byte for byte (for `/api/v1/status/config`
    /// alternatives, reload comparisons and `check config` output).
    package var originalText = ""

    package init() {}

    /// The retention time in effect: `storage.tsdb.retention.time` when set, else
    /// `vigil.retention.time` (default 15d). Zero means "keep forever".
    package var effectiveRetentionTime: PromDuration {
        storage.tsdb.retention.time != .zero ? storage.tsdb.retention.time : vigil.retention.time
    }

    /// The size cap in effect: `storage.tsdb.retention.size` when set, else
    /// `vigil.retention.size`. Zero means no cap.
    package var effectiveRetentionSize: ByteSize {
        storage.tsdb.retention.size.bytes != 0 ? storage.tsdb.retention.size : vigil.retention.size
    }

    /// Decodes the top-level mapping (Prometheus' `Config.UnmarshalYAML` decoding half).
    /// Null entries of `scrape_configs` are kept as nil for validation to report, because
    /// Prometheus reports them after all sections were decoded.
    static func decode(_ root: YAMLNode?, _ d: inout Decoder) throws(ConfigError) -> (VigilConfig, [ScrapeConfig?], Raw) {
        var config = VigilConfig()
        var scrapes: [ScrapeConfig?] = []
        var raw = Raw()
        guard let root else { return (config, scrapes, raw) }
        for entry in try d.entries(root, type: "config.plain") {
            let v = entry.value
            switch entry.key {
            case "global":
                config.global = try GlobalConfig.decode(v, &d)
            case "alerting":
                config.alerting = try AlertingConfig.decode(v, &d)
            case "rule_files":
                config.ruleFiles = try d.strings(v)
                raw.ruleFilesNode = v
            case "scrape_configs":
                for item in try d.items(v, type: "[]*config.ScrapeConfig") {
                    if item.isNull {
                        scrapes.append(nil)
                        raw.nullScrapeNodes.append(item)
                    } else {
                        scrapes.append(try ScrapeConfig.decode(item, &d))
                    }
                }
            case "storage":
                config.storage = try StorageConfig.decode(v, &d)
                raw.storageNode = v
            case "vigil":
                (config.vigil, raw.vigilRetention) = try VigilSection.decode(v, &d)
                raw.vigilNode = v
            case "scrape_config_files":
                // Unsupported, but the path check is Prometheus' own and cheap, so a bad
                // pattern still gets Prometheus' message.
                raw.scrapeConfigFiles = try d.strings(v)
                raw.scrapeConfigFilesNode = v
                d.unsupported(entry)
            case "runtime", "remote_write", "remote_read", "tracing", "otlp":
                d.unsupported(entry)
            default:
                throw d.unknownField(entry, in: "config.plain")
            }
        }
        return (config, scrapes, raw)
    }

    /// Nodes that validation needs for positions.
    struct Raw {
        var ruleFilesNode: YAMLNode?
        var storageNode: YAMLNode?
        var nullScrapeNodes: [YAMLNode] = []
        var scrapeConfigFiles: [String] = []
        var scrapeConfigFilesNode: YAMLNode?
        var vigilNode: YAMLNode?
        var vigilRetention = VigilSection.ExplicitRetention()
    }
}
