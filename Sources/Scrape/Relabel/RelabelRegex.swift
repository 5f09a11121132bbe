import RE2

/// A relabel regex compiled once: Prometheus' `^(?s:<regex>)$`, in Go's RE2 syntax and
/// semantics (`RE2.Regexp`).
///
/// Two shapes skip the engine when matching: the default `(.*)` matches everything with group 1
/// = the input, and a pattern without metacharacters is plain string equality.
package struct RelabelRegex: Sendable {
    enum Kind: Sendable {
        case matchAll
        case literal(String)
        case general
    }

    let kind: Kind
    /// The regex as written in the config.
    package let source: String
    private let regexp: Regexp

    /// The default relabel regex source.
    package static let defaultSource = "(.*)"

    /// Compiles `source` (as written in a relabel rule).
    package init(_ source: String) throws(ScrapeError) {
        self.source = source
        do {
            regexp = try Regexp("^(?s:" + source + ")$")
        } catch {
            throw ScrapeError.invalidRegex(error.description)
        }
        if source == Self.defaultSource {
            kind = .matchAll
        } else if !source.contains(where: { "\\.+*?()|[]{}^$".contains($0) }) {
            kind = .literal(source)
        } else {
            kind = .general
        }
    }

    /// True when the whole of `text` matches.
    package func matches(_ text: String) -> Bool {
        switch kind {
        case .matchAll: return true
        case .literal(let literal): return text == literal
        case .general: return regexp.matches(text)
        }
    }

    /// The capture groups of a whole-input match as UTF-8 offsets (index 0 is the match), nil
    /// when no match; a group that did not take part is nil.
    package func submatches(_ text: String) -> [Range<Int>?]? {
        switch kind {
        case .matchAll:
            let all = 0 ..< text.utf8.count
            return [all, all]
        case .literal(let literal):
            return text == literal ? [0 ..< text.utf8.count] : nil
        case .general:
            return regexp.submatchRanges(text)
        }
    }

    /// Go's `Regexp.Expand` of `template` with the groups of a match of `text`.
    package func expand(_ template: String, text: String, groups: [Range<Int>?]) -> String {
        regexp.expand(template, text: text, match: groups)
    }
}
