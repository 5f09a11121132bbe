import Foundation
import Model
internal import YAML

/// Vigil's own top-level `vigil:` section: what Prometheus sets with flags or leaves to
/// Alertmanager. Prometheus would reject the key, so a file using it is Vigil-only.
///
/// ```yaml
/// vigil:
///   storage:
///     path: data              # where blocks, WAL and index live (default "data")
///     wal_fsync: batch        # batch (default): fsync once per commit batch; always: every append
///     min_block_duration: 2h  # head span cut into a block (default 2h, must be > 0)
///   retention:
///     time: 15d               # drop blocks older than this (default 15d; 0 = keep forever)
///     size: 0B                # cap on block bytes (default 0B = no cap), Prometheus units
///   receivers:                # built-in alert delivery, instead of an Alertmanager
///     - name: ops             # required, unique
///       webhook_configs:
///         - url: https://hooks.example.com/alert   # required, http or https with a host
///           send_resolved: true                    # default true
///           max_alerts: 0                          # alerts per message, 0 = all
///           timeout: 10s                           # default 10s
///           http_config:                           # optional: basic_auth, authorization,
///             authorization: {credentials: xyz}    # tls_config, proxy_url, follow_redirects...
/// ```
///
/// Retention may also be given Prometheus' way (`storage.tsdb.retention`); setting a value
/// in both places is an error, so the effective value is never ambiguous.
package struct VigilSection: Sendable, Equatable {
    package var storage = Storage()
    package var retention = Retention()
    package var receivers: [Receiver] = []

    package init() {}

    /// `vigil.storage`.
    package struct Storage: Sendable, Equatable {
        package var path = "data"
        package var walFsync = WALFsync.batch
        package var minBlockDuration = PromDuration.hours(2)
    }

    /// When the WAL is flushed to stable storage.
    package enum WALFsync: String, Sendable, Equatable {
        /// Once per appended batch (per scrape commit): loses at most the last batch.
        case batch
        /// After every record: slower, loses nothing acknowledged.
        case always
    }

    /// `vigil.retention`.
    package struct Retention: Sendable, Equatable {
        package var time = PromDuration(nanoseconds: 15 * 86_400_000_000_000)
        package var size = ByteSize(bytes: 0)
    }

    /// One named alert receiver.
    package struct Receiver: Sendable, Equatable {
        package var name = ""
        package var webhookConfigs: [WebhookConfig] = []
    }

    /// A webhook that gets alerts as Alertmanager's webhook JSON.
    package struct WebhookConfig: Sendable, Equatable {
        package var url = ""
        package var sendResolved = true
        package var maxAlerts: UInt64 = 0
        package var timeout = PromDuration.seconds(10)
        package var httpClient = HTTPClientConfig()
    }

    /// Which retention fields the file wrote (not defaulted), for the cross-section check.
    struct ExplicitRetention {
        var time = false
        var size = false
    }

    static func decode(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> (VigilSection, ExplicitRetention) {
        var v = VigilSection()
        var explicit = ExplicitRetention()
        for entry in try d.entries(node, type: "vigil") {
            switch entry.key {
            case "storage":
                for field in try d.entries(entry.value, type: "vigil.storage") {
                    switch field.key {
                    case "path":
                        v.storage.path = try d.string(field.value)
                        if v.storage.path.isEmpty { throw d.error("vigil.storage.path must not be empty", at: field.value) }
                    case "wal_fsync":
                        let text = try d.string(field.value)
                        guard let mode = WALFsync(rawValue: text) else {
                            throw d.error("vigil.storage.wal_fsync must be 'batch' or 'always', got \(goQuoted(text))", at: field.value)
                        }
                        v.storage.walFsync = mode
                    case "min_block_duration":
                        v.storage.minBlockDuration = try d.duration(field.value)
                        if v.storage.minBlockDuration <= .zero {
                            throw d.error("vigil.storage.min_block_duration must be greater than 0", at: field.value)
                        }
                    default: throw d.unknownField(field, in: "vigil.storage")
                    }
                }
            case "retention":
                for field in try d.entries(entry.value, type: "vigil.retention") {
                    switch field.key {
                    case "time":
                        v.retention.time = try d.duration(field.value)
                        explicit.time = true
                    case "size":
                        v.retention.size = try d.byteSize(field.value)
                        explicit.size = true
                        if v.retention.size.bytes < 0 {
                            throw d.error("vigil.retention.size must be greater than or equal to 0, got \(v.retention.size)", at: field.value)
                        }
                    default: throw d.unknownField(field, in: "vigil.retention")
                    }
                }
            case "receivers":
                var names: Set<String> = []
                for item in try d.items(entry.value, type: "vigil.receivers") {
                    let receiver = try decodeReceiver(item, &d)
                    if !names.insert(receiver.name).inserted {
                        throw d.error("found multiple receivers with name \(goQuoted(receiver.name))", at: item)
                    }
                    v.receivers.append(receiver)
                }
            default:
                throw d.unknownField(entry, in: "vigil")
            }
        }
        return (v, explicit)
    }

    private static func decodeReceiver(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> Receiver {
        if node.isNull { throw d.error("empty or null receiver in vigil.receivers", at: node) }
        var r = Receiver()
        for entry in try d.entries(node, type: "vigil.receiver") {
            switch entry.key {
            case "name": r.name = try d.string(entry.value)
            case "webhook_configs":
                for item in try d.items(entry.value, type: "vigil.webhook_configs") {
                    r.webhookConfigs.append(try decodeWebhook(item, &d))
                }
            default: throw d.unknownField(entry, in: "vigil.receiver")
            }
        }
        if r.name.isEmpty { throw d.error("receiver name is empty", at: node) }
        return r
    }

    private static func decodeWebhook(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> WebhookConfig {
        if node.isNull { throw d.error("empty or null section in webhook_configs", at: node) }
        var w = WebhookConfig()
        var urlNode: YAMLNode?
        for entry in try d.entries(node, type: "vigil.webhook_config") {
            switch entry.key {
            case "url":
                w.url = try d.string(entry.value)
                urlNode = entry.value
            case "send_resolved": w.sendResolved = try d.bool(entry.value)
            case "max_alerts": w.maxAlerts = try d.unsigned(entry.value)
            case "timeout":
                let timeout = try d.duration(entry.value)
                if timeout != .zero { w.timeout = timeout }
            case "http_config":
                for field in try d.entries(entry.value, type: "vigil.http_config") {
                    if try w.httpClient.decodeField(field, &d, context: "vigil.receivers") { continue }
                    throw d.unknownField(field, in: "vigil.http_config")
                }
                if let problem = w.httpClient.validate() { throw d.error(problem, at: entry.value) }
            default: throw d.unknownField(entry, in: "vigil.webhook_config")
            }
        }
        guard let urlNode, !w.url.isEmpty else { throw d.error("webhook url is missing", at: node) }
        if let problem = httpURLProblem(w.url) { throw d.error(problem, at: urlNode) }
        return w
    }
}

/// Prometheus' check on HTTP endpoint URLs (as in its HTTP service discovery): the text must
/// parse, use `http` or `https`, and name a host. Returns Prometheus' message, nil when valid.
func httpURLProblem(_ text: String) -> String? {
    guard let components = URLComponents(string: text) else {
        return "parse \(goQuoted(text)): invalid URL"
    }
    guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
        return "URL scheme must be 'http' or 'https'"
    }
    guard let host = components.host, !host.isEmpty else {
        return "host is missing in URL"
    }
    return nil
}
