import Testing
@testable import RE2

/// Go's `regexp` behaviour, one case per line: what Prometheus does with the same pattern.
@Suite struct RE2MatchTests {
    struct Case: CustomStringConvertible, Sendable {
        let pattern: String
        let input: String
        let matches: Bool
        var description: String { "\(pattern) ~ \(input.debugDescription)" }
    }

    /// Prometheus anchors label matchers and relabel regexes as `^(?s:re)$`.
    static func anchored(_ re: String, _ input: String, _ matches: Bool) -> Case {
        Case(pattern: "^(?s:" + re + ")$", input: input, matches: matches)
    }

    static let cases: [Case] = [
        anchored("a.c", "a\nc", true),
        Case(pattern: "^(?:a.c)$", input: "a\nc", matches: false),
        anchored("fo+", "foo\n", false),
        anchored("fo+", "foo", true),
        anchored("a", "ab", false),
        anchored(#"\d+"#, "123", true),
        anchored(#"\d+"#, "٣", false),
        anchored(#"\w+"#, "é", false),
        anchored(#"\s"#, "\u{0B}", false),
        anchored(#"\S+"#, "abc", true),
        anchored(#"[^a]"#, "\n", true),
        anchored("(?i)abc", "AbC", true),
        anchored("(?i:a)b", "Ab", true),
        anchored("(?i:a)b", "AB", false),
        anchored("(?i)straße", "STRAẞE", true),
        anchored("(?i)k", "\u{212A}", true),
        anchored("(?i)[a-c]+", "ABCabc", true),
        anchored("[[:alpha:]]+", "abcXYZ", true),
        anchored("[[:alpha:]]+", "ab1", false),
        anchored("[[:^digit:]]+", "ab", true),
        anchored(#"\pL+"#, "héllo", true),
        anchored(#"\pL+"#, "h3", false),
        anchored(#"\p{Lu}"#, "A", true),
        anchored(#"\p{Lu}"#, "a", false),
        anchored(#"\PL"#, "1", true),
        anchored(#"\p{^L}"#, "a", false),
        anchored(#"[\p{N}x]+"#, "x1٣", true),
        anchored("a{2,3}", "aaaa", false),
        anchored("a{2,3}", "aaa", true),
        anchored("a{2,}", "aaaaaaa", true),
        anchored("a{2}", "a", false),
        anchored("a{,2}", "a{,2}", true),
        anchored("a{", "a{", true),
        anchored("x{01}", "x{01}", true),
        anchored(#"\x41\x{42}\103\0"#, "ABC\u{0}", true),
        anchored(#"\Qa.b\E"#, "a.b", true),
        anchored(#"\Qa.b\E"#, "axb", false),
        Case(pattern: #"\Qa.b"#, input: "xa.b", matches: true),
        anchored(#"[]a]+"#, "]a]", true),
        anchored(#"[a-]+"#, "a-", true),
        anchored(#"[\]\\]+"#, #"]\"#, true),
        anchored(#"\.\-\/"#, ".-/", true),
        anchored("a|b|cd", "cd", true),
        anchored("a|b|cd", "c", false),
        anchored("", "", true),
        anchored("", "x", false),
        anchored(".*", "", true),
        anchored(".*", "anything\nat all", true),
        anchored(".+", "", false),
        anchored("(?U)a+", "aaa", true),
        anchored("(?-s:.)", "\n", false),
        anchored("(a*)*", "", true),
        anchored("(a|b)*c", "ababc", true),
        anchored("ab*?c", "abbbc", true),
        anchored("[^\\x00-\\x{10FFFF}]", "a", false),
        Case(pattern: #"\bfoo\b"#, input: "a foo b", matches: true),
        Case(pattern: #"\bfoo\b"#, input: "afoo", matches: false),
        Case(pattern: #"\Bfoo"#, input: "afoo", matches: true),
        Case(pattern: "(?m)^b$", input: "a\nb\nc", matches: true),
        Case(pattern: "^b$", input: "a\nb\nc", matches: false),
        Case(pattern: #"\Ab"#, input: "ab", matches: false),
        Case(pattern: #"b\z"#, input: "ab", matches: true),
        Case(pattern: "ab", input: "xaby", matches: true),
        Case(pattern: "日本", input: "こんにちは日本語", matches: true),
        Case(pattern: "^日.語$", input: "日本語", matches: true),
    ]

    @Test(arguments: cases)
    func matches(_ c: Case) throws {
        let re = try Regexp(c.pattern)
        #expect(re.matches(c.input) == c.matches)
        // The capturing path agrees with the boolean one.
        #expect((re.submatchRanges(c.input) != nil) == c.matches)
    }

    struct GroupCase: CustomStringConvertible, Sendable {
        let pattern: String
        let input: String
        let groups: [String?]?
        var description: String { "\(pattern) ~ \(input.debugDescription)" }
    }

    static let groupCases: [GroupCase] = [
        GroupCase(pattern: "(a|ab)(c|bcd)(d*)", input: "abcd", groups: ["abcd", "a", "bcd", ""]),
        GroupCase(pattern: "^(?s:(.*)-(.*))$", input: "a-b-c", groups: ["a-b-c", "a-b", "c"]),
        GroupCase(pattern: "^(?s:(.*?)-(.*))$", input: "a-b-c", groups: ["a-b-c", "a", "b-c"]),
        GroupCase(pattern: "^(?s:(a)|(b))$", input: "b", groups: ["b", nil, "b"]),
        GroupCase(pattern: "^(?s:(?P<host>[^:]+):(?<port>\\d+))$", input: "node-1:9100", groups: ["node-1:9100", "node-1", "9100"]),
        GroupCase(pattern: "(a+)(b)?", input: "xaay", groups: ["aa", "aa", nil]),
        GroupCase(pattern: "^(?s:(a)+)$", input: "aaa", groups: ["aaa", "a"]),
        GroupCase(pattern: "x*", input: "yyy", groups: ["", ]),
        GroupCase(pattern: "^(?s:(é+)(.))$", input: "ééx", groups: ["ééx", "éé", "x"]),
        GroupCase(pattern: "^(?s:b)$", input: "a", groups: nil),
    ]

    @Test(arguments: groupCases)
    func submatches(_ c: GroupCase) throws {
        let re = try Regexp(c.pattern)
        let got = re.submatches(c.input)?.map { $0.map(String.init) }
        #expect(got == c.groups)
    }

    @Test func namesAndCount() throws {
        let re = try Regexp("(?P<a>x)(y)(?<b>z)")
        #expect(re.subexpNames == ["", "a", "", "b"])
        #expect(re.numSubexp == 3)
    }

    /// A pattern that makes a backtracking engine take exponential time runs in linear time.
    @Test func pathologicalPatternsStayLinear() throws {
        let long = String(repeating: "a", count: 20_000)
        #expect(try Regexp("^(?s:(a*)*b)$").matches(long) == false)
        #expect(try Regexp("^(?s:(a|aa)+$)").matches(long + "!") == false)
        #expect(try Regexp("(x+x+)+y").matches(String(repeating: "x", count: 5_000)) == false)
        #expect(try Regexp("^(?s:(.*a){12})$").matches(long) == true)
    }
}

@Suite struct RE2ErrorTests {
    /// Pattern and Go's `regexp.Compile` error text.
    static let cases: [(String, String)] = [
        ("abc(def", "missing closing ): `abc(def`"),
        ("a)b", "unexpected ): `a)b`"),
        ("^(?s:a)b)$", "unexpected ): `^(?s:a)b)$`"),
        ("[a", "missing closing ]: `[a`"),
        ("x[a-", "missing closing ]: `[a-`"),
        ("[z-a]", "invalid character class range: `z-a`"),
        ("a**", "invalid nested repetition operator: `**`"),
        ("a++", "invalid nested repetition operator: `++`"),
        ("a*?*", "invalid nested repetition operator: `*?*`"),
        ("x{2}{3}", "invalid nested repetition operator: `{2}{3}`"),
        ("*a", "missing argument to repetition operator: `*`"),
        ("a|*", "missing argument to repetition operator: `*`"),
        ("(+)", "missing argument to repetition operator: `+`"),
        ("{2}", "missing argument to repetition operator: `{2}`"),
        ("a{1001}", "invalid repeat count: `{1001}`"),
        ("a{3,2}", "invalid repeat count: `{3,2}`"),
        ("(a{500}){3}", "invalid repeat count: `{3}`"),
        (#"\8"#, #"invalid escape sequence: `\8`"#),
        (#"\1"#, #"invalid escape sequence: `\1`"#),
        (#"\C"#, #"invalid escape sequence: `\C`"#),
        (#"\Z"#, #"invalid escape sequence: `\Z`"#),
        (#"\q"#, #"invalid escape sequence: `\q`"#),
        (#"\xZ"#, #"invalid escape sequence: `\xZ`"#),
        (#"\x{110000}"#, #"invalid escape sequence: `\x{110000`"#),
        ("a\\", "trailing backslash at end of expression: ``"),
        ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
        ("(?!a)", "invalid or unsupported Perl syntax: `(?!`"),
        ("(?i", "invalid or unsupported Perl syntax: `(?i`"),
        ("(?i-)", "invalid or unsupported Perl syntax: `(?i-)`"),
        ("(?<n!>a)", "invalid named capture: `(?<n!>`"),
        ("(?P<>a)", "invalid named capture: `(?P<>`"),
        ("(?P<n", "invalid named capture: `(?P<n`"),
        ("[[:foo:]]", "invalid character class range: `[:foo:]`"),
        (#"\pX"#, #"invalid character class range: `\pX`"#),
        (#"\p{Lx"#, #"invalid character class range: `\p{Lx`"#),
    ]

    @Test(arguments: cases)
    func goErrorText(_ c: (String, String)) {
        #expect(throws: (any Error).self) { try Regexp(c.0) }
        do {
            _ = try Regexp(c.0)
        } catch {
            #expect(error.description == "error parsing regexp: " + c.1)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5_000) + "a" + String(repeating: ")", count: 5_000)
        #expect(throws: SyntaxError.self) { try Regexp(deep) }
        let wide = String(repeating: "a?", count: 100_000)
        _ = try? Regexp(wide)  // compiles or reports "expression too large"; must not crash
    }

    @Test func scriptsAreRejectedClearly() {
        do {
            _ = try Regexp(#"\p{Greek}"#)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .unsupportedScript)
        }
    }
}

@Suite struct RE2ExpandTests {
    static let cases: [(template: String, want: String)] = [
        ("$1", "node-1"),
        ("${1}:x", "node-1:x"),
        ("$1x", ""),               // the name is "1x": no such group
        ("${host}-$port", "node-1-9100"),
        ("$$1", "$1"),
        ("$", "$"),
        ("${", "${"),
        ("${1", "${1"),
        ("$9", ""),
        ("$01", ""),
        ("a$2b", "a"),             // "$2b" names group "2b"
        ("a${2}b", "a9100b"),
    ]

    @Test(arguments: cases)
    func expand(_ c: (template: String, want: String)) throws {
        let re = try Regexp("^(?s:(?P<host>[^:]+):(?P<port>\\d+))$")
        let text = "node-1:9100"
        let m = try #require(re.submatchRanges(text))
        #expect(re.expand(c.template, text: text, match: m) == c.want)
    }
}
