import Config
import Model

/// One relabel rule compiled for use (Prometheus' `relabel.Config` after `NewRegexp`).
package struct RelabelRule: Sendable {
    /// The validated configuration it came from.
    package let config: RelabelConfig
    /// What the rule does; a config without an action is a `replace` (validation rejects it first).
    package let action: RelabelAction
    /// The compiled, fully anchored regex.
    package let regex: RelabelRegex
    /// The scheme that decides whether an expanded `replace` target is a valid label name.
    package let scheme: NameValidationScheme
    private let fastReplace: Bool

    /// Compiles `config` once.
    package init(_ config: RelabelConfig, scheme: NameValidationScheme = .utf8) throws(ScrapeError) {
        self.config = config
        self.action = config.action ?? .replace
        self.regex = try RelabelRegex(config.regex)
        self.scheme = scheme
        // Prometheus' "fast path to add or delete label pair": default regex and no `$`.
        fastReplace = config.regex == RelabelRegex.defaultSource
            && !config.targetLabel.contains("$") && !config.replacement.contains("$")
    }

    /// Applies the rule to `b`; false when the rule drops the label set.
    package func apply(to b: inout RelabelBuilder) -> Bool {
        let c = config
        var value = ""
        if let sources = c.sourceLabels {
            var first = true
            for name in sources {
                if !first { value += c.separator }
                first = false
                value += b.get(name)
            }
        }
        switch action {
        case .drop:
            if regex.matches(value) { return false }
        case .keep:
            if !regex.matches(value) { return false }
        case .dropequal:
            if b.get(c.targetLabel) == value { return false }
        case .keepequal:
            if b.get(c.targetLabel) != value { return false }
        case .replace:
            if value.isEmpty && fastReplace {
                b.set(c.targetLabel, c.replacement)
                break
            }
            guard let groups = regex.submatches(value) else { break }
            let target = regex.expand(c.targetLabel, text: value, groups: groups)
            guard scheme.isValidLabelName(target) else { break }
            let result = regex.expand(c.replacement, text: value, groups: groups)
            if result.isEmpty {
                b.delete(target)
            } else {
                b.set(target, result)
            }
        case .lowercase:
            b.set(c.targetLabel, GoCase.lower(value))
        case .uppercase:
            b.set(c.targetLabel, GoCase.upper(value))
        case .hashmod:
            b.set(c.targetLabel, String(MD5.hashmod(value, modulus: c.modulus)))
        case .labelmap:
            for pair in b.snapshot() {
                guard let groups = regex.submatches(pair.name) else { continue }
                b.set(regex.expand(c.replacement, text: pair.name, groups: groups), pair.value)
            }
        case .labeldrop:
            for pair in b.snapshot() where regex.matches(pair.name) { b.delete(pair.name) }
        case .labelkeep:
            for pair in b.snapshot() where !regex.matches(pair.name) { b.delete(pair.name) }
        }
        return true
    }
}

/// A list of relabel rules applied in order (Prometheus' `relabel.Process`).
package struct Relabeler: Sendable {
    /// The compiled rules.
    package let rules: [RelabelRule]

    /// Compiles every rule once; throws on a regex ICU cannot compile.
    package init(_ configs: [RelabelConfig], scheme: NameValidationScheme = .utf8) throws(ScrapeError) {
        var rules: [RelabelRule] = []
        rules.reserveCapacity(configs.count)
        for c in configs { rules.append(try RelabelRule(c, scheme: scheme)) }
        self.rules = rules
    }

    /// True when there are no rules (every set passes unchanged).
    package var isEmpty: Bool { rules.isEmpty }

    /// The relabeled set, or nil when a rule drops it. Without rules, or when no rule changes
    /// anything, `labels` is returned as is without re-encoding.
    package func process(_ labels: Labels) -> Labels? {
        if rules.isEmpty { return labels }
        var b = RelabelBuilder(labels)
        return process(&b) ? b.labels() : nil
    }

    /// Applies the rules to `builder`; false as soon as one drops the set.
    package func process(_ builder: inout RelabelBuilder) -> Bool {
        for rule in rules where !rule.apply(to: &builder) { return false }
        return true
    }
}
