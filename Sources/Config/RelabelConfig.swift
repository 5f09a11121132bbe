import Foundation
import Model
import RE2
internal import YAML

/// What a relabel rule does (Prometheus' `relabel.Action`); written lowercase in YAML,
/// but Prometheus accepts any case (`Replace` works) and so do we.
package enum RelabelAction: String, Sendable, CaseIterable {
    case replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep
    case lowercase, uppercase
}

/// One relabeling rule (`relabel_configs`, `metric_relabel_configs`, `alert_relabel_configs`,
/// Alertmanager `relabel_configs`), validated exactly as Prometheus' `model/relabel` does.
///
/// The regex is kept as source text; Prometheus matches it fully anchored, in dot-all mode:
/// `anchoredPattern` is `^(?s:<regex>)$`. Validation compiles that form with `RE2.Regexp`, so
/// a bad pattern gets Go's error; matching is left to the user of the rule.
package struct RelabelConfig: Sendable, Equatable {
    /// Labels whose values are joined with `separator`; nil when not given.
    package var sourceLabels: [String]?
    package var separator = ";"
    /// The regex source as written (default `(.*)`).
    package var regex = "(.*)"
    /// Whether `regex` was written in the file, even if equal to the default: Prometheus'
    /// field checks for `keepequal`/`dropequal` treat any written regex as "set".
    package var regexIsExplicit = false
    package var modulus: UInt64 = 0
    package var targetLabel = ""
    package var replacement = "$1"
    /// nil when the rule said `action: null`, which Prometheus rejects as empty.
    package var action: RelabelAction? = .replace
    /// Where the rule starts in the file, for validation messages.
    var position = SourcePosition(nil)

    package init() {}

    /// The pattern to match against: `^(?s:<regex>)$`.
    package var anchoredPattern: String { "^(?s:" + regex + ")$" }

    /// Decodes one rule. `emptyMessage` is Prometheus' error for a null rule in this list.
    /// Decodes a `[]*relabel.Config` sequence; `emptyMessage` is Prometheus' error for a null rule.
    static func decodeList(_ node: YAMLNode, _ d: inout Decoder, emptyMessage: String) throws(ConfigError) -> [RelabelConfig] {
        var out: [RelabelConfig] = []
        for item in try d.items(node, type: "[]*relabel.Config") {
            out.append(try decode(item, &d, emptyMessage: emptyMessage))
        }
        return out
    }

    static func decode(_ node: YAMLNode, _ d: inout Decoder, emptyMessage: String) throws(ConfigError) -> RelabelConfig {
        if node.isNull { throw d.error(emptyMessage, at: node) }
        var rule = RelabelConfig()
        rule.position = SourcePosition(node.mark)
        for entry in try d.entries(node, type: "relabel.plain") {
            switch entry.key {
            case "source_labels":
                rule.sourceLabels = try d.labelNames(entry.value)
            case "separator":
                rule.separator = try d.string(entry.value)
            case "regex":
                // A null regex becomes the empty pattern, not the default (Prometheus does so too).
                rule.regex = try d.string(entry.value, type: "relabel.Regexp")
                rule.regexIsExplicit = true
                try checkRegex(rule, at: entry.value, d)
            case "modulus":
                rule.modulus = try d.unsigned(entry.value, type: "uint64")
            case "target_label":
                rule.targetLabel = try d.string(entry.value)
            case "replacement":
                rule.replacement = try d.string(entry.value)
            case "action":
                if entry.value.isNull {
                    rule.action = nil
                } else {
                    let text = try d.string(entry.value, type: "relabel.Action")
                    guard let action = RelabelAction(rawValue: text.lowercased()) else {
                        throw d.error("unknown relabel action \(goQuoted(text))", at: entry.value)
                    }
                    rule.action = action
                }
            default:
                throw d.unknownField(entry, in: "relabel.plain")
            }
        }
        return rule
    }

    private static func checkRegex(_ rule: RelabelConfig, at node: YAMLNode, _ d: Decoder) throws(ConfigError) {
        do {
            _ = try Regexp(rule.anchoredPattern)
        } catch {
            throw d.error(error.description, at: node)
        }
    }

    /// Prometheus' `relabel.Config.Validate`; returns the first problem's message, nil if valid.
    package func validationError(scheme: NameValidationScheme) -> String? {
        guard let action else { return "relabel action cannot be empty" }
        let name = action.rawValue
        if modulus == 0 && action == .hashmod {
            return "relabel configuration for hashmod requires non-zero modulus"
        }
        let needsTarget: Set<RelabelAction> = [.replace, .hashmod, .lowercase, .uppercase, .keepequal, .dropequal]
        if needsTarget.contains(action) && targetLabel.isEmpty {
            return "relabel configuration for \(name) action requires 'target_label' value"
        }
        let hasVariable = targetLabel.contains("$")
        if action == .replace && !hasVariable && !scheme.isValidLabelName(targetLabel) {
            return "\(goQuoted(targetLabel)) is invalid 'target_label' for \(name) action"
        }
        if action == .replace && hasVariable && !Self.isValidNameWithVariables(targetLabel, scheme: scheme) {
            return "\(goQuoted(targetLabel)) is invalid 'target_label' for \(name) action"
        }
        let singleTarget: Set<RelabelAction> = [.lowercase, .uppercase, .keepequal, .dropequal]
        if singleTarget.contains(action) && !scheme.isValidLabelName(targetLabel) {
            return "\(goQuoted(targetLabel)) is invalid 'target_label' for \(name) action"
        }
        if singleTarget.contains(action) && replacement != "$1" {
            return "'replacement' can not be set for \(name) action"
        }
        if action == .labelmap && !Self.isValidNameWithVariables(replacement, scheme: scheme) {
            return "\(goQuoted(replacement)) is invalid 'replacement' for \(name) action"
        }
        if action == .hashmod && !scheme.isValidLabelName(targetLabel) {
            return "\(goQuoted(targetLabel)) is invalid 'target_label' for \(name) action"
        }
        if action == .dropequal || action == .keepequal {
            if regexIsExplicit || modulus != 0 || separator != ";" || replacement != "$1" {
                return "\(name) action requires only 'source_labels' and `target_label`, and no other fields"
            }
        }
        if action == .labeldrop || action == .labelkeep {
            if sourceLabels != nil || !targetLabel.isEmpty || modulus != 0 || separator != ";" || replacement != "$1" {
                return "\(name) action requires only 'regex', and no other fields"
            }
        }
        return nil
    }

    /// A label name that may contain `$1` / `${name}` references. Under UTF-8 validation any
    /// non-empty text is fine; legacy validation allows the classic characters plus references
    /// (Prometheus' `^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$`).
    static func isValidNameWithVariables(_ text: String, scheme: NameValidationScheme) -> Bool {
        if scheme == .utf8 { return scheme.isValidLabelName(text) }
        return nameWithVariables?.matches(text) ?? false
    }
}

/// Prometheus' `relabelTargetLegacy`.
private let nameWithVariables = try? Regexp(#"^(?:(?:[a-zA-Z_]|\$(?:\{\w+\}|\w+))+\w*)+$"#)
