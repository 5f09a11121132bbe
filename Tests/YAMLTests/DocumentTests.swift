import Testing
import YAML

/// Streams of documents, markers and directives (YAML 1.2 chapter 9).
@Suite struct DocumentTests {
    @Test(arguments: [
        ("", 0, ""),
        ("\n\n", 0, ""),
        ("# only a comment\n# and another\n", 0, ""),
        ("a: 1", 1, #"{"a": "1"}"#),
        ("---\na: 1", 1, #"{"a": "1"}"#),
        ("--- a", 1, #""a""#),
        ("---", 1, #""""#),
        ("---\n---\n", 2, #""" | """#),
        ("a: 1\n---\nb: 2\n", 2, #"{"a": "1"} | {"b": "2"}"#),
        ("a: 1\n...\n---\nb: 2\n...\n", 2, #"{"a": "1"} | {"b": "2"}"#),
        ("a: 1\n...\nb: 2\n", 2, #"{"a": "1"} | {"b": "2"}"#),
        ("%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\na: 1", 1, #"{"a": "1"}"#),
        ("--- [1, 2]\n--- {a: b}\n--- |\n  text\n", 3, #"["1", "2"] | {"a": "b"} | "text\n""#),
        ("\u{FEFF}a: 1", 1, #"{"a": "1"}"#),
        ("...\n", 0, ""),
        ("--- # comment\na: 1\n", 1, #"{"a": "1"}"#),
        ("a: ---x\nb: ...", 1, #"{"a": "---x", "b": "..."}"#),
    ] as [(String, Int, String)])
    func parses(_ input: String, _ count: Int, _ expected: String) throws {
        let docs = try YAMLReader.documents(input, file: "t")
        #expect(docs.count == count)
        #expect(docs.map(Rendering.render).joined(separator: " | ") == expected)
    }

    @Test func singleDocumentEntryPoint() throws {
        #expect(try YAMLReader.document("", file: "t") == nil)
        #expect(try YAMLReader.document("a", file: "t")?.scalar == "a")
        #expect(throws: YAMLError.self) { try YAMLReader.document("a\n---\nb", file: "t") }
    }

    @Test func anchorsDoNotCrossDocuments() {
        #expect(throws: YAMLError.self) { try YAMLReader.documents("a: &x 1\n---\nb: *x", file: "t") }
    }
}
