import Testing
import YAML

/// Flow sequences and mappings (YAML 1.2 §7.4).
@Suite struct FlowCollectionTests {
    @Test(arguments: [
        ("[a, b]", #"["a", "b"]"#),
        ("[]", "[]"),
        ("{}", "{}"),
        ("[a, b, ]", #"["a", "b"]"#),
        ("{a: 1, b: 2,}", #"{"a": "1", "b": "2"}"#),
        ("{a: 1, b: [x, {y: z}]}", #"{"a": "1", "b": ["x", {"y": "z"}]}"#),
        ("[[1, 2], [3, [4]]]", #"[["1", "2"], ["3", ["4"]]]"#),
        ("[a,\n  b,\n  c\n]", #"["a", "b", "c"]"#),
        ("{\n  a: 1,\n  # comment\n  b: 2\n}", #"{"a": "1", "b": "2"}"#),
        ("['a, b', \"c]\"]", #"["a, b", "c]"]"#),
        ("{\"a\":1, 'b':2}", #"{"a": "1", "b": "2"}"#),
        ("{a: , b:}", #"{"a": "", "b": ""}"#),
        ("{a, b: c}", #"{"a": "", "b": "c"}"#),
        ("[a: 1, b]", #"[{"a": "1"}, "b"]"#),
        ("[http://x:1/y, a:b]", #"["http://x:1/y", "a:b"]"#),
        ("[multi\n  line, x]", #"["multi line", "x"]"#),
        ("[a#b, c #comment\n]", #"["a#b", "c"]"#),
        ("{a: [1,2],b: {c: d}}", #"{"a": ["1", "2"], "b": {"c": "d"}}"#),
        ("labels: {severity: warning, team: infra}", #"{"labels": {"severity": "warning", "team": "infra"}}"#),
        ("- [a, b]\n- {c: d}", #"[["a", "b"], {"c": "d"}]"#),
        ("[-1, -x, ?y]", #"["-1", "-x", "?y"]"#),
        ("key: [a,\n\tb]", #"{"key": ["a", "b"]}"#),
    ])
    func parses(_ input: String, _ expected: String) throws {
        #expect(try Rendering.documents(input) == expected)
    }
}
