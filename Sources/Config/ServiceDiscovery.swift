import Model
internal import YAML

/// One `static_configs` entry: fixed targets (`host:port`) sharing a set of labels.
package struct StaticConfig: Sendable, Equatable {
    package var targets: [String] = []
    package var labels: [String: String] = [:]
    var position = SourcePosition(nil)

    package init(targets: [String] = [], labels: [String: String] = [:]) {
        self.targets = targets
        self.labels = labels
    }
}

/// One `file_sd_configs` entry: JSON or YAML target files (globs allowed in the last path
/// element) re-read every `refreshInterval` (default 5m).
package struct FileSDConfig: Sendable, Equatable {
    package var files: [String] = []
    package var refreshInterval = PromDuration.minutes(5)

    package init(files: [String] = [], refreshInterval: PromDuration = .minutes(5)) {
        self.files = files
        self.refreshInterval = refreshInterval
    }
}

/// The target sources of a scrape job or an Alertmanager entry: the two discovery mechanisms
/// Vigil implements. Every other `*_sd_configs` key Prometheus knows is reported unsupported.
package struct ServiceDiscovery: Sendable, Equatable {
    package var staticConfigs: [StaticConfig] = []
    package var fileSDConfigs: [FileSDConfig] = []

    package init() {}

    /// The discovery mechanisms Prometheus 3 registers besides static and file (their YAML keys
    /// are `<name>_sd_configs`). Keys outside this list are unknown fields, not unsupported.
    static let otherMechanisms: Set<String> = [
        "aws", "azure", "consul", "digitalocean", "dns", "docker", "dockerswarm", "ec2", "ecs",
        "elasticache", "eureka", "gce", "hetzner", "http", "ionos", "kubernetes", "kuma",
        "lightsail", "linode", "marathon", "msk", "nerve", "nomad", "oci", "openstack",
        "outscale", "ovhcloud", "puppetdb", "rds", "scaleway", "serverset", "stackit", "triton",
        "uyuni", "vultr",
    ]

    /// Decodes a discovery key into `self`; false when `entry` is not a discovery key.
    mutating func decodeField(_ entry: Decoder.Entry, _ d: inout Decoder, context: String) throws(ConfigError) -> Bool {
        switch entry.key {
        case "static_configs":
            for item in try d.items(entry.value, type: "[]*targetgroup.Group") {
                if item.isNull { throw d.error("empty or null section in static_configs", at: item) }
                var group = StaticConfig()
                group.position = SourcePosition(item.mark)
                for field in try d.entries(item, type: "targetgroup.Group") {
                    switch field.key {
                    case "targets": group.targets = try d.strings(field.value)
                    case "labels": group.labels = try d.labelSet(field.value)
                    default: throw d.unknownField(field, in: "struct { Targets []string \"yaml:\\\"targets\\\"\"; Labels model.LabelSet \"yaml:\\\"labels\\\"\" }")
                    }
                }
                staticConfigs.append(group)
            }
        case "file_sd_configs":
            for item in try d.items(entry.value, type: "[]*file.SDConfig") {
                if item.isNull { throw d.error("empty or null section in file_sd_configs", at: item) }
                var config = FileSDConfig()
                for field in try d.entries(item, type: "file.plain") {
                    switch field.key {
                    case "files": config.files = try d.strings(field.value)
                    case "refresh_interval":
                        let interval = try d.duration(field.value)
                        // Prometheus keeps the default when the value is zero or null.
                        if interval != .zero { config.refreshInterval = interval }
                    default: throw d.unknownField(field, in: "file.plain")
                    }
                }
                if config.files.isEmpty {
                    throw d.error("file service discovery config must contain at least one path name", at: item)
                }
                for name in config.files where !Self.isValidFileSDPath(name) {
                    throw d.error("path name \(goQuoted(name)) is not valid for file discovery", at: item)
                }
                fileSDConfigs.append(config)
            }
        default:
            guard entry.key.hasSuffix("_sd_configs"),
                  Self.otherMechanisms.contains(String(entry.key.dropLast("_sd_configs".count))) else {
                return false
            }
            d.unsupported(entry, context: context)
        }
        return true
    }

    /// Prometheus' file-SD name check `^[^*]*(\*[^/]*)?\.(json|yml|yaml|JSON|YML|YAML)$`:
    /// a `*` only in the last path element, and a JSON or YAML extension.
    static func isValidFileSDPath(_ path: String) -> Bool {
        let extensions = [".json", ".yml", ".yaml", ".JSON", ".YML", ".YAML"]
        guard let ext = extensions.first(where: { path.hasSuffix($0) }) else { return false }
        return isValidGlobPath(String(path.dropLast(ext.count)))
    }

    /// Prometheus' rule-file check `^[^*]*(\*[^/]*)?$`: everything after the first `*` stays
    /// within one path element.
    static func isValidGlobPath(_ path: String) -> Bool {
        guard let star = path.firstIndex(of: "*") else { return true }
        return !path[path.index(after: star)...].contains("/")
    }
}
