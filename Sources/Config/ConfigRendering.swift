import Foundation
import Model

/// Prints the effective configuration as YAML, the way Prometheus'
/// `/api/v1/status/config` shows it: defaults and inherited values filled in, Prometheus'
/// field order, secrets replaced by `<secret>`, proxy passwords by `xxxxx`.
///
/// Differences from Prometheus, on purpose: sections Vigil does not implement are never
/// printed (`runtime`, `otlp`, ...), Prometheus' internal `outofordertimewindow` field is
/// left out, and strings that need quoting are always double-quoted (go-yaml sometimes picks
/// single quotes or block scalars). The `vigil:` section is printed last.
extension VigilConfig {
    /// The effective configuration as YAML text (ends with a newline).
    package func renderYAML() -> String {
        var root: [(String, RenderNode)] = [("global", global.renderNode())]
        let alertingNode = alerting.renderNode()
        if case .map(let fields) = alertingNode, !fields.isEmpty { root.append(("alerting", alertingNode)) }
        if !ruleFiles.isEmpty { root.append(("rule_files", .seq(ruleFiles.map { .string($0) }))) }
        if !scrapeConfigs.isEmpty { root.append(("scrape_configs", .seq(scrapeConfigs.map { $0.renderNode() }))) }
        let storageNode = storage.renderNode()
        if case .map(let fields) = storageNode, !fields.isEmpty { root.append(("storage", storageNode)) }
        root.append(("vigil", vigil.renderNode()))
        var out = ""
        RenderNode.map(root).emit(into: &out, indent: 0)
        return out
    }
}

/// A YAML value to print. Kept minimal: Prometheus' output uses block mappings and
/// sequences, plus flow sequences for `source_labels`.
enum RenderNode {
    case string(String)
    /// Text printed as is (numbers, booleans, durations).
    case raw(String)
    case map([(String, RenderNode)])
    case seq([RenderNode])
    case flowSeq([String])

    static func bool(_ value: Bool) -> RenderNode { .raw(value ? "true" : "false") }
    static func number<T: BinaryInteger>(_ value: T) -> RenderNode { .raw("\(value)") }
    static func duration(_ value: PromDuration) -> RenderNode { .raw(value.description) }
    static let secret = RenderNode.raw("<secret>")

    /// Writes the node as the value of a mapping entry or sequence item at `indent` spaces.
    func emit(into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .map(let fields):
            for (key, value) in fields {
                out += pad + Self.quoted(key) + ":"
                value.emitAsValue(into: &out, indent: indent)
            }
        case .seq(let items):
            for item in items {
                out += pad + "-"
                switch item {
                case .map(let fields) where !fields.isEmpty:
                    // The first key goes on the dash line, the others align under it.
                    var first = ""
                    RenderNode.map([fields[0]]).emit(into: &first, indent: indent + 2)
                    out += " " + first.dropFirst(indent + 2)
                    RenderNode.map(Array(fields.dropFirst())).emit(into: &out, indent: indent + 2)
                default:
                    item.emitAsValue(into: &out, indent: indent + 2)
                }
            }
        default:
            emitAsValue(into: &out, indent: indent)
        }
    }

    /// Writes what follows `key:` or `-`: an inline scalar, or a nested block.
    private func emitAsValue(into out: inout String, indent: Int) {
        switch self {
        case .string(let text): out += " " + Self.quoted(text) + "\n"
        case .raw(let text): out += " " + text + "\n"
        case .flowSeq(let items): out += " [" + items.map(Self.quoted).joined(separator: ", ") + "]\n"
        case .map(let fields):
            if fields.isEmpty { out += " {}\n"; return }
            out += "\n"
            emit(into: &out, indent: indent + 2)
        case .seq(let items):
            if items.isEmpty { out += " []\n"; return }
            out += "\n"
            // go-yaml puts a mapping's sequence at the key's own indentation.
            emit(into: &out, indent: indent)
        }
    }

    /// Plain text when YAML would read it back as the same string, else double-quoted.
    static func quoted(_ text: String) -> String {
        if needsQuotes(text) {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        out += String(format: "\\x%02X", scalar.value)
                    } else {
                        out.unicodeScalars.append(scalar)
                    }
                }
            }
            return out + "\""
        }
        return text
    }

    private static func needsQuotes(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last else { return true }
        if first == " " || last == " " { return true }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
            // "-" and friends only matter when followed by a space or alone, but stay safe
            // except for the common `-foo`-free cases Prometheus configs contain.
            if !(first == "-" && text.count > 1 && text.dropFirst().first != " ") { return true }
        }
        if text.contains(": ") || text.contains(" #") || text.hasSuffix(":") { return true }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return true }
        // Text that would resolve to null, a boolean or a number must stay a string.
        if ["~", "null", "Null", "NULL"].contains(text) { return true }
        if Decoder.boolValue(text) != nil || Decoder.integerValue(text) != nil || Decoder.floatValue(text) != nil {
            return true
        }
        return false
    }
}

