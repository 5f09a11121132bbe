/// A regular expression that does not parse, reported as Go's `regexp/syntax` does:
/// `error parsing regexp: <what>: `<where>``.
package struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in Go's words.
    package enum Code: String, Sendable {
        case invalidCharClass = "invalid character class"
        case invalidCharRange = "invalid character class range"
        case invalidEscape = "invalid escape sequence"
        case invalidNamedCapture = "invalid named capture"
        case invalidPerlOp = "invalid or unsupported Perl syntax"
        case invalidRepeatOp = "invalid nested repetition operator"
        case invalidRepeatSize = "invalid repeat count"
        case missingBracket = "missing closing ]"
        case missingParen = "missing closing )"
        case missingRepeatArgument = "missing argument to repetition operator"
        case trailingBackslash = "trailing backslash at end of expression"
        case unexpectedParen = "unexpected )"
        case nestingDepth = "expression nests too deeply"
        case large = "expression too large"
        /// Not Go's: a Unicode script class (`\p{Greek}`), which Vigil does not implement.
        case unsupportedScript = "Unicode script classes are not supported (general categories are)"
    }

    package let code: Code
    /// The offending part of the expression.
    package let expr: String

    package var description: String { "error parsing regexp: \(code.rawValue): `\(expr)`" }
}
