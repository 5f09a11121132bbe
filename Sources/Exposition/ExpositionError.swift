import Model

/// Why an exposition body (or its Content-Type) was refused.
///
/// Every parse error names the 1-based line and the 1-based byte column where the problem
/// starts. Prometheus fails a scrape as a whole on any of these, and so do we: there is no
/// partial result.
package enum ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The grammar allows `expected` here; `found` describes what is there instead
    /// (a quoted excerpt, "end of line" or "end of input").
    case unexpected(expected: String, found: String, line: Int, column: Int)
    /// A `# TYPE` line names a type this format does not have (`gauge\r` on a CRLF file).
    case invalidMetricType(String, line: Int, column: Int)
    /// A HELP text, label value or quoted name is not valid UTF-8; `what` says which.
    case invalidUTF8(what: String, line: Int, column: Int)
    /// A quoted string runs to the end of the input (or, in OpenMetrics, to the end of the line).
    case unterminatedString(line: Int, column: Int)
    /// The sample (or exemplar) value is not a Go `ParseFloat` number, or is out of range.
    case invalidValue(String, line: Int, column: Int)
    /// The timestamp is not an integer (text format) or a finite float (OpenMetrics), or does
    /// not fit 64-bit milliseconds.
    case invalidTimestamp(String, line: Int, column: Int)
    /// A series with labels in braces but no metric name anywhere.
    case missingMetricName(line: Int, column: Int)
    /// A quoted metric name inside braces after the series already has a name.
    case duplicateMetricName(line: Int, column: Int)
    /// A quoted metric or label name is empty (`{""}`, `{""="x"}`).
    case emptyName(line: Int, column: Int)
    /// The same label name twice in one series (`__name__` included).
    case duplicateLabelName(String, line: Int, column: Int)
    /// An OpenMetrics `# UNIT` that is not a `_`-separated suffix of its metric family name.
    case unitMismatch(unit: String, metric: String, line: Int, column: Int)
    /// OpenMetrics input ended without the mandatory `# EOF` line.
    case missingEOF(line: Int, column: Int)
    /// Bytes after OpenMetrics' `# EOF` line.
    case dataAfterEOF(line: Int, column: Int)
    /// The response Content-Type names no format we parse and no fallback was configured.
    case unsupportedContentType(String)
    /// The response Content-Type is not a valid media type and no fallback was configured.
    case invalidContentType(String)

    /// The line of a parse error; 0 for Content-Type errors.
    package var line: Int {
        switch self {
        case .unexpected(_, _, let l, _), .invalidMetricType(_, let l, _), .invalidUTF8(_, let l, _),
             .unterminatedString(let l, _), .invalidValue(_, let l, _), .invalidTimestamp(_, let l, _),
             .missingMetricName(let l, _), .duplicateMetricName(let l, _), .emptyName(let l, _),
             .duplicateLabelName(_, let l, _), .unitMismatch(_, _, let l, _), .missingEOF(let l, _),
             .dataAfterEOF(let l, _):
            return l
        case .unsupportedContentType, .invalidContentType:
            return 0
        }
    }

    /// The byte column of a parse error; 0 for Content-Type errors.
    package var column: Int {
        switch self {
        case .unexpected(_, _, _, let c), .invalidMetricType(_, _, let c), .invalidUTF8(_, _, let c),
             .unterminatedString(_, let c), .invalidValue(_, _, let c), .invalidTimestamp(_, _, let c),
             .missingMetricName(_, let c), .duplicateMetricName(_, let c), .emptyName(_, let c),
             .duplicateLabelName(_, _, let c), .unitMismatch(_, _, _, let c), .missingEOF(_, let c),
             .dataAfterEOF(_, let c):
            return c
        case .unsupportedContentType, .invalidContentType:
            return 0
        }
    }

    /// `line 12, column 7: expected '=' after label name, got "}"`.
    package var description: String {
        let at = "line \(line), column \(column): "
        switch self {
        case .unexpected(let expected, let found, _, _):
            return at + "expected \(expected), got \(found)"
        case .invalidMetricType(let text, _, _):
            return at + "invalid metric type \(goQuoted(text))"
        case .invalidUTF8(let what, _, _):
            return at + "\(what) is not valid UTF-8"
        case .unterminatedString:
            return at + "unterminated quoted string"
        case .invalidValue(let text, _, _):
            return at + "invalid value \(goQuoted(text))"
        case .invalidTimestamp(let text, _, _):
            return at + "invalid timestamp \(goQuoted(text))"
        case .missingMetricName:
            return at + "metric name not set"
        case .duplicateMetricName:
            return at + "metric name already set"
        case .emptyName:
            return at + "empty metric or label name"
        case .duplicateLabelName(let name, _, _):
            return at + "label name \(goQuoted(name)) is not unique"
        case .unitMismatch(let unit, let metric, _, _):
            return at + "unit \(goQuoted(unit)) not a suffix of metric \(goQuoted(metric))"
        case .missingEOF:
            return at + "data does not end with # EOF"
        case .dataAfterEOF:
            return at + "unexpected data after # EOF"
        case .unsupportedContentType(let text):
            return "received unsupported Content-Type \(goQuoted(text)) and no fallback_scrape_protocol specified for target"
        case .invalidContentType(let text):
            return "cannot parse Content-Type \(goQuoted(text)) and no fallback_scrape_protocol for target"
        }
    }
}
