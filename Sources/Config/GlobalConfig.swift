import Model
internal import YAML

/// The `global` section: defaults every scrape job and rule group inherits.
///
/// Defaults as in Prometheus: scrape every 1m, time out after min(10s, interval), evaluate
/// rules every 1m, UTF-8 name validation. `external_labels` values have `$VAR` / `${VAR}`
/// expanded from the environment at load time (`$$` is a literal `$`), as Prometheus 3 does.
package struct GlobalConfig: Sendable, Equatable {
    package var scrapeInterval = PromDuration.minutes(1)
    package var scrapeTimeout = PromDuration.seconds(10)
    /// Protocol names in preference order; nil means "Prometheus' default order".
    package var scrapeProtocols: [String]?
    package var evaluationInterval = PromDuration.minutes(1)
    package var ruleQueryOffset = PromDuration.zero
    package var queryLogFile = ""
    package var scrapeFailureLogFile = ""
    package var externalLabels: [String: String] = [:]
    /// Sample, label, target and body-size limits (zero: none / inherited).
    package var limits = ScrapeLimits()
    package var metricNameValidationScheme = NameValidationScheme.utf8
    /// `allow-utf-8`, `underscores`, `dots`, `values`, or empty (derived from validation).
    package var metricNameEscapingScheme = ""
    /// Always false in Vigil (true is unsupported).
    package var scrapeNativeHistograms = false
    /// Always false in Vigil (true is unsupported).
    package var convertClassicHistogramsToNHCB = false
    package var alwaysScrapeClassicHistograms = false
    package var extraScrapeMetrics = false

    package init() {}

    /// Parses `metric_name_validation_scheme` (`utf8`, `legacy`, or empty for "unset").
    static func decodeScheme(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> NameValidationScheme? {
        let text = try d.string(node, type: "model.ValidationScheme")
        if text.isEmpty { return nil }
        guard let scheme = NameValidationScheme(rawValue: text) else {
            throw d.error("unrecognized ValidationScheme: \(goQuoted(text))", at: node)
        }
        return scheme
    }

    /// Decodes and checks `global` (Prometheus' `GlobalConfig.UnmarshalYAML`).
    static func decode(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> GlobalConfig {
        var g = GlobalConfig()
        var interval = PromDuration.zero
        var timeout = PromDuration.zero
        var evaluation = PromDuration.zero
        var rawLabels: [(name: [UInt8], value: [UInt8], node: YAMLNode)] = []
        let type = "config.plain"
        for entry in try d.entries(node, type: type) {
            let v = entry.value
            switch entry.key {
            case "scrape_interval": interval = try d.duration(v)
            case "scrape_timeout": timeout = try d.duration(v)
            case "scrape_protocols": g.scrapeProtocols = v.isNull ? nil : try d.strings(v)
            case "evaluation_interval": evaluation = try d.duration(v)
            case "rule_query_offset": g.ruleQueryOffset = try d.duration(v)
            case "query_log_file": g.queryLogFile = try d.string(v)
            case "scrape_failure_log_file": g.scrapeFailureLogFile = try d.string(v)
            case "external_labels":
                // Kept as bytes until the validation scheme is known, as Prometheus checks
                // names against the scheme only after the whole section is read.
                for pair in try d.entries(v, type: "labels.Labels") {
                    rawLabels.append((try d.bytes(pair.keyNode), try d.bytes(pair.value), pair.keyNode))
                }
            case "metric_name_validation_scheme":
                g.metricNameValidationScheme = try decodeScheme(v, &d) ?? .utf8
            case "metric_name_escaping_scheme": g.metricNameEscapingScheme = try d.string(v)
            case "scrape_native_histograms":
                g.scrapeNativeHistograms = try d.bool(v)
                if g.scrapeNativeHistograms { d.unsupported(key: entry.key, at: entry.keyNode, context: "global") }
            case "convert_classic_histograms_to_nhcb":
                g.convertClassicHistogramsToNHCB = try d.bool(v)
                if g.convertClassicHistogramsToNHCB { d.unsupported(key: entry.key, at: entry.keyNode, context: "global") }
            case "always_scrape_classic_histograms": g.alwaysScrapeClassicHistograms = try d.bool(v)
            case "extra_scrape_metrics": g.extraScrapeMetrics = try d.bool(v)
            default:
                if try g.limits.decodeField(entry.key, v, &d) { continue }
                throw d.unknownField(entry, in: type)
            }
        }

        for label in rawLabels.sorted(by: { $0.name.lexicographicallyPrecedes($1.name) }) {
            let nameValid = isValidUTF8(label.name)
                && g.metricNameValidationScheme.isValidLabelName(String(decoding: label.name, as: UTF8.self))
            guard nameValid else {
                throw d.error("\(goQuoted(bytes: label.name)) is not a valid label name", at: label.node)
            }
            guard isValidUTF8(label.value) else {
                throw d.error("\(goQuoted(bytes: label.value)) is not a valid label value", at: label.node)
            }
            let value = String(decoding: label.value, as: UTF8.self)
            g.externalLabels[String(decoding: label.name, as: UTF8.self)] = expandEnvironment(value, d.environment)
        }

        // Set the interval first, then check the (explicit or inferred) timeout against it.
        g.scrapeInterval = interval == .zero ? GlobalConfig().scrapeInterval : interval
        if timeout > g.scrapeInterval {
            throw d.error("global scrape timeout greater than scrape interval", at: node)
        }
        g.scrapeTimeout = timeout == .zero ? min(GlobalConfig().scrapeTimeout, g.scrapeInterval) : timeout
        g.evaluationInterval = evaluation == .zero ? GlobalConfig().evaluationInterval : evaluation
        if let protocols = g.scrapeProtocols, let problem = ScrapeProtocol.listError(protocols) {
            throw d.error(problem + " for global config", at: node)
        }
        return g
    }
}

/// Expands `$NAME` and `${NAME}` from `environment` like Go's `os.Expand` with Prometheus'
/// mapping: `$$` stays `$`, unset variables become empty, `${}` is dropped, a `$` followed by
/// nothing usable stays as is.
func expandEnvironment(_ text: String, _ environment: [String: String]) -> String {
    let s = Array(text.utf8)
    guard s.contains(UInt8(ascii: "$")) else { return text }
    func lookup(_ name: [UInt8]) -> [UInt8] {
        let key = String(decoding: name, as: UTF8.self)
        if key == "$" { return [UInt8(ascii: "$")] }
        return Array((environment[key] ?? "").utf8)
    }
    func isSpecial(_ c: UInt8) -> Bool { "*#$@!?-0123456789".utf8.contains(c) }
    func isAlphaNumeric(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "_") || (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A)
    }
    /// Go's getShellName: the name after `$` and how many bytes it used.
    func shellName(_ rest: ArraySlice<UInt8>) -> ([UInt8], Int) {
        let r = Array(rest)
        if r[0] == UInt8(ascii: "{") {
            if r.count > 2 && isSpecial(r[1]) && r[2] == UInt8(ascii: "}") { return ([r[1]], 3) }
            for i in 1..<r.count where r[i] == UInt8(ascii: "}") {
                if i == 1 { return ([], 2) }
                return (Array(r[1..<i]), i + 1)
            }
            return ([], 1)
        }
        if isSpecial(r[0]) { return ([r[0]], 1) }
        var i = 0
        while i < r.count && isAlphaNumeric(r[i]) { i += 1 }
        return (Array(r[0..<i]), i)
    }
    var out: [UInt8] = []
    var start = 0
    var j = 0
    while j < s.count {
        if s[j] == UInt8(ascii: "$") && j + 1 < s.count {
            out += s[start..<j]
            let (name, width) = shellName(s[(j + 1)...])
            if name.isEmpty && width > 0 {
                // Bad syntax such as "${}": Go drops the characters.
            } else if name.isEmpty {
                out.append(s[j])
            } else {
                out += lookup(name)
            }
            j += width
            start = j + 1
        }
        j += 1
    }
    out += s[min(start, s.count)...]
    return String(decoding: out, as: UTF8.self)
}
