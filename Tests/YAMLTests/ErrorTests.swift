import Testing
import YAML

/// Every syntax error names the exact line and column and says what went wrong.
@Suite struct ErrorTests {
    struct Case: Sendable, CustomStringConvertible {
        var input: String
        var line: Int
        var column: Int
        var message: String
        var description: String { input }
    }

    @Test(arguments: [
        // Tabs are not indentation.
        Case(input: "a:\n\tb: 1", line: 2, column: 1, message: "tab character where indentation is expected"),
        Case(input: "a:\n  b: 1\n  \tc: 2", line: 3, column: 3, message: "tab character where indentation is expected"),
        Case(input: "- a\n\t- b", line: 2, column: 1, message: "tab character where indentation is expected"),
        // Bad indentation.
        Case(input: "a:\n    b: 1\n  c: 2", line: 3, column: 3, message: "expected a mapping key"),
        Case(input: "a: b\n  c: d", line: 2, column: 4, message: "mapping values are not allowed"),
        Case(input: "a: 1\n b: 2", line: 2, column: 3, message: "mapping values are not allowed"),
        Case(input: "a:\n  - b\n c: d", line: 3, column: 2, message: "expected a mapping key"),
        Case(input: "groups:\n  - name: x\n    rules:\n      - alert: A\n        expr: up\n       for: 5m\n",
             line: 6, column: 8, message: "expected '-' for the next sequence item"),
        Case(input: "a: 1\nb\nc: 2", line: 2, column: 1, message: "could not find expected ':'"),
        Case(input: "a: 1\n- b", line: 2, column: 1, message: "expected a mapping key, found '-'"),
        Case(input: "- a\nb: 1", line: 2, column: 1, message: "expected '-' for the next sequence item"),
        Case(input: "a: b: c", line: 1, column: 5, message: "mapping values are not allowed"),
        Case(input: "key: - a", line: 1, column: 6, message: "block sequence entries are not allowed"),
        // Duplicate keys, as Go's yaml words it.
        Case(input: "a: 1\nb: 2\na: 3", line: 3, column: 1, message: "mapping key \"a\" already defined at line 1"),
        Case(input: "x:\n  'k': 1\n  k: 2", line: 3, column: 3, message: "mapping key \"k\" already defined at line 2"),
        Case(input: "{a: 1, a: 2}", line: 1, column: 8, message: "mapping key \"a\" already defined at line 1"),
        // Unterminated quotes and flow collections point at where they were opened.
        Case(input: "a: 'abc\nb: 1", line: 1, column: 4, message: "unterminated single-quoted scalar"),
        Case(input: "a: \"abc\nb: 1\n", line: 1, column: 4, message: "unterminated double-quoted scalar"),
        Case(input: "a: \"x\n---\ny\"", line: 1, column: 4, message: "unterminated double-quoted scalar"),
        Case(input: "a: \"ab\\", line: 1, column: 4, message: "unterminated double-quoted scalar"),
        // A flow collection left open swallows the next lines; the message names its start.
        Case(input: "a: [1, 2\nb: 3", line: 2, column: 2, message: "flow sequence started at line 1, column 4"),
        Case(input: "a: [1, 2\nb: 3]", line: 2, column: 2, message: "flow sequence started at line 1, column 4"),
        Case(input: "a: [1, 2\n", line: 1, column: 4, message: "unterminated flow sequence"),
        Case(input: "a: {b: [1]\n", line: 1, column: 4, message: "unterminated flow mapping"),
        Case(input: "a: [1\n---\n", line: 1, column: 4, message: "unterminated flow sequence"),
        Case(input: "a: [1, 2}", line: 1, column: 9, message: "where ']' was expected"),
        Case(input: "a: ]", line: 1, column: 4, message: "without a matching opening bracket"),
        Case(input: "[a,, b]", line: 1, column: 4, message: "expected a value, found ','"),
        Case(input: "{a: 1 b: 2}", line: 1, column: 8, message: "expected ',' or '}' in the flow mapping started at line 1, column 1"),
        Case(input: "[[a] b]", line: 1, column: 6, message: "expected ',' or ']'"),
        // Unexpected characters.
        Case(input: "a: @x", line: 1, column: 4, message: "found character '@' that cannot start any token"),
        Case(input: "a: `x`", line: 1, column: 4, message: "found character '`'"),
        Case(input: "a: 'x'y", line: 1, column: 7, message: "right after a quoted scalar"),
        Case(input: "a: , b", line: 1, column: 4, message: "',' outside a flow collection"),
        Case(input: "[- a]", line: 1, column: 2, message: "not allowed inside a flow collection"),
        Case(input: "a: &\nb: 1", line: 1, column: 4, message: "expected an anchor name"),
        Case(input: "a: |0\n  x", line: 1, column: 5, message: "indentation indicator"),
        Case(input: "a: |x\n  x", line: 1, column: 5, message: "after the block scalar header"),
        Case(input: "a: |\n    \n  x", line: 1, column: 4, message: "leading empty line"),
        Case(input: "a: &x &y 1", line: 1, column: 7, message: "only one anchor"),
        Case(input: "a: !x !y 1", line: 1, column: 7, message: "only one tag"),
        // Invalid escapes.
        Case(input: "a: \"\\q\"", line: 1, column: 5, message: "invalid escape sequence '\\q'"),
        Case(input: "a: \"x\\x4\"", line: 1, column: 6, message: "needs 2 hexadecimal digits"),
        Case(input: "a: \"\\uD800\"", line: 1, column: 5, message: "U+D800 is not a Unicode scalar value"),
        Case(input: "a: \"\\U00110000\"", line: 1, column: 5, message: "not a Unicode scalar value"),
        // Aliases and merge keys.
        Case(input: "a: *nope", line: 1, column: 4, message: "unknown anchor \"nope\""),
        Case(input: "a: &x [*x]", line: 1, column: 8, message: "unknown anchor \"x\""),
        Case(input: "<<: 1", line: 1, column: 5, message: "merge key '<<' needs a mapping"),
        Case(input: "m:\n  <<: [{a: 1}, 2]", line: 2, column: 16, message: "merge key '<<' needs a mapping"),
        // Content after a complete document.
        Case(input: "[a]\nb", line: 2, column: 1, message: "expected '---' before a new document"),
        Case(input: "\"a\"\nb: 1", line: 2, column: 1, message: "expected '---' before a new document"),
        // A top-level plain scalar continues on the next line, so the `:` comes too late.
        Case(input: "a\n---\nb\n--- c\nd: 1", line: 5, column: 2, message: "mapping values are not allowed"),
        // Control characters.
        Case(input: "a: b\u{7}c", line: 1, column: 5, message: "control character U+0007"),
        Case(input: "a:\n  b: \u{0}", line: 2, column: 6, message: "control character U+0000"),
        Case(input: "é: \u{85}x\u{9F}", line: 1, column: 6, message: "control character U+009F"),
        // Unsupported.
        Case(input: "? a\n: b", line: 1, column: 1, message: "unsupported: explicit mapping keys"),
        Case(input: "{? a: b}", line: 1, column: 2, message: "unsupported: explicit mapping keys"),
    ])
    func reports(_ c: Case) {
        do {
            let docs = try YAMLReader.documents(c.input, file: "bad.yml")
            Issue.record("expected an error, got \(docs.map(Rendering.render))")
        } catch {
            #expect(error.file == "bad.yml")
            #expect(error.mark == Mark(line: c.line, column: c.column), "\(error)")
            #expect(error.message.contains(c.message), "\(error)")
        }
    }

