import RE2
import Synchronization

/// A label matcher: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
///
/// Prometheus' rules:
/// - A regex is fully anchored (`^(?s:re)$`): `=~"a"` does not match "ab"; `.` matches newlines.
/// - A series lacking the label is matched as if the value were "", so `foo=""` selects series
///   *without* `foo`, `foo!=""` selects series *with* it, and `foo=~".*"` matches every series.
///
/// Common regex shapes (a literal, `a|b|c`, `.*`, `.+`, `lit.*`, `.*lit`, `.*lit.*`) are matched
/// without the regex engine; the rest use `RE2.Regexp`, Go's syntax and semantics.
package struct Matcher: Sendable, Hashable, CustomStringConvertible {
    /// The four operators.
    package enum MatchType: String, Sendable, Hashable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    /// The operator.
    package let type: MatchType
    /// The label name.
    package let name: String
    /// The value or the regex source.
    package let value: String
    private let pattern: CompiledPattern?

    /// A matcher; throws `.invalidRegex` when a regex does not compile.
    package init(_ type: MatchType, _ name: String, _ value: String) throws(StorageError) {
        self.type = type
        self.name = name
        self.value = value
        switch type {
        case .equal, .notEqual: pattern = nil
        case .regexMatch, .regexNoMatch: pattern = try CompiledPattern.compiled(value)
        }
    }

    /// `name="value"`, which cannot fail.
    package static func equal(_ name: String, _ value: String) -> Matcher {
        Matcher(unchecked: .equal, name, value)
    }

    /// `name!="value"`, which cannot fail.
    package static func notEqual(_ name: String, _ value: String) -> Matcher {
        Matcher(unchecked: .notEqual, name, value)
    }

    private init(unchecked type: MatchType, _ name: String, _ value: String) {
        self.type = type
        self.name = name
        self.value = value
        pattern = nil
    }

    /// Whether a label value (or "" for an absent label) satisfies the matcher.
    package func matches(_ v: String) -> Bool {
        switch type {
        case .equal: return v == value
        case .notEqual: return v != value
        case .regexMatch: return pattern?.matches(v) ?? false
        case .regexNoMatch: return !(pattern?.matches(v) ?? false)
        }
    }

    /// Whether the series with these labels satisfies the matcher (absent = "").
    package func matches(_ labels: Labels) -> Bool { matches(labels.get(name)) }

    /// True when the matcher also selects series lacking the label.
    package var matchesEmpty: Bool { matches("") }

    /// The matcher with the opposite operator (`=` ↔ `!=`, `=~` ↔ `!~`).
    package var inverse: Matcher {
        let t: MatchType = switch type {
        case .equal: .notEqual
        case .notEqual: .equal
        case .regexMatch: .regexNoMatch
        case .regexNoMatch: .regexMatch
        }
        return Matcher(type: t, name: name, value: value, pattern: pattern)
    }

    private init(type: MatchType, name: String, value: String, pattern: CompiledPattern?) {
        self.type = type
        self.name = name
        self.value = value
        self.pattern = pattern
    }

    /// When a regex matches only a fixed set of values (`a|b|c`, or a literal), those values.
    package var setMatches: [String]? {
        if case let .set(values)? = pattern?.kind { return values }
        return nil
    }

    /// Type, name and value decide equality.
    package static func == (a: Matcher, b: Matcher) -> Bool {
        a.type == b.type && a.name == b.name && a.value == b.value
    }

    /// Hashes type, name and value.
    package func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(name)
        hasher.combine(value)
    }

    /// `name="value"` with the value quoted.
    package var description: String {
        var q = ""
        for ch in value.unicodeScalars {
            switch ch {
            case "\\": q += "\\\\"
            case "\"": q += "\\\""
            case "\n": q += "\\n"
            default: q.unicodeScalars.append(ch)
            }
        }
        return "\(name)\(type.rawValue)\"\(q)\""
    }
}

/// A compiled regex with fast paths for the shapes seen in practice.
private final class CompiledPattern: Sendable {
    enum Kind: Sendable {
        case set([String])            // a literal or an alternation of literals
        case any                      // .*
        case nonEmpty                 // .+
        case prefix(String)           // lit.*
        case suffix(String)           // .*lit
        case contains(String)         // .*lit.*
        case regex
    }

    let kind: Kind
    private let regex: Regexp?

    init(_ source: String) throws(StorageError) {
        // As Prometheus' `NewFastRegexMatcher`: the source alone must parse (so `a)(b` is not
        // rescued by the wrapper), then the anchored dot-all form is what matches.
        do {
            try Regexp.validate(source)
            regex = try Regexp("^(?s:" + source + ")$")
        } catch {
            throw StorageError.invalidRegex(pattern: source, reason: error.description)
        }
        kind = CompiledPattern.classify(source)
    }

    /// Recently compiled patterns by source: a dashboard sends the same selectors again and
    /// again, and compiling a regex costs far more than running the query's index lookups.
    /// Patterns are immutable, so one compiled pattern serves every matcher; the cache is
    /// emptied when it reaches its size.
    private static let cache = Mutex<[String: CompiledPattern]>([:])
    private static let cacheLimit = 512

    /// The compiled `source`, from the cache when it was compiled lately.
    static func compiled(_ source: String) throws(StorageError) -> CompiledPattern {
        if let hit = cache.withLock({ $0[source] }) { return hit }
        let p = try CompiledPattern(source)
        cache.withLock { c in
            if c.count >= cacheLimit { c.removeAll(keepingCapacity: true) }
            c[source] = p
        }
        return p
    }

    func matches(_ s: String) -> Bool {
        switch kind {
        case let .set(values):
            for v in values where v == s { return true }
            return false
        case .any: return true
        case .nonEmpty: return !s.isEmpty
        case let .prefix(p): return s.utf8.starts(with: p.utf8)
        case let .suffix(x): return s.utf8.count >= x.utf8.count && s.utf8.reversed().starts(with: x.utf8.reversed())
        case let .contains(x): return CompiledPattern.utf8Contains(s, x)
        case .regex:
            return regex?.matches(s) ?? false
        }
    }

    static let metacharacters: Set<Character> = ["\\", ".", "+", "*", "?", "(", ")", "|", "[", "]", "{", "}", "^", "$"]

    static func isLiteral(_ s: Substring) -> Bool { !s.contains { metacharacters.contains($0) } }

    static func classify(_ source: String) -> Kind {
        if source == ".*" { return .any }
        if source == ".+" { return .nonEmpty }
        let alternatives = source.split(separator: "|", omittingEmptySubsequences: false)
        if alternatives.allSatisfy(isLiteral) { return .set(alternatives.map(String.init)) }
        if source.hasPrefix(".*") && source.hasSuffix(".*") && source.count >= 4 {
            let mid = source.dropFirst(2).dropLast(2)
            if isLiteral(mid) && !mid.isEmpty { return .contains(String(mid)) }
        }
        if source.hasSuffix(".*") {
            let head = source.dropLast(2)
            if isLiteral(head) { return .prefix(String(head)) }
        }
        if source.hasPrefix(".*") {
            let tail = source.dropFirst(2)
            if isLiteral(tail) { return .suffix(String(tail)) }
        }
        return .regex
    }

    static func utf8Contains(_ s: String, _ x: String) -> Bool {
        let hay = Array(s.utf8), needle = Array(x.utf8)
        if needle.isEmpty { return true }
        if needle.count > hay.count { return false }
        var i = 0
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] && hay[i ..< i + needle.count].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }
}
