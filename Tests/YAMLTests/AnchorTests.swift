import Testing
import YAML

/// Anchors, aliases, YAML 1.1 merge keys, tags, and the alias expansion limit.
@Suite struct AnchorTests {
    @Test(arguments: [
        ("a: &x 1\nb: *x", #"{"a": "1", "b": "1"}"#),
        ("a: &x {p: 1}\nb: *x", #"{"a": {"p": "1"}, "b": {"p": "1"}}"#),
        ("- &x [1, 2]\n- *x\n- *x", #"[["1", "2"], ["1", "2"], ["1", "2"]]"#),
        ("base: &b\n  x: 1\n  y: 2\nuse: *b", #"{"base": {"x": "1", "y": "2"}, "use": {"x": "1", "y": "2"}}"#),
        // A later anchor with the same name replaces the earlier one.
        ("- &a 1\n- *a\n- &a 2\n- *a", #"["1", "1", "2", "2"]"#),
        ("[&x a, *x]", #"["a", "a"]"#),
        // An anchor before an implicit key belongs to the key.
        ("&a key: *a", #"{"key": "key"}"#),
        ("a: &x\nb: *x", #"{"a": "", "b": ""}"#),
        // Merge keys: explicit keys win wherever they are written; the first source wins.
        ("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3", #"{"base": {"x": "1", "y": "2"}, "m": {"x": "1", "y": "3"}}"#),
        ("base: &b {x: 1, y: 2}\nm:\n  y: 3\n  <<: *b", #"{"base": {"x": "1", "y": "2"}, "m": {"y": "3", "x": "1"}}"#),
        ("a: &a {x: 1}\nb: &b {x: 2, z: 2}\nm:\n  <<: [*a, *b]\n  w: 0",
         #"{"a": {"x": "1"}, "b": {"x": "2", "z": "2"}, "m": {"x": "1", "z": "2", "w": "0"}}"#),
        ("m:\n  <<: {x: 1}\n  y: 2", #"{"m": {"x": "1", "y": "2"}}"#),
        // A quoted "<<" is an ordinary key.
        ("m: {'<<': 1}", #"{"m": {"<<": "1"}}"#),
        // Tags are kept as written.
        ("a: !!str 1\nb: !custom {x: 1}\nc: !!binary aGk=\nd: !<tag:yaml.org,2002:int> 3",
         #"{"a": !!str "1", "b": !custom {"x": "1"}, "c": !!binary "aGk=", "d": !<tag:yaml.org,2002:int> "3"}"#),
        ("- !!str\n- !t &a x\n- *a", #"[!!str "", !t "x", !t "x"]"#),
        ("[!!int 1, !x {a: b}]", #"[!!int "1", !x {"a": "b"}]"#),
    ] as [(String, String?)])
    func parses(_ input: String, _ expected: String?) throws {
        if let expected {
            #expect(try Rendering.documents(input) == expected)
        } else {
            #expect(throws: YAMLError.self) { try Rendering.documents(input) }
        }
    }

    @Test func aliasKeepsItsOwnMark() throws {
        let doc = try #require(try YAMLReader.document("a: &x [1]\nb: *x", file: "t"))
        let pairs = try #require(doc.pairs)
        #expect(pairs[0].value.mark == Mark(line: 1, column: 4))
        #expect(pairs[1].value.mark == Mark(line: 2, column: 4))
    }

    @Test func billionLaughsIsRejected() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        do {
            _ = try YAMLReader.documents(text, file: "bomb.yml")
            Issue.record("an alias bomb was accepted")
        } catch {
            #expect(error.message.contains("expand to more than \(YAMLReader.maxExpandedNodes) nodes"))
        }
    }

    @Test func moderateAliasUseIsFine() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...4 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        #expect(try YAMLReader.documents(text, file: "t").count == 1)
    }
}
