import Foundation

/// A relabel regex compiled once: fully anchored, dot-all, matched like Go's RE2 where ICU
/// allows.
///
/// Two shapes skip ICU: the default `(.*)` matches everything with group 1 = the input, and a
/// pattern without metacharacters is plain string equality. Everything else is an
/// `NSRegularExpression` over `RelabelConfig.anchoredPattern` with adjustments for RE2:
///
/// - the closing `$` becomes `\z`: ICU's `$` also matches before a final line break, RE2's
///   does not (`fo+` must not match `"foo\n"`);
/// - only `\n` ends a line (`useUnixLineSeparators`);
/// - `(?P<name>` becomes `(?<name>`, and the one-letter classes `\pL` / `\PL` become `\p{L}` /
///   `\P{L}` (ICU refuses the short form).
///
/// Differences that remain (found by trying them on this ICU):
///
/// - `\d`, `\w`, `\s`, `\b` and POSIX classes such as `[[:alpha:]]` are Unicode-aware in ICU and
///   ASCII-only in RE2 (`\d` matches `٣`, `\w` matches `é` here, not in Prometheus).
/// - `\v` is any vertical space in ICU (including `\n`), only U+000B in RE2.
/// - With dot-all, ICU's `.` consumes `\r\n` as one character: `a.b` matches `"a\r\nb"`.
/// - ICU accepts back-references, look-around, possessive quantifiers and `\Z`, which RE2
///   rejects; ICU rejects RE2's octal escapes (`\101`) and `a{,2}` (a literal in RE2).
/// - Group positions are found in UTF-16 and mapped back; the strings are valid UTF-8 anyway.
package struct RelabelRegex: Sendable {
    enum Kind {
        case matchAll
        case literal(String)
        case icu(NSRegularExpression)
    }

    let kind: Kind
    /// The regex as written in the config.
    package let source: String
    /// Capture group numbers by name (`(?P<name>…)` / `(?<name>…)`), first occurrence wins.
    let groupNames: [String: Int]

    /// The default relabel regex source.
    package static let defaultSource = "(.*)"

    /// Compiles `source` (as written in a relabel rule).
    package init(_ source: String) throws(ScrapeError) {
        self.source = source
        if source == Self.defaultSource {
            kind = .matchAll
            groupNames = [:]
            return
        }
        let metacharacters = Set("\\.+*?()|[]{}^$")
        if !source.contains(where: { metacharacters.contains($0) }) {
            kind = .literal(source)
            groupNames = [:]
            return
        }
        let rewritten = Self.icuSyntax(source)
        let pattern = "^(?s:" + rewritten + ")\\z"
        do {
            kind = .icu(try NSRegularExpression(pattern: pattern, options: [.useUnixLineSeparators]))
        } catch {
            throw ScrapeError.invalidRegex("^(?s:" + rewritten + ")$")
        }
        groupNames = Self.captureGroupNames(rewritten)
    }

    /// RE2 spellings ICU lacks, rewritten: `(?P<name>` and one-letter `\pX` / `\PX` classes.
    static func icuSyntax(_ source: String) -> String {
        let named = source.replacingOccurrences(of: "(?P<", with: "(?<")
        guard named.contains("\\p") || named.contains("\\P") else { return named }
        let s = Array(named.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < s.count {
            if s[i] == "\\", i + 1 < s.count {
                let next = s[i + 1]
                if (next == "p" || next == "P"), i + 2 < s.count, s[i + 2] != "{" {
                    out.append(contentsOf: ["\\", next, "{", s[i + 2], "}"])
                    i += 3
                    continue
                }
                out.append(s[i])
                out.append(next)
                i += 2
                continue
            }
            out.append(s[i])
            i += 1
        }
        return String(out)
    }

    /// True when the whole of `text` matches.
    package func matches(_ text: String) -> Bool {
        switch kind {
        case .matchAll: return true
        case .literal(let literal): return text == literal
        case .icu(let expression):
            let range = NSRange(text.startIndex..., in: text)
            return expression.firstMatch(in: text, options: [.anchored], range: range) != nil
        }
    }

    /// The capture groups of a whole-input match (index 0 is the match), nil when no match; a
    /// group that did not take part is nil.
    package func submatches(_ text: String) -> [Range<String.Index>?]? {
        switch kind {
        case .matchAll:
            let all = text.startIndex..<text.endIndex
            return [all, all]
        case .literal(let literal):
            return text == literal ? [text.startIndex..<text.endIndex] : nil
        case .icu(let expression):
            let range = NSRange(text.startIndex..., in: text)
            guard let m = expression.firstMatch(in: text, options: [.anchored], range: range) else { return nil }
            var groups: [Range<String.Index>?] = []
            groups.reserveCapacity(m.numberOfRanges)
            for k in 0..<m.numberOfRanges {
                let r = m.range(at: k)
                groups.append(r.location == NSNotFound ? nil : Range(r, in: text))
            }
            return groups
        }
    }

    /// Go's `Regexp.Expand`: `template` with `$1`, `${1}`, `$name`, `${name}` replaced by the
    /// groups of a match of `text`, and `$$` by `$`.
    ///
    /// As in Go, a name is the longest run of letters, digits and `_` after `$`, so `$1x` is the
    /// group named `1x` (usually absent, hence empty); a number with a leading zero is a name;
    /// an unknown or non-participating group expands to nothing; a `$` not followed by a name
    /// (or a `${` without `}`) is kept literally.
    package func expand(_ template: String, text: String, groups: [Range<String.Index>?]) -> String {
        let t = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < t.count {
            guard t[i] == "$" else { out.append(t[i]); i += 1; continue }
            i += 1
            if i < t.count && t[i] == "$" { out.append("$"); i += 1; continue }
            guard let (name, number, next) = Self.extractName(t, from: i) else {
                out.append("$")
                continue
            }
            i = next
            let index = number ?? groupNames[name]
            if let index, index < groups.count, let range = groups[index] {
                out.append(contentsOf: text.unicodeScalars[range])
            }
        }
        return String(out)
    }

    /// Go's `extract`: the name after a `$` (the `$` already consumed), its number when it is
    /// a decimal without a leading zero (below 1e8), and where the rest starts.
    static func extractName(_ t: [Unicode.Scalar], from start: Int) -> (String, Int?, Int)? {
        var i = start
        guard i < t.count else { return nil }
        let brace = t[i] == "{"
        if brace { i += 1 }
        let nameStart = i
        while i < t.count, isNameScalar(t[i]) { i += 1 }
        guard i > nameStart else { return nil }
        var nameView = String.UnicodeScalarView()
        nameView.append(contentsOf: t[nameStart..<i])
        let name = String(nameView)
        if brace {
            guard i < t.count, t[i] == "}" else { return nil }
            i += 1
        }
        var number: Int? = 0
        for scalar in t[nameStart..<(brace ? i - 1 : i)] {
            guard let n = number, scalar.value >= 0x30, scalar.value <= 0x39, n < 100_000_000 else { number = nil; break }
            number = n * 10 + Int(scalar.value - 0x30)
        }
        if t[nameStart] == "0" && (brace ? i - 1 : i) - nameStart > 1 { number = nil }
        return (name, number, i)
    }

    /// Go's `unicode.IsLetter || unicode.IsDigit || r == '_'`.
    static func isNameScalar(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber:
            return true
        default:
            return false
        }
    }

    /// Capture-group numbers of named groups in an ICU-syntax pattern, counting every
    /// capturing `(` outside character classes, escapes and `\Q…\E` quotes.
    static func captureGroupNames(_ pattern: String) -> [String: Int] {
        let p = Array(pattern.unicodeScalars)
        var names: [String: Int] = [:]
        var group = 0
        var i = 0
        var inClass = false
        while i < p.count {
            let c = p[i]
            if c == "\\" {
                if i + 1 < p.count && p[i + 1] == "Q" {
                    // Literal text up to \E.
                    i += 2
                    while i + 1 < p.count && !(p[i] == "\\" && p[i + 1] == "E") { i += 1 }
                    i += 2
                    continue
                }
                i += 2
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                i += 1
                continue
            }
            if c == "[" {
                inClass = true
                i += 1
                // A ']' right after '[' or '[^' is literal.
                if i < p.count && p[i] == "^" { i += 1 }
                if i < p.count && p[i] == "]" { i += 1 }
                continue
            }
            if c == "(" {
                if i + 1 < p.count && p[i + 1] == "?" {
                    if i + 3 < p.count && p[i + 2] == "<" && p[i + 3] != "=" && p[i + 3] != "!" {
                        group += 1
                        var j = i + 3
                        var name = String.UnicodeScalarView()
                        while j < p.count && p[j] != ">" { name.append(p[j]); j += 1 }
                        let key = String(name)
                        if names[key] == nil { names[key] = group }
                    }
                } else {
                    group += 1
                }
            }
            i += 1
        }
        return names
    }
}

/// `NSRegularExpression` is immutable after creation and documented as safe to use from
/// several threads at once; corelibs-foundation does not mark it `Sendable`, so the enum
/// holding it says so here.
extension RelabelRegex.Kind: @unchecked Sendable {}
