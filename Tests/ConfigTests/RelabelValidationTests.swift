@testable import Config
import Model
import Testing

@Suite struct RelabelValidationTests {
    /// A rule in the YAML of one `relabel_configs` item, and Prometheus' error (nil: valid).
    static let cases: [(String, String?)] = [
        ("{source_labels: [a], target_label: b}", nil),
        ("{regex: abcdef}", "relabel configuration for replace action requires 'target_label' value"),
        ("{action: Replace, target_label: x}", nil),
        ("{action: null}", "relabel action cannot be empty"),
        ("{action: hashmod, target_label: t}", "relabel configuration for hashmod requires non-zero modulus"),
        ("{action: hashmod, modulus: 8, source_labels: [a]}", "relabel configuration for hashmod action requires 'target_label' value"),
        ("{action: hashmod, modulus: 8, target_label: t}", nil),
        ("{action: keep, regex: a}", nil),
        ("{action: drop, source_labels: [a], regex: b}", nil),
        ("{action: labelkeep, regex: k}", nil),
        ("{action: labelkeep, source_labels: [a]}", "labelkeep action requires only 'regex', and no other fields"),
        ("{action: labelkeep, separator: ','}", "labelkeep action requires only 'regex', and no other fields"),
        ("{action: labeldrop, modulus: 8}", "labeldrop action requires only 'regex', and no other fields"),
        ("{action: labeldrop, replacement: x}", "labeldrop action requires only 'regex', and no other fields"),
        ("{action: labeldrop, target_label: x}", "labeldrop action requires only 'regex', and no other fields"),
        ("{action: labelmap, regex: 'a(.*)'}", nil),
        ("{action: labelmap, regex: 'a(.*)', replacement: ''}", #""" is invalid 'replacement' for labelmap action"#),
        ("{action: keepequal, source_labels: [a], target_label: b}", nil),
        ("{action: keepequal, source_labels: [a]}", "relabel configuration for keepequal action requires 'target_label' value"),
        ("{action: dropequal, source_labels: [a], target_label: b, regex: foo}", "dropequal action requires only 'source_labels' and `target_label`, and no other fields"),
        ("{action: dropequal, source_labels: [a], target_label: b, regex: '(.*)'}", "dropequal action requires only 'source_labels' and `target_label`, and no other fields"),
        ("{action: lowercase, source_labels: [a]}", "relabel configuration for lowercase action requires 'target_label' value"),
        ("{action: uppercase, source_labels: [a], target_label: b, replacement: c}", "'replacement' can not be set for uppercase action"),
        ("{action: uppercase, source_labels: [a], target_label: b}", nil),
        ("{source_labels: [a], target_label: '${1}'}", nil),
        ("{action: explode}", #"unknown relabel action "explode""#),
        ("{regex: 'abc(def'}", "error parsing regexp: missing closing ): `^(?s:abc(def)$`"),
        ("{source_labels: [''], target_label: a}", #""" is not a valid label name"#),
        ("{target_label: a, unknown: 1}", "field unknown not found in type relabel.plain"),
    ]

    @Test(arguments: cases)
    func validates(_ rule: String, _ expected: String?) {
        let text = "scrape_configs:\n  - job_name: j\n    relabel_configs:\n      - \(rule)\n"
        do {
            _ = try ConfigFile.parse(text, file: "relabel.yml", environment: [:])
            #expect(expected == nil, "accepted \(rule), wanted \(expected ?? "")")
        } catch {
            guard let expected else {
                Issue.record("rejected \(rule): \(error)")
                return
            }
            #expect(error.message.contains(expected), "\(rule): got \(error.message)")
            #expect(error.line == 4)
        }
    }

    @Test func legacySchemeChecksTargetLabels() {
        var rule = RelabelConfig()
        rule.targetLabel = "a.b"
        #expect(rule.validationError(scheme: .utf8) == nil)
        #expect(rule.validationError(scheme: .legacy) == #""a.b" is invalid 'target_label' for replace action"#)
        rule.targetLabel = "foo_${1}"
        #expect(rule.validationError(scheme: .legacy) == nil)
        rule.targetLabel = "foo.${1}"
        #expect(rule.validationError(scheme: .legacy) == #""foo.${1}" is invalid 'target_label' for replace action"#)
    }

    @Test func keepsRegexSourceAndAnchors() throws {
        let text = "scrape_configs:\n  - job_name: j\n    metric_relabel_configs:\n      - {source_labels: [__name__], regex: 'up|(?P<x>go_.*)', action: drop}\n"
        let config = try ConfigFile.parse(text, file: "r.yml", environment: [:])
        let rule = try #require(config.scrapeConfigs.first?.metricRelabelConfigs.first)
        #expect(rule.regex == "up|(?P<x>go_.*)")
        #expect(rule.anchoredPattern == "^(?s:up|(?P<x>go_.*))$")
        #expect(rule.separator == ";")
        #expect(rule.replacement == "$1")
        #expect(rule.action == .drop)
    }
}