extension GlobalConfig {
    func renderNode() -> RenderNode {
        var f: [(String, RenderNode)] = [
            ("scrape_interval", .duration(scrapeInterval)),
            ("scrape_timeout", .duration(scrapeTimeout)),
        ]
        if let scrapeProtocols { f.append(("scrape_protocols", .seq(scrapeProtocols.map { .string($0) }))) }
        f.append(("evaluation_interval", .duration(evaluationInterval)))
        if ruleQueryOffset != .zero { f.append(("rule_query_offset", .duration(ruleQueryOffset))) }
        if !queryLogFile.isEmpty { f.append(("query_log_file", .string(queryLogFile))) }
        if !scrapeFailureLogFile.isEmpty { f.append(("scrape_failure_log_file", .string(scrapeFailureLogFile))) }
        if !externalLabels.isEmpty { f.append(("external_labels", renderLabels(externalLabels))) }
        limits.renderFields(into: &f)
        f.append(("metric_name_validation_scheme", .string(metricNameValidationScheme.rawValue)))
        if !metricNameEscapingScheme.isEmpty { f.append(("metric_name_escaping_scheme", .string(metricNameEscapingScheme))) }
        f.append(("scrape_native_histograms", .bool(scrapeNativeHistograms)))
        if alwaysScrapeClassicHistograms { f.append(("always_scrape_classic_histograms", .bool(true))) }
        f.append(("extra_scrape_metrics", .bool(extraScrapeMetrics)))
        return .map(f)
    }
}

