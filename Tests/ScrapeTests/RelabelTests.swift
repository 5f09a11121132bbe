import Testing
import Config
import Model
import Scrape

/// A rule built the way a config file would spell it.
func rule(_ action: RelabelAction, source: [String]? = nil, separator: String = ";", regex: String? = nil,
          target: String = "", replacement: String = "$1", modulus: UInt64 = 0) -> RelabelConfig {
    var c = RelabelConfig()
    c.action = action
    c.sourceLabels = source
    c.separator = separator
    if let regex { c.regex = regex; c.regexIsExplicit = true }
    c.targetLabel = target
    c.replacement = replacement
    c.modulus = modulus
    return c
}

@Suite struct RelabelTests {
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var input: Labels
        var rules: [RelabelConfig]
        /// nil: the set is dropped.
        var want: Labels?
        var scheme: NameValidationScheme = .utf8
        var description: String { name }
    }

    static let abc: Labels = ["a": "foo", "b": "bar", "c": "baz"]

    static let replace: [Case] = [
        .init(name: "group into target", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "f(.*)", target: "d", replacement: "ch${1}-ch${1}")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "choo-choo"]),
        .init(name: "joined sources", input: abc,
              rules: [rule(.replace, source: ["a", "b"], regex: "f(.*);(.*)r", target: "a", replacement: "b${1}${2}m")],
              want: ["a": "boobam", "b": "bar", "c": "baz"]),
        .init(name: "custom separator", input: abc,
              rules: [rule(.replace, source: ["a", "b"], separator: "/", target: "d")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "foo/bar"]),
        .init(name: "no match leaves the set", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "x(.*)", target: "d")], want: abc),
        .init(name: "regex is anchored at both ends", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "o+", target: "d", replacement: "hit")], want: abc),
        .init(name: "alternation stays inside the anchors", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "f|foo", target: "d", replacement: "hit")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "hit"]),
        .init(name: "dot matches a line break", input: ["a": "x\ny"],
              rules: [rule(.replace, source: ["a"], regex: "x.y", target: "d", replacement: "hit")],
              want: ["a": "x\ny", "d": "hit"]),
        .init(name: "no match before a trailing line break (RE2's $)", input: ["a": "foo\n"],
              rules: [rule(.replace, source: ["a"], regex: "fo+", target: "d", replacement: "hit")],
              want: ["a": "foo\n"]),
        .init(name: "empty result deletes the target", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)oo", target: "b", replacement: "${2}")],
              want: ["a": "foo", "c": "baz"]),
        .init(name: "missing source with a static replacement sets it", input: abc,
              rules: [rule(.replace, source: ["nope"], target: "d", replacement: "static")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "static"]),
        .init(name: "no source labels sets a static label", input: abc,
              rules: [rule(.replace, target: "cluster", replacement: "dev")],
              want: ["a": "foo", "b": "bar", "c": "baz", "cluster": "dev"]),
        .init(name: "missing source with $1 deletes the target", input: abc,
              rules: [rule(.replace, source: ["nope"], target: "a")],
              want: ["b": "bar", "c": "baz"]),
        .init(name: "target from a group", input: ["a": "newname"],
              rules: [rule(.replace, source: ["a"], regex: "(.*)", target: "${1}", replacement: "v")],
              want: ["a": "newname", "newname": "v"]),
        .init(name: "invalid expanded target is skipped (legacy)", input: ["a": "1bad"],
              rules: [rule(.replace, source: ["a"], target: "$1", replacement: "v")],
              want: ["a": "1bad"], scheme: .legacy),
        .init(name: "any non-empty target is valid (utf8)", input: ["a": "1bad"],
              rules: [rule(.replace, source: ["a"], target: "$1", replacement: "v")],
              want: ["a": "1bad", "1bad": "v"]),
        .init(name: "empty expanded target is skipped", input: ["a": "x"],
              rules: [rule(.replace, source: ["a"], regex: "(x)(y)?", target: "$2", replacement: "v")],
              want: ["a": "x"]),
        .init(name: "$1x is the group named 1x", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)(o)o", target: "d", replacement: "$1x")],
              want: abc),
        .init(name: "${1}x is group 1 then x", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)(o)o", target: "d", replacement: "${1}x")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "fx"]),
        .init(name: "$$ is a dollar", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)oo", target: "d", replacement: "$$1 costs $$")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "$1 costs $"]),
        .init(name: "a lone or unclosed $ is literal", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)oo", target: "d", replacement: "a$ ${1 $-")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "a$ ${1 $-"]),
        .init(name: "named groups, both spellings", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(?P<first>f)(?<second>o)o", target: "d", replacement: "$first-${second}-$2")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "f-o-o"]),
        .init(name: "leading zero makes a name", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)oo", target: "d", replacement: "[$01]")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "[]"]),
        .init(name: "$0 is the whole match", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "f.o", target: "d", replacement: "<$0>")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "<foo>"]),
        .init(name: "unicode letters belong to a name", input: abc,
              rules: [rule(.replace, source: ["a"], regex: "(f)oo", target: "d", replacement: "${1}é$1é")],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "fé"]),
        .init(name: "groups inside character classes and escapes do not count", input: ["a": "(x)"],
              rules: [rule(.replace, source: ["a"], regex: #"[(]\(?(?<n>x)\)"#, target: "d", replacement: "$n$1")],
              want: ["a": "(x)", "d": "xx"]),
        .init(name: "RE2's one-letter Unicode classes", input: ["a": "éx1"],
              rules: [rule(.replace, source: ["a"], regex: #"(\pL+)\PL"#, target: "d", replacement: "$1")],
              want: ["a": "éx1", "d": "éx"]),
    ]

    static let filters: [Case] = [
        .init(name: "keep on match", input: abc, rules: [rule(.keep, source: ["a"], regex: "f.*")], want: abc),
        .init(name: "keep drops a non-match", input: abc, rules: [rule(.keep, source: ["a"], regex: "o.*")], want: nil),
        .init(name: "keep is anchored", input: abc, rules: [rule(.keep, source: ["a"], regex: "fo")], want: nil),
        .init(name: "keep of a missing label matches the empty string", input: abc,
              rules: [rule(.keep, source: ["nope"], regex: "")], want: abc),
        .init(name: "drop on match", input: abc, rules: [rule(.drop, source: ["a", "b"], regex: "foo;bar")], want: nil),
        .init(name: "drop keeps a non-match", input: abc, rules: [rule(.drop, source: ["a"], regex: "bar")], want: abc),
        .init(name: "drop with the default regex drops everything", input: abc, rules: [rule(.drop, source: ["a"])], want: nil),
        .init(name: "keepequal keeps equal", input: ["a": "x", "b": "x"], rules: [rule(.keepequal, source: ["a"], target: "b")], want: ["a": "x", "b": "x"]),
        .init(name: "keepequal drops unequal", input: ["a": "x", "b": "y"], rules: [rule(.keepequal, source: ["a"], target: "b")], want: nil),
        .init(name: "keepequal: both missing are equal", input: abc, rules: [rule(.keepequal, source: ["x"], target: "y")], want: abc),
        .init(name: "dropequal drops equal", input: ["a": "x", "b": "x"], rules: [rule(.dropequal, source: ["a"], target: "b")], want: nil),
        .init(name: "dropequal keeps unequal", input: ["a": "x", "b": "y"], rules: [rule(.dropequal, source: ["a"], target: "b")], want: ["a": "x", "b": "y"]),
        .init(name: "processing stops at the first drop", input: abc,
              rules: [rule(.drop, source: ["a"], regex: "foo"), rule(.replace, target: "x", replacement: "y")], want: nil),
    ]

    static let others: [Case] = [
        .init(name: "hashmod", input: abc, rules: [rule(.hashmod, source: ["c"], target: "d", modulus: 1000)],
              want: ["a": "foo", "b": "bar", "c": "baz", "d": "976"]),
        .init(name: "hashmod of a line break", input: ["a": "foo\nbar"], rules: [rule(.hashmod, source: ["a"], target: "b", modulus: 1000)],
              want: ["a": "foo\nbar", "b": "734"]),
        .init(name: "hashmod then keep a shard", input: ["__address__": "10.132.183.40:80"],
              rules: [rule(.hashmod, source: ["__address__"], target: "__tmp_hash", modulus: 3),
                      rule(.keep, source: ["__tmp_hash"], regex: "^1$")],
              want: ["__address__": "10.132.183.40:80", "__tmp_hash": "1"]),
        .init(name: "labelmap", input: ["a": "foo", "b1": "bar", "b2": "baz"],
              rules: [rule(.labelmap, regex: "(b.*)", replacement: "bar_${1}")],
              want: ["a": "foo", "b1": "bar", "b2": "baz", "bar_b1": "bar", "bar_b2": "baz"]),
        .init(name: "labelmap of meta labels", input: ["__meta_x": "1", "__meta_y_z": "2", "job": "j"],
              rules: [rule(.labelmap, regex: "__meta_(.+)")],
              want: ["__meta_x": "1", "__meta_y_z": "2", "job": "j", "x": "1", "y_z": "2"]),
        .init(name: "labelmap is anchored", input: ["ab": "1"], rules: [rule(.labelmap, regex: "b", replacement: "c")], want: ["ab": "1"]),
        .init(name: "labelmap overwrites; the later source wins", input: ["x_a": "1", "y_a": "2"],
              rules: [rule(.labelmap, regex: "[xy]_(.*)")],
              want: ["x_a": "1", "y_a": "2", "a": "2"]),
        .init(name: "labelmap sees labels added earlier, after the base", input: ["z_a": "base"],
              rules: [rule(.replace, target: "b_a", replacement: "added"), rule(.labelmap, regex: "[bz]_(.*)")],
              want: ["z_a": "base", "b_a": "added", "a": "added"]),
        .init(name: "labeldrop", input: ["a": "foo", "b1": "bar", "b2": "baz"], rules: [rule(.labeldrop, regex: "b.*")], want: ["a": "foo"]),
        .init(name: "labeldrop is anchored", input: ["a": "foo", "b1": "bar"], rules: [rule(.labeldrop, regex: "b")], want: ["a": "foo", "b1": "bar"]),
        .init(name: "labelkeep", input: ["a": "foo", "b1": "bar", "c": "baz"], rules: [rule(.labelkeep, regex: "(b.*)|a")], want: ["a": "foo", "b1": "bar"]),
        .init(name: "lowercase", input: ["a": "FoO", "b": "İSTANBUL straße"],
              rules: [rule(.lowercase, source: ["a"], target: "a"), rule(.lowercase, source: ["b"], target: "c")],
              want: ["a": "foo", "b": "İSTANBUL straße", "c": "istanbul straße"]),
        .init(name: "uppercase maps code points one to one", input: ["a": "straße", "b": "foo"],
              rules: [rule(.uppercase, source: ["a"], target: "a"), rule(.uppercase, source: ["a", "b"], separator: "-", target: "c")],
              want: ["a": "STRAßE", "b": "foo", "c": "STRAßE-FOO"]),
        .init(name: "lowercase of nothing deletes the target", input: ["a": "X"], rules: [rule(.lowercase, source: ["nope"], target: "a")], want: [:]),
    ]

    @Test(arguments: replace + filters + others)
    func relabel(_ c: Case) throws {
        let relabeler = try Relabeler(c.rules, scheme: c.scheme)
        #expect(relabeler.process(c.input) == c.want)
    }

    @Test func noRulesOrNoChangeReturnsTheSetAsIs() throws {
        let l: Labels = ["a": "1", "b": "2"]
        #expect(try Relabeler([]).process(l) == l)
        var b = RelabelBuilder(l)
        let relabeler = try Relabeler([rule(.keep, source: ["a"], regex: "1"), rule(.labeldrop, regex: "zzz")])
        #expect(relabeler.process(&b))
        #expect(!b.isModified)
    }

    @Test func invalidRegexIsReported() {
        #expect(throws: ScrapeError.invalidRegex("error parsing regexp: missing closing ): `^(?s:a(b)$`")) { try Relabeler([rule(.keep, source: ["a"], regex: "a(b")]) }
    }

    @Test func builderFollowsPrometheusSemantics() {
        var b = RelabelBuilder(["a": "1", "b": "2"])
        b.set("c", "3")
        b.delete("a")
        b.set("a", "again")     // an addition wins over the earlier deletion
        b.set("b", "")          // empty deletes
        #expect(b.get("a") == "again" && b.get("b") == "" && b.get("c") == "3")
        #expect(b.snapshot().map(\.name) == ["c", "a"])
        #expect(b.labels() == ["a": "again", "c": "3"])
    }
}
