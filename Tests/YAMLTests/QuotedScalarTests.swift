import Testing
import YAML

/// Single- and double-quoted scalars: escapes and line folding (YAML 1.2 §5.7, §7.3).
@Suite struct QuotedScalarTests {
    @Test(arguments: [
        (#"'it''s'"#, "it's"),
        (#"''"#, ""),
        (#"'a\nb'"#, #"a\nb"#),
        ("'one\n  two'", "one two"),
        ("'one  \n\n  two  '", "one\ntwo  "),
        ("'a\n\n\n b'", "a\n\nb"),
        ("'# not a comment'", "# not a comment"),
        ("\"\"", ""),
        (#""a\"b""#, "a\"b"),
        (#""\\ \/ \0 \a \b \e \f \r \v""#, "\\ / \u{0} \u{7} \u{8} \u{1B} \u{C} \r \u{B}"),
        ("\"\\t\\\t\\n\"", "\t\t\n"),
        (#""\N\_\L\P""#, "\u{85}\u{A0}\u{2028}\u{2029}"),
        (#""\x41\u00e9\U0001F600""#, "Aé😀"),
        (#""\ x""#, " x"),
        ("\"one\n  two\"", "one two"),
        ("\"one \\\n  two\"", "one two"),
        ("\"one\\\n  two\"", "onetwo"),
        ("\"one \\\n\n  two\"", "one \ntwo"),
        ("\"a\n\n  b\"", "a\nb"),
        ("\"a \t\n b\"", "a b"),
        ("\"quotes \\\" and backslash \\\\ and newline \\n and 日本語\"", "quotes \" and backslash \\ and newline \n and 日本語"),
    ] as [(String, String)])
    func decodes(_ input: String, _ expected: String) throws {
        let node = try #require(try YAMLReader.document(input, file: "t"))
        #expect(node.scalar == expected)
    }

    @Test func quotedScalarsAreNotResolved() throws {
        let node = try #require(try YAMLReader.document("- 'null'\n- \"~\"\n- ''", file: "t"))
        #expect(try #require(node.items).allSatisfy { !$0.isNull })
    }
}
