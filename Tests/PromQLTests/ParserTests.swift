import Foundation
import Testing
import PromQL
import TestSupport

@Suite struct ParserTests {
    /// Query → Prometheus' canonical `String()` rendering.
    @Test(arguments: [
        ("1", "1"),
        ("-1", "-1"),
        ("+1", "1"),
        ("1e3", "1000"),
        ("0x1F", "31"),
        ("1_000", "1000"),
        (".5", "0.5"),
        ("Inf", "+Inf"),
        ("-inf", "-Inf"),
        ("NaN", "NaN"),
        ("5m", "5m"),
        ("1h30m", "1h30m"),
        ("\"a\\nb\"", "\"a\\nb\""),
        ("'single'", "\"single\""),
        ("`raw\\n`", "\"raw\\\\n\""),
        ("foo", "foo"),
        ("foo{}", "foo"),
        ("foo{a=\"b\"}", "foo{a=\"b\"}"),
        ("foo{b!=\"x\", a=~\"y.*\", c!~'z'}", "foo{a=~\"y.*\",b!=\"x\",c!~\"z\"}"),
        ("{__name__=\"foo\"}", "{__name__=\"foo\"}"),
        ("{\"my.metric\", \"a.b\"=\"c\"}", "{\"a.b\"=\"c\",__name__=\"my.metric\"}"),
        ("foo[5m]", "foo[5m]"),
        ("foo[90s]", "foo[1m30s]"),
        ("foo[300]", "foo[5m]"),
        ("foo offset 5m", "foo offset 5m"),
        ("foo offset -5m", "foo offset -5m"),
        ("foo[5m] offset 1h", "foo[5m] offset 1h"),
        ("foo @ 100", "foo @ 100.000"),
        ("foo @ 1.5", "foo @ 1.500"),
        ("foo @ start()", "foo @ start()"),
        ("foo[5m] @ end() offset 1m", "foo[5m] @ end() offset 1m"),
        ("foo offset 1m @ 10", "foo @ 10.000 offset 1m"),
        ("rate(foo[5m])[30m:1m]", "rate(foo[5m])[30m:1m]"),
        ("foo[30m:]", "foo[30m:]"),
        ("(foo)[5m:] offset 1m", "(foo)[5m:] offset 1m"),
        ("a + b * c", "a + b * c"),
        ("(a + b) * c", "(a + b) * c"),
        ("a ^ b ^ c", "a ^ b ^ c"),
        ("-a ^ 2", "-a ^ 2"),
        ("a == bool b", "a == bool b"),
        ("a > on(x, y) group_left(z) b", "a > on (x, y) group_left (z) b"),
        ("a / ignoring(x) group_right b", "a / ignoring (x) group_right () b"),
        ("a and on() b", "a and on () b"),
        ("a or b unless c", "a or b unless c"),
        ("a atan2 b", "a atan2 b"),
        ("sum(foo)", "sum(foo)"),
        ("sum by (job) (foo)", "sum by (job) (foo)"),
        ("sum(foo) by (job, \"a.b\")", "sum by (job, \"a.b\") (foo)"),
        ("avg without (instance) (foo)", "avg without (instance) (foo)"),
        ("topk(3, foo)", "topk(3, foo)"),
        ("count_values(\"v\", foo)", "count_values(\"v\", foo)"),
        ("quantile(0.9, foo)", "quantile(0.9, foo)"),
        ("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")"),
        ("histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", "histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))"),
        ("time()", "time()"),
        ("sum # comment\n(foo)", "sum(foo)"),
        ("by", "by"),
        ("sum", "sum"),
        ("on{a=\"b\"}", "on{a=\"b\"}"),
        ("foo:bar:rate5m", "foo:bar:rate5m"),
    ])
    func formats(_ query: String, _ want: String) throws {
        let e = try PromQLParser.parse(query)
        #expect(Printer.format(e) == want)
        let again = try PromQLParser.parse(Printer.format(e))
        #expect(again == e)
    }