/// Labels sorted by name, as Prometheus prints label sets.
func renderLabels(_ labels: [String: String]) -> RenderNode {
    .map(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
}

extension ScrapeConfig {
    func renderNode() -> RenderNode {
        var f: [(String, RenderNode)] = [("job_name", .string(jobName))]
        if honorLabels { f.append(("honor_labels", .bool(true))) }
        f.append(("honor_timestamps", .bool(honorTimestamps)))
        f.append(("track_timestamps_staleness", .bool(trackTimestampsStaleness)))
        if !params.isEmpty {
            f.append(("params", .map(params.sorted { $0.key < $1.key }.map { ($0.key, .seq($0.value.map { .string($0) })) })))
        }
        f.append(("scrape_interval", .duration(scrapeInterval)))
        f.append(("scrape_timeout", .duration(scrapeTimeout)))
        if let scrapeProtocols { f.append(("scrape_protocols", .seq(scrapeProtocols.map { .string($0) }))) }
        if !fallbackScrapeProtocol.isEmpty { f.append(("fallback_scrape_protocol", .string(fallbackScrapeProtocol))) }
        if let scrapeNativeHistograms { f.append(("scrape_native_histograms", .bool(scrapeNativeHistograms))) }
        if let alwaysScrapeClassicHistograms { f.append(("always_scrape_classic_histograms", .bool(alwaysScrapeClassicHistograms))) }
        if let convertClassicHistogramsToNHCB { f.append(("convert_classic_histograms_to_nhcb", .bool(convertClassicHistogramsToNHCB))) }
        if !scrapeFailureLogFile.isEmpty { f.append(("scrape_failure_log_file", .string(scrapeFailureLogFile))) }
        f.append(("metrics_path", .string(metricsPath)))
        f.append(("scheme", .string(scheme)))
        f.append(("enable_compression", .bool(enableCompression)))
        limits.renderFields(into: &f)
        if let metricNameValidationScheme {
            f.append(("metric_name_validation_scheme", .string(metricNameValidationScheme.rawValue)))
        }
        if !metricNameEscapingScheme.isEmpty { f.append(("metric_name_escaping_scheme", .string(metricNameEscapingScheme))) }
        if let extraScrapeMetrics { f.append(("extra_scrape_metrics", .bool(extraScrapeMetrics))) }
        f += httpClient.renderFields()
        if !relabelConfigs.isEmpty { f.append(("relabel_configs", .seq(relabelConfigs.map { $0.renderNode() }))) }
        if !metricRelabelConfigs.isEmpty {
            f.append(("metric_relabel_configs", .seq(metricRelabelConfigs.map { $0.renderNode() })))
        }
        f += serviceDiscovery.renderFields()
        return .map(f)
    }
}

extension HTTPClientConfig {
    /// The inlined HTTP client fields, in Prometheus' order.
    func renderFields() -> [(String, RenderNode)] {
        var f: [(String, RenderNode)] = []
        if let basicAuth {
            var b: [(String, RenderNode)] = []
            if !basicAuth.username.isEmpty { b.append(("username", .string(basicAuth.username))) }
            if !basicAuth.usernameFile.isEmpty { b.append(("username_file", .string(basicAuth.usernameFile))) }
            if !basicAuth.password.isEmpty { b.append(("password", .secret)) }
            if !basicAuth.passwordFile.isEmpty { b.append(("password_file", .string(basicAuth.passwordFile))) }
            f.append(("basic_auth", .map(b)))
        }
        if let authorization {
            var a: [(String, RenderNode)] = []
            if !authorization.type.isEmpty { a.append(("type", .string(authorization.type))) }
            if !authorization.credentials.isEmpty { a.append(("credentials", .secret)) }
            if !authorization.credentialsFile.isEmpty { a.append(("credentials_file", .string(authorization.credentialsFile))) }
            f.append(("authorization", .map(a)))
        }
        if !bearerToken.isEmpty { f.append(("bearer_token", .secret)) }
        if !bearerTokenFile.isEmpty { f.append(("bearer_token_file", .string(bearerTokenFile))) }
        if tlsConfig != TLSConfig() {
            let t = tlsConfig
            var x: [(String, RenderNode)] = []
            if !t.ca.isEmpty { x.append(("ca", .string(t.ca))) }
            if !t.cert.isEmpty { x.append(("cert", .string(t.cert))) }
            if !t.key.isEmpty { x.append(("key", .secret)) }
            if !t.caFile.isEmpty { x.append(("ca_file", .string(t.caFile))) }
            if !t.certFile.isEmpty { x.append(("cert_file", .string(t.certFile))) }
            if !t.keyFile.isEmpty { x.append(("key_file", .string(t.keyFile))) }
            if !t.serverName.isEmpty { x.append(("server_name", .string(t.serverName))) }
            x.append(("insecure_skip_verify", .bool(t.insecureSkipVerify)))
            if !t.minVersion.isEmpty { x.append(("min_version", .string(t.minVersion))) }
            if !t.maxVersion.isEmpty { x.append(("max_version", .string(t.maxVersion))) }
            f.append(("tls_config", .map(x)))
        }
        f.append(("follow_redirects", .bool(followRedirects)))
        f.append(("enable_http2", .bool(enableHTTP2)))
        if !proxyURL.isEmpty { f.append(("proxy_url", .string(redactedURL(proxyURL)))) }
        if !noProxy.isEmpty { f.append(("no_proxy", .string(noProxy))) }
        if proxyFromEnvironment { f.append(("proxy_from_environment", .bool(true))) }
        if !proxyConnectHeader.isEmpty {
            f.append(("proxy_connect_header", .map(proxyConnectHeader.sorted { $0.key < $1.key }.map {
                ($0.key, .seq($0.value.map { _ in .secret }))
            })))
        }
        return f
    }

    /// The URL with any password replaced by `xxxxx`, as Prometheus prints it.
    private func redactedURL(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else { return text }
        components.password = "xxxxx"
        return components.string ?? text
    }
}

extension RelabelConfig {
    func renderNode() -> RenderNode {
        var f: [(String, RenderNode)] = []
        if let sourceLabels { f.append(("source_labels", .flowSeq(sourceLabels))) }
        f.append(("separator", .string(separator)))
        // Prometheus omits a regex left at its default.
        if regexIsExplicit { f.append(("regex", .string(regex))) }
        if modulus != 0 { f.append(("modulus", .number(modulus))) }
        if !targetLabel.isEmpty { f.append(("target_label", .string(targetLabel))) }
        f.append(("replacement", .string(replacement)))
        if let action { f.append(("action", .string(action.rawValue))) }
        return .map(f)
    }
}

extension ServiceDiscovery {
    /// Discovery sections in Prometheus' order (alphabetical by key).
    func renderFields() -> [(String, RenderNode)] {
        var f: [(String, RenderNode)] = []
        if !fileSDConfigs.isEmpty {
            f.append(("file_sd_configs", .seq(fileSDConfigs.map {
                .map([("files", .seq($0.files.map { .string($0) })), ("refresh_interval", .duration($0.refreshInterval))])
            })))
        }
        if !staticConfigs.isEmpty {
            f.append(("static_configs", .seq(staticConfigs.map { group in
                var g: [(String, RenderNode)] = [("targets", .seq(group.targets.map { .string($0) }))]
                if !group.labels.isEmpty { g.append(("labels", renderLabels(group.labels))) }
                return .map(g)
            })))
        }
        return f
    }
}

extension AlertingConfig {
    func renderNode() -> RenderNode {
        var f: [(String, RenderNode)] = []
        if !alertRelabelConfigs.isEmpty {
            f.append(("alert_relabel_configs", .seq(alertRelabelConfigs.map { $0.renderNode() })))
        }
        if !alertmanagers.isEmpty {
            f.append(("alertmanagers", .seq(alertmanagers.map { manager in
                var m = manager.httpClient.renderFields()
                m.append(("scheme", .string(manager.scheme)))
                if !manager.pathPrefix.isEmpty { m.append(("path_prefix", .string(manager.pathPrefix))) }
                m.append(("timeout", .duration(manager.timeout)))
                m.append(("api_version", .string(manager.apiVersion)))
                if !manager.relabelConfigs.isEmpty {
                    m.append(("relabel_configs", .seq(manager.relabelConfigs.map { $0.renderNode() })))
                }
                if !manager.alertRelabelConfigs.isEmpty {
                    m.append(("alert_relabel_configs", .seq(manager.alertRelabelConfigs.map { $0.renderNode() })))
                }
                m += manager.serviceDiscovery.renderFields()
                return .map(m)
            })))
        }
        return .map(f)
    }
}

extension StorageConfig {
    func renderNode() -> RenderNode {
        var f: [(String, RenderNode)] = []
        var t: [(String, RenderNode)] = []
        if tsdb.outOfOrderTimeWindow != .zero { t.append(("out_of_order_time_window", .duration(tsdb.outOfOrderTimeWindow))) }
        if !tsdb.floatChunkEncoding.isEmpty { t.append(("chunk_encoding", .map([("floats", .string(tsdb.floatChunkEncoding))]))) }
        var r: [(String, RenderNode)] = []
        if tsdb.retention.time != .zero { r.append(("time", .duration(tsdb.retention.time))) }
        if tsdb.retention.size.bytes != 0 { r.append(("size", .raw(tsdb.retention.size.description))) }
        if !r.isEmpty { t.append(("retention", .map(r))) }
        if !t.isEmpty { f.append(("tsdb", .map(t))) }
        if let exemplars { f.append(("exemplars", .map([("max_exemplars", .number(exemplars.maxExemplars))]))) }
        return .map(f)
    }
}

extension VigilSection {
    func renderNode() -> RenderNode {
        var f: [(String, RenderNode)] = [
            ("storage", .map([
                ("path", .string(storage.path)),
                ("wal_fsync", .string(storage.walFsync.rawValue)),
                ("min_block_duration", .duration(storage.minBlockDuration)),
            ])),
            ("retention", .map([("time", .duration(retention.time)), ("size", .raw(retention.size.description))])),
        ]
        if !receivers.isEmpty {
            f.append(("receivers", .seq(receivers.map { receiver in
                .map([
                    ("name", .string(receiver.name)),
                    ("webhook_configs", .seq(receiver.webhookConfigs.map { hook in
                        .map([
                            // Webhook URLs often embed tokens; Alertmanager hides them the same way.
                            ("url", .secret),
                            ("send_resolved", .bool(hook.sendResolved)),
                            ("max_alerts", .number(hook.maxAlerts)),
                            ("timeout", .duration(hook.timeout)),
                            ("http_config", .map(hook.httpClient.renderFields())),
                        ])
                    })),
                ])
            })))
        }
        return .map(f)
    }
}
