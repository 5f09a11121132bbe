import Testing
import YAML

/// Block mappings and sequences, empty values, comments and plain scalars.
@Suite struct BlockCollectionTests {
    @Test(arguments: [
        ("a: 1", #"{"a": "1"}"#),
        ("a: 1\nb: two words\n", #"{"a": "1", "b": "two words"}"#),
        ("a:\n  b:\n    c: d\n  e: f\ng: h", #"{"a": {"b": {"c": "d"}, "e": "f"}, "g": "h"}"#),
        ("- a\n- b\n", #"["a", "b"]"#),
        ("- - a\n  - b\n- c", #"[["a", "b"], "c"]"#),
        ("- a: 1\n  b: 2\n- c: 3", #"[{"a": "1", "b": "2"}, {"c": "3"}]"#),
        // A sequence at the same indentation as its key (the usual Prometheus layout).
        ("key:\n- a\n- b\nother: 1", #"{"key": ["a", "b"], "other": "1"}"#),
        ("key:\n  - a\n  - b\nother: 1", #"{"key": ["a", "b"], "other": "1"}"#),
        ("rules:\n- alert: X\n  expr: up\n- alert: Y", #"{"rules": [{"alert": "X", "expr": "up"}, {"alert": "Y"}]}"#),
        // Empty values are empty plain scalars, which YAMLNode.isNull reports as null.
        ("a:\nb: 1", #"{"a": "", "b": "1"}"#),
        ("a:", #"{"a": ""}"#),
        ("- \n- a\n-", #"["", "a", ""]"#),
        ("a: ~\nb: null", #"{"a": "~", "b": "null"}"#),
        // Comments.
        ("# head\na: 1 # trailing\n# between\nb: 2\n  # indented\n", #"{"a": "1", "b": "2"}"#),
        ("a: b#c", #"{"a": "b#c"}"#),
        ("a: b #c", #"{"a": "b"}"#),
        ("a: 'x' # c", #"{"a": "x"}"#),
        // Plain scalars: indicators inside, colons without a following space, URLs.
        ("url: http://example.com:9090/path", #"{"url": "http://example.com:9090/path"}"#),
        ("a: -1\nb: ?x\nc: :x", #"{"a": "-1", "b": "?x", "c": ":x"}"#),
        ("a: x: y", nil),
        // Unquoted Go templates are flow mappings (a mapping used as a key), not text.
        ("a: {{ $labels.instance }}", #"{"a": {{"$labels.instance": ""}: ""}}"#),
        ("expr: up{job=\"a\"} == 0", #"{"expr": "up{job=\"a\"} == 0"}"#),
        ("a: [x]y", nil),
        // Multi-line plain scalars fold: one break → space, an empty line → newline.
        ("a: one\n  two\n\n  three\n", #"{"a": "one two\nthree"}"#),
        ("- one\n  two", #"["one two"]"#),
        ("one\ntwo\n", #""one two""#),
        ("a: x   \n  y", #"{"a": "x y"}"#),
        // Keys may be quoted, and a key may have trailing spaces before the colon.
        ("\"a b\": 1\n'c': 2\nd  : 3", #"{"a b": "1", "c": "2", "d": "3"}"#),
        // Unicode keys and values; column counting is per Unicode scalar.
        ("ключ: значение", #"{"ключ": "значение"}"#),
        // CR LF and lone CR line breaks.
        ("a: 1\r\nb: 2\r\n", #"{"a": "1", "b": "2"}"#),
        ("a: 1\rb: 2", #"{"a": "1", "b": "2"}"#),
        // Tabs are fine as separators after indicators and inside values.
        ("a:\tb\nc: x\ty", #"{"a": "b", "c": "x\ty"}"#),
        // A flow collection or quoted scalar as a block mapping value.
        ("a: [1, 2]\nb: {c: d}", #"{"a": ["1", "2"], "b": {"c": "d"}}"#),
    ] as [(String, String?)])
    func parses(_ input: String, _ expected: String?) throws {
        if let expected {
            #expect(try Rendering.documents(input) == expected)
        } else {
            #expect(throws: YAMLError.self) { try Rendering.documents(input) }
        }
    }

    @Test func marksAreOneBasedLineAndColumn() throws {
        let doc = try #require(try YAMLReader.document("a:\n  b: [x, 'y']\n  é: z", file: "t"))
        let pairs = try #require(doc.pairs)
        #expect(doc.mark == Mark(line: 1, column: 1))
        #expect(pairs[0].key.mark == Mark(line: 1, column: 1))
        let inner = try #require(pairs[0].value.pairs)
        #expect(inner[0].key.mark == Mark(line: 2, column: 3))
        #expect(inner[0].value.mark == Mark(line: 2, column: 6))
        let items = try #require(inner[0].value.items)
        #expect(items[1].mark == Mark(line: 2, column: 10))
        #expect(inner[1].value.mark == Mark(line: 3, column: 6))
    }

    @Test func emptyValueIsNull() throws {
        let doc = try #require(try YAMLReader.document("a:\nb: ~\nc: ''\n", file: "t"))
        let pairs = try #require(doc.pairs)
        #expect(pairs[0].value.isNull)
        #expect(pairs[1].value.isNull)
        #expect(!pairs[2].value.isNull)
    }

    @Test func stylesAreReported() throws {
        let doc = try #require(try YAMLReader.document("- a\n- 'b'\n- \"c\"\n- |\n  d\n- >\n  e\n", file: "t"))
        let styles = try #require(doc.items).map { node -> ScalarStyle? in
            if case .scalar(_, let style) = node.kind { return style }
            return nil
        }
        #expect(styles == [.plain, .singleQuoted, .doubleQuoted, .literal, .folded])
    }
}