    @Test func descriptionIsFileLineColumnMessage() {
        let error = YAMLError(file: "p.yml", mark: Mark(line: 3, column: 7), message: "boom")
        #expect(error.description == "p.yml:3:7: boom")
    }

    @Test(arguments: [
        ([0x61, 0x3A, 0x20, 0xFF], 1, 4),               // a: <FF>
        ([0x61, 0x0A, 0x62, 0x3A, 0xC3], 2, 3),         // truncated 2-byte sequence
        ([0x61, 0x3A, 0x20, 0xC0, 0xAF], 1, 4),         // overlong '/'
        ([0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80], 1, 4),   // UTF-16 surrogate
        ([0xC3, 0xA9, 0x3A, 0x20, 0xF4, 0x90, 0x80, 0x80], 1, 4),  // beyond U+10FFFF, after 'é'
    ] as [([UInt8], Int, Int)])
    func rejectsInvalidUTF8(_ bytes: [UInt8], _ line: Int, _ column: Int) {
        do {
            _ = try YAMLReader.documents(bytes: bytes, file: "bin.yml")
            Issue.record("invalid UTF-8 accepted")
        } catch {
            #expect(error.mark == Mark(line: line, column: column))
            #expect(error.message.contains("invalid UTF-8"))
        }
    }

    @Test func acceptsBOMAndCRLFBytes() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb: é\r\n".utf8)
        let doc = try #require(try YAMLReader.document(bytes: bytes, file: "t"))
        #expect(Rendering.render(doc) == #"{"a": "1", "b": "é"}"#)
    }
}