    /// Query → Prometheus' error text (position and message).
    @Test(arguments: [
        ("", "unknown position: parse error: no expression found in input"),
        ("(1))", "1:5: parse error: unexpected right parenthesis ')'"),
        ("foo{", "1:5: parse error: unexpected end of input inside braces"),
        ("(foo", "1:5: parse error: unclosed left parenthesis"),
        ("foo)", "1:5: parse error: unexpected right parenthesis ')'"),
        ("foo]", "1:4: parse error: unexpected right bracket ']'"),
        ("\"abc", "1:1: parse error: unterminated quoted string"),
        ("foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\""),
        ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        ("{a=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher"),
        ("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\""),
        ("1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"),
        ("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"),
        ("1 and foo", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"),
        ("foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"),
        ("rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"),
        ("rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"),
        ("nosuchfn(foo)", "1:1: parse error: unknown function with name \"nosuchfn\""),
        ("sum(foo, bar)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"),
        ("topk(foo)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"),
        ("sum()", "1:1: parse error: no arguments for aggregate expression provided"),
        ("(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"),
        ("foo offset 5m[5m]", "1:14: parse error: no offset modifiers allowed before range"),
        ("sum(foo) offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery"),
        ("foo offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times"),
        ("foo[5m][1m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"),
        ("foo[0s]", "1:5: parse error: duration must be greater than 0"),
        ("1.5h", "1:1: parse error: not a valid duration string: \"1.5h\""),
        ("foo[5m:1m:]", "1:10: parse error: unexpected colon ':'"),
        ("foo{a=~\"(\"}", nil),
        ("-\"a\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""),
        ("foo bar", "1:5: parse error: unexpected identifier \"bar\""),
        ("rate(foo[5m],)", "1:13: parse error: trailing commas not allowed in function call args"),
        ("limitk(1, foo)", "1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions"),
        ("a + on(x) group_left(x) b", "1:3: parse error: label \"x\" must not occur in ON and GROUP clause at once"),
        ("a and on(x) group_left b", "1:1: parse error: no grouping allowed for \"and\" operation"),
        ("foo\n  + bar baz", "2:9: parse error: unexpected identifier \"baz\""),
    ] as [(String, String?)])
    func rejects(_ query: String, _ want: String?) {
        do {
            _ = try PromQLParser.parse(query)
            Issue.record("parsed: \(query)")
        } catch {
            if let want { #expect(error.description == want, "\(query)") }
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(throws: PromQLError.self) { try PromQLParser.parse(deep) }
        let chain = (0 ..< 5000).map { "a\($0)" }.joined(separator: " + ")
        #expect(throws: PromQLError.self) { try PromQLParser.parse(chain) }
        let unary = String(repeating: "-", count: 5000) + "foo"
        #expect(throws: PromQLError.self) { try PromQLParser.parse(unary) }
    }

    @Test func hostileInputDoesNotCrash() {
        let inputs = ["{", "}", "[", "]", "@", "offset", "foo @", "foo offset", "foo[", "foo[5m", "foo[5m:", "\\", "\u{0}",
                      "\"\\", "'\\x", "`", "0x", "1e", "1_", "foo{a", "foo{a=", "foo{a=\"b\",,}", "sum by", "sum by (", "a +",
                      "(((", ")))", "foo[5m] @ start(", "\u{FFFF}", "x{\"\\uD800\"}", "1 ^ ^ 2", "foo[-5m]", "foo offset 1e400"]
        for s in inputs { _ = try? PromQLParser.parse(s) }
    }

    /// Every query of the promqltest scripts parses (unless its file is skipped) and survives a
    /// print → parse round trip.
    @Test func scriptQueriesRoundTrip() throws {
        guard let dir = TestData.directory("promql") else { return }
        let manifest = Manifest.load(dir)
        var checked = 0
        for url in TestData.files(in: dir, suffix: ".test") {
            let name = url.lastPathComponent
            if manifest.skipWhole[name] ?? false { continue }
            let flagged = manifest.flagged[name] ?? []
            let lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
            for (i, raw) in lines.enumerated() {
                let line = raw.trimmingCharacters(in: .whitespaces)
                guard line.hasPrefix("eval"), !flagged.contains(i + 1) else { continue }
                let query: String
                if let m = line.wholeMatch(of: /^eval(?:_\w+)?\s+instant\s+at\s+\S+\s+(.+)$/) {
                    query = String(m.1)
                } else if let m = line.wholeMatch(of: /^eval(?:_\w+)?\s+range\s+from\s+\S+\s+to\s+\S+\s+step\s+\S+\s+(.+)$/) {
                    query = String(m.1)
                } else { continue }
                let e = try PromQLParser.parse(query)
                let printed = Printer.format(e)
                let again = try PromQLParser.parse(printed)
                #expect(again == e, "\(name):\(i + 1): \(query) → \(printed)")
                #expect(Printer.format(again) == printed)
                checked += 1
            }
        }
        #expect(checked > 500)
    }

    /// Every `expr:` of the rule corpus (Awesome Prometheus Alerts) parses and round-trips.
    @Test func ruleCorpusExpressionsParse() throws {
        guard let dir = TestData.directory("rules/awesome") else { return }
        var files: [URL] = []
        if let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) {
            for case let url as URL in e where url.pathExtension == "yml" { files.append(url) }
        }
        var count = 0
        for url in files.sorted(by: { $0.path < $1.path }) {
            let text = try String(contentsOf: url, encoding: .utf8)
            for expr in RuleExprReader.expressions(in: text) {
                do {
                    let e = try PromQLParser.parse(expr)
                    let again = try PromQLParser.parse(Printer.format(e))
                    #expect(again == e, "\(url.lastPathComponent): \(expr)")
                } catch {
                    Issue.record("\(url.lastPathComponent): \(expr): \(error)")
                }
                count += 1
            }
        }
        #expect(count == 954)
    }
}

/// Pulls `expr:` values out of rule files line by line: single- and double-quoted flow
/// scalars (possibly spanning lines), plain scalars and `|`/`>` block scalars.
enum RuleExprReader {
    static func expressions(in text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        var out: [String] = []
        var i = 0
        while i < lines.count {
            let line = lines[i]
            guard let r = line.range(of: "expr:"), line[..<r.lowerBound].allSatisfy({ $0 == " " || $0 == "-" }) else { i += 1; continue }
            let indent = line.prefix { $0 == " " }.count
            var value = line[r.upperBound...].trimmingCharacters(in: .whitespaces)
            i += 1
            if value.hasPrefix("|") || value.hasPrefix(">") {
                let folded = value.hasPrefix(">")
                var block: [String] = []
                while i < lines.count, lines[i].trimmingCharacters(in: .whitespaces).isEmpty || lines[i].prefix(while: { $0 == " " }).count > indent {
                    block.append(lines[i].trimmingCharacters(in: .whitespaces))
                    i += 1
                }
                out.append(block.joined(separator: folded ? " " : "\n").trimmingCharacters(in: .whitespacesAndNewlines))
                continue
            }
            if let q = value.first, q == "'" || q == "\"" {
                while !(value.count >= 2 && value.hasSuffix(String(q)) && !(q == "'" && value.hasSuffix("''") && !value.dropLast(2).hasSuffix("'") && value.count > 2 && false)), i < lines.count {
                    value += " " + lines[i].trimmingCharacters(in: .whitespaces)
                    i += 1
                }
                var inner = String(value.dropFirst().dropLast())
                if q == "'" { inner = inner.replacingOccurrences(of: "''", with: "'") }
                else { inner = inner.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\") }
                out.append(inner)
                continue
            }
            out.append(value)
        }
        return out
    }
}
