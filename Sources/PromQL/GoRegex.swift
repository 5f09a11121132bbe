/// A fully anchored regular expression with Go's `Regexp.Expand` template syntax, for
/// `label_replace` (Prometheus anchors the pattern as `^(?s:re)$`).
struct GoRegex {
    // `Regex<AnyRegexOutput>` is not Sendable; a GoRegex lives inside one evaluation.
    private let regex: Regex<AnyRegexOutput>
    /// Capture group names by index (nil for unnamed groups); index 0 is the whole match.
    let names: [String?]

    init(_ pattern: String) throws {
        regex = try Regex("^(?s:" + pattern + ")$").matchingSemantics(.unicodeScalar)
        // Names are only known from a match; probe lazily in `match`.
        names = []
    }

    /// The groups of a whole-string match (nil entries for groups that did not take part).
    func match(_ s: String) -> [(name: String?, value: String?)]? {
        guard let m = try? regex.wholeMatch(in: s) else { return nil }
        var out: [(name: String?, value: String?)] = []
        for i in 0 ..< m.output.count {
            let g = m.output[i]
            out.append((g.name, g.substring.map(String.init)))
        }
        return out
    }

    /// Go's `Regexp.Expand`: `$1`, `${1}`, `$name`, `${name}`, `$$`; unknown groups expand to "".
    static func expand(_ template: String, groups: [(name: String?, value: String?)], names _: [String?]) -> String {
        var out = ""
        let t = Array(template.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
        }
        func lookup(_ name: String) -> String {
            if let n = Int(name), name.allSatisfy(\.isNumber) {
                return n < groups.count ? (groups[n].value ?? "") : ""
            }
            for g in groups where g.name == name { return g.value ?? "" }
            return ""
        }
        while i < t.count {
            let c = t[i]
            if c != "$" { out.unicodeScalars.append(c); i += 1; continue }
            i += 1
            guard i < t.count else { out += "$"; break }
            if t[i] == "$" { out += "$"; i += 1; continue }
            if t[i] == "{" {
                var j = i + 1
                var name = ""
                while j < t.count, isNameChar(t[j]) { name.unicodeScalars.append(t[j]); j += 1 }
                if j < t.count, t[j] == "}", !name.isEmpty {
                    out += lookup(name)
                    i = j + 1
                } else {
                    out += "$"
                }
                continue
            }
            var j = i
            var name = ""
            while j < t.count, isNameChar(t[j]) { name.unicodeScalars.append(t[j]); j += 1 }
            if name.isEmpty { out += "$"; continue }
            out += lookup(name)
            i = j
        }
        return out
    }
}
