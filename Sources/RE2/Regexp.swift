import Synchronization

/// A regular expression with Go's RE2 syntax and semantics, as Prometheus uses it: compiled
/// with `syntax.Perl` flags, matched leftmost-first over UTF-8 in time linear in the input.
///
/// Prometheus anchors its patterns itself (`^(?s:` + re + `)$`); pass the anchored form when
/// that is what is meant. Safe to share between threads.
package final class Regexp: Sendable {
    /// The expression as compiled.
    package let expr: String
    /// Names of the capture groups by number; "" for unnamed groups and for group 0.
    package let subexpNames: [String]
    private let prog: Program
    // Idle machines (their thread lists and DFA caches), for yes/no and for capturing runs.
    private let matchers = Mutex<[MachineBox]>([])
    private let capturers = Mutex<[MachineBox]>([])

    /// Compiles `expr` (Go's `regexp.Compile`).
    package init(_ expr: String) throws(SyntaxError) {
        self.expr = expr
        var parser = Parser(expr)
        let root = try parser.parse()
        subexpNames = parser.names
        prog = try Compiler.compile(root, captures: parser.names.count - 1)
    }

    /// Checks that `expr` parses (Go's `syntax.Parse(expr, syntax.Perl)`), without compiling.
    package static func validate(_ expr: String) throws(SyntaxError) {
        var parser = Parser(expr)
        _ = try parser.parse()
    }

    /// The number of capture groups.
    package var numSubexp: Int { subexpNames.count - 1 }

    /// Whether the expression matches somewhere in `text` (Go's `MatchString`).
    package func matches(_ text: String) -> Bool {
        run(text, captures: false) != nil
    }

    /// The byte ranges of the leftmost-first match and of each group (nil for groups that did
    /// not take part), or nil when there is no match (Go's `FindStringSubmatchIndex`).
    package func submatchRanges(_ text: String) -> [Range<Int>?]? {
        guard let slots = run(text, captures: true) else { return nil }
        var out: [Range<Int>?] = []
        out.reserveCapacity(slots.count / 2)
        for g in 0 ..< slots.count / 2 {
            let a = slots[2 * g], b = slots[2 * g + 1]
            out.append(a >= 0 && b >= a ? a ..< b : nil)
        }
        return out
    }

    /// The matched text of each group (nil for groups that did not take part), or nil.
    package func submatches(_ text: String) -> [Substring?]? {
        guard let ranges = submatchRanges(text) else { return nil }
        let utf8 = text.utf8
        return ranges.map { r in
            r.map { Substring(utf8[utf8.index(utf8.startIndex, offsetBy: $0.lowerBound) ..< utf8.index(utf8.startIndex, offsetBy: $0.upperBound)]) }
        }
    }

    private func run(_ text: String, captures: Bool) -> [Int]? {
        let box = (captures ? capturers.withLock { $0.popLast() } : matchers.withLock { $0.popLast() })
            ?? MachineBox(Machine(prog, captures: captures))
        var copy = text
        let result = copy.withUTF8 { box.machine.run($0) }
        if captures {
            capturers.withLock { if $0.count < 8 { $0.append(box) } }
        } else {
            matchers.withLock { if $0.count < 8 { $0.append(box) } }
        }
        return result
    }

    /// Go's `Regexp.Expand`: `template` with `$1`, `${1}`, `$name`, `${name}` replaced by the
    /// groups of `match` in `text`, and `$$` by `$`. A reference to a group that does not exist
    /// or did not take part expands to nothing; a malformed `$` stays as it is.
    package func expand(_ template: String, text: String, match: [Range<Int>?]) -> String {
        let src = Array(text.utf8)
        let t = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func append(_ r: Range<Int>?) {
            guard let r, r.upperBound <= src.count else { return }
            out.append(contentsOf: String(decoding: src[r], as: UTF8.self).unicodeScalars)
        }
        while i < t.count {
            let c = t[i]
            i += 1
            if c != "$" { out.append(c); continue }
            if i < t.count, t[i] == "$" { out.append("$"); i += 1; continue }
            // extract: a name of letters, digits and '_', optionally in braces.
            var j = i
            let brace = j < t.count && t[j] == "{"
            if brace { j += 1 }
            let nameStart = j
            while j < t.count, t[j] == "_" || t[j].properties.isAlphabetic || t[j].properties.numericType == .decimal {
                j += 1
            }
            if j == nameStart || (brace && (j >= t.count || t[j] != "}")) {
                out.append("$")
                continue
            }
            let name = String(String.UnicodeScalarView(t[nameStart ..< j]))
            i = brace ? j + 1 : j
            var num = 0
            for ch in name.unicodeScalars {
                guard ch >= "0", ch <= "9", num < 100_000_000 else { num = -1; break }
                num = num * 10 + Int(ch.value - 0x30)
            }
            if name.count > 1 && name.hasPrefix("0") { num = -1 }
            if num >= 0 {
                if num < match.count { append(match[num]) }
            } else {
                for (k, n) in subexpNames.enumerated() where n == name && k < match.count && match[k] != nil {
                    append(match[k])
                    break
                }
            }
        }
        return String(out)
    }
}

/// A machine owned by one caller at a time (taken from a pool, given back).
final class MachineBox: @unchecked Sendable {
    var machine: Machine
    init(_ machine: Machine) { self.machine = machine }
}
