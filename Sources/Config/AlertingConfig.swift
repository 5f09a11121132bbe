import Model
internal import YAML

/// The `alerting` section: relabeling applied to every alert, and where to send alerts.
package struct AlertingConfig: Sendable, Equatable {
    package var alertRelabelConfigs: [RelabelConfig] = []
    package var alertmanagers: [AlertmanagerConfig] = []

    package init() {}

    static func decode(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> AlertingConfig {
        var a = AlertingConfig()
        for entry in try d.entries(node, type: "config.plain") {
            switch entry.key {
            case "alert_relabel_configs":
                a.alertRelabelConfigs += try RelabelConfig.decodeList(
                    entry.value, &d, emptyMessage: "empty or null alert relabeling rule")
            case "alertmanagers":
                for (index, item) in try d.items(entry.value, type: "config.AlertmanagerConfigs").enumerated() {
                    a.alertmanagers.append(try AlertmanagerConfig.decode(item, &d, index: index))
                }
            default:
                throw d.unknownField(entry, in: "config.plain")
            }
        }
        return a
    }
}

/// One `alerting.alertmanagers` entry: how to find Alertmanagers and talk to them.
///
/// Defaults as in Prometheus: scheme `http`, timeout 10s, API `v2` (the only one accepted).
/// `sigv4` and discovery other than static/file are unsupported.
package struct AlertmanagerConfig: Sendable, Equatable {
    package var httpClient = HTTPClientConfig()
    package var scheme = "http"
    package var pathPrefix = ""
    package var timeout = PromDuration.seconds(10)
    package var apiVersion = "v2"
    package var relabelConfigs: [RelabelConfig] = []
    package var alertRelabelConfigs: [RelabelConfig] = []
    package var serviceDiscovery = ServiceDiscovery()

    package init() {}

    static func decode(_ node: YAMLNode, _ d: inout Decoder, index: Int) throws(ConfigError) -> AlertmanagerConfig {
        if node.isNull { throw d.error("empty or null Alertmanager config section", at: node) }
        var c = AlertmanagerConfig()
        let type = "config.AlertmanagerConfig"
        let context = "alerting.alertmanagers[\(index)]"
        for entry in try d.entries(node, type: type) {
            let v = entry.value
            switch entry.key {
            case "scheme": c.scheme = try d.string(v)
            case "path_prefix": c.pathPrefix = try d.string(v)
            case "timeout":
                let timeout = try d.duration(v)
                // Prometheus keeps the default for a zero or null timeout.
                if timeout != .zero { c.timeout = timeout }
            case "api_version":
                let version = try d.string(v, type: "config.AlertmanagerAPIVersion")
                guard version == "v2" else {
                    throw d.error("expected Alertmanager api version to be one of [v2] but got \(version)", at: v)
                }
                c.apiVersion = version
            case "sigv4": d.unsupported(entry, context: context)
            case "relabel_configs":
                c.relabelConfigs += try RelabelConfig.decodeList(v, &d, emptyMessage: "empty or null Alertmanager target relabeling rule")
            case "alert_relabel_configs":
                c.alertRelabelConfigs += try RelabelConfig.decodeList(v, &d, emptyMessage: "empty or null Alertmanager alert relabeling rule")
            default:
                if try c.httpClient.decodeField(entry, &d, context: context) { continue }
                if try c.serviceDiscovery.decodeField(entry, &d, context: context) { continue }
                throw d.unknownField(entry, in: type)
            }
        }
        if let problem = c.httpClient.validate() { throw d.error(problem, at: node) }
        if c.relabelConfigs.isEmpty {
            for group in c.serviceDiscovery.staticConfigs {
                if let target = group.targets.first(where: { $0.contains("/") }) {
                    throw d.error("\(goQuoted(target)) is not a valid hostname", at: group.position.mark)
                }
            }
        }
        return c
    }
}
