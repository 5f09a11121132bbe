import Foundation
import Testing
import Exposition

/// One case per error kind, each with the line and column it must name.
@Suite struct ErrorTests {
    // Inputs are Swift strings; see `reportsKindLineAndColumn` for the one byte they cannot hold.
    struct Case: Sendable, CustomStringConvertible {
        var input: String
        var format: ExpositionFormat
        var want: ExpositionError
        var description: String { input }
        init(_ input: String, _ want: ExpositionError, _ format: ExpositionFormat = .prometheusText) {
            self.input = input
            self.want = want
            self.format = format
        }
    }

    static let text: [Case] = [
        .init("a 1\n-b 2\n", .unexpected(expected: "a metric name, '{' or '#' at the start of a line", found: "\"-b\"", line: 2, column: 1)),
        .init("a{0x=\"1\"} 1\n", .unexpected(expected: "label name", found: "\"0x=\\\"1\\\"}\"", line: 1, column: 3)),
        .init("a{b \"1\"} 1\n", .unexpected(expected: "'=' after label name", found: "\"\\\"1\\\"}\"", line: 1, column: 5)),
        .init("a{b=1} 1\n", .unexpected(expected: "label value", found: "\"1}\"", line: 1, column: 5)),
        .init("a{b=\"1\",,} 1\n", .unexpected(expected: "label name", found: "\",}\"", line: 1, column: 9)),
        .init("a{b=\"1\"\n", .unexpected(expected: "label name", found: "end of line", line: 1, column: 8)),
        .init("a\n", .unexpected(expected: "value after metric", found: "end of line", line: 1, column: 2)),
        .init("a{}{} 1\n", .unexpected(expected: "value after metric", found: "\"{}\"", line: 1, column: 4)),
        .init("a 1 2 3\n", .unexpected(expected: "next entry after timestamp", found: "\"3\"", line: 1, column: 7)),
        .init("a 1 2x\n", .unexpected(expected: "next entry after timestamp", found: "\"x\"", line: 1, column: 6)),
        .init("a 1 -5\n", .unexpected(expected: "timestamp or new record", found: "\"-5\"", line: 1, column: 5)),
        .init("a 1 1.5\n", .unexpected(expected: "next entry after timestamp", found: "\".5\"", line: 1, column: 6)),
        .init("a 1 99999999999999999999\n", .invalidTimestamp("99999999999999999999", line: 1, column: 5)),
        .init("a 1\r\n", .invalidValue("1\r", line: 1, column: 3)),
        .init("a one\n", .invalidValue("one", line: 1, column: 3)),
        .init("a 0x10\n", .invalidValue("0x10", line: 1, column: 3)),
        .init("a 1_000\n", .invalidValue("1_000", line: 1, column: 3)),
        .init("a 1e400\n", .invalidValue("1e400", line: 1, column: 3)),
        .init("a +NaN\n", .invalidValue("+NaN", line: 1, column: 3)),
        .init("# TYPE a gauge \n", .invalidMetricType("gauge ", line: 1, column: 10)),
        .init("# TYPE a unknown\n", .invalidMetricType("unknown", line: 1, column: 10)),
        .init("# TYPE a info\n", .invalidMetricType("info", line: 1, column: 10)),
        .init("# HELP 1a x\n", .unexpected(expected: "metric name after HELP", found: "\"1a\"", line: 1, column: 8)),
        .init("# HELP a <FF>\n", .invalidUTF8(what: "HELP text", line: 1, column: 10)),
        .init("a{b=\"<FF>\"} 1\n", .invalidUTF8(what: "label value", line: 1, column: 5)),
        .init("a{b=\"x} 1\n", .unterminatedString(line: 1, column: 5)),
        .init("{b=\"x\"} 1\n", .missingMetricName(line: 1, column: 1)),
        .init("a{\"b\"} 1\n", .duplicateMetricName(line: 1, column: 3)),
        .init("{\"a\",\"b\"} 1\n", .duplicateMetricName(line: 1, column: 6)),
        .init("{\"\"} 1\n", .emptyName(line: 1, column: 2)),
        .init("a{\"\"=\"x\"} 1\n", .emptyName(line: 1, column: 3)),
        .init("ok 1\na{b=\"1\",b=\"2\"} 1\n", .duplicateLabelName("b", line: 2, column: 1)),
        .init("a{__name__=\"b\"} 1\n", .duplicateLabelName("__name__", line: 1, column: 1)),
    ]

    static let openMetrics: [Case] = [
        .init("a 1\n", .missingEOF(line: 2, column: 1), .openMetrics),
        .init("a 1", .missingEOF(line: 1, column: 4), .openMetrics),
        .init("a 1\n# EOF\nb 1\n", .dataAfterEOF(line: 3, column: 1), .openMetrics),
        .init("# EOF\n\n", .dataAfterEOF(line: 2, column: 1), .openMetrics),
        .init("\n# EOF\n", .unexpected(expected: "a metric name, '{' or '#' at the start of a line", found: "end of line", line: 1, column: 1), .openMetrics),
        .init("# comment\n# EOF\n", .unexpected(expected: "HELP, TYPE, UNIT or EOF after '# '", found: "\"comment\"", line: 1, column: 3), .openMetrics),
        .init("#EOF\n", .unexpected(expected: "'# ' followed by HELP, TYPE, UNIT or EOF", found: "\"#EOF\"", line: 1, column: 1), .openMetrics),
        .init("a  1\n# EOF\n", .unexpected(expected: "value after metric", found: "\" \"", line: 1, column: 2), .openMetrics),
        .init("a{b=\"1\" c=\"2\"} 1\n# EOF\n", .unexpected(expected: "',' or '}' after label value", found: "\" c=\\\"2\\\"}\"", line: 1, column: 8), .openMetrics),
        .init("a{b = \"1\"} 1\n# EOF\n", .unexpected(expected: "'=' after label name", found: "\" =\"", line: 1, column: 4), .openMetrics),
        .init("a{b=\"1\n\"} 1\n# EOF\n", .unterminatedString(line: 1, column: 5), .openMetrics),
        .init("a 1 NaN\n# EOF\n", .invalidTimestamp("NaN", line: 1, column: 5), .openMetrics),
        .init("a 1 +Inf\n# EOF\n", .invalidTimestamp("+Inf", line: 1, column: 5), .openMetrics),
        .init("a 1 1 \n# EOF\n", .unexpected(expected: "exemplar or line break after timestamp", found: "\" \"", line: 1, column: 6), .openMetrics),
        .init("a 1 # {x=\"y\"}\n# EOF\n", .unexpected(expected: "value after exemplar labels", found: "end of line", line: 1, column: 14), .openMetrics),
        .init("a 1 # {\"x\"} 1\n# EOF\n", .unexpected(expected: "label name", found: "\"}\"", line: 1, column: 11), .openMetrics),
        .init("# TYPE a untyped\n# EOF\n", .invalidMetricType("untyped", line: 1, column: 10), .openMetrics),
        .init("# HELP a\n# EOF\n", .unexpected(expected: "a space and text in HELP", found: "end of line", line: 1, column: 9), .openMetrics),
        .init("# UNIT a_seconds bytes\n# EOF\n", .unitMismatch(unit: "bytes", metric: "a_seconds", line: 1, column: 18), .openMetrics),
        .init("# UNIT seconds seconds\n# EOF\n", .unitMismatch(unit: "seconds", metric: "seconds", line: 1, column: 16), .openMetrics),
        .init("# UNIT aseconds seconds\n# EOF\n", .unitMismatch(unit: "seconds", metric: "aseconds", line: 1, column: 17), .openMetrics),
    ]

    @Test(arguments: text + openMetrics)
    func reportsKindLineAndColumn(_ c: Case) {
        // "<FF>" stands for a byte that is not valid UTF-8.
        var bytes: [UInt8] = []
        let parts = c.input.components(separatedBy: "<FF>")
        for (k, part) in parts.enumerated() {
            if k > 0 { bytes.append(0xFF) }
            bytes += Array(part.utf8)
        }
        #expect(parseAll(bytes, c.format).error == c.want)
    }

    @Test func descriptionNamesLineColumnAndProblem() {
        let e = ExpositionError.unexpected(expected: "'=' after label name", found: "\"}\"", line: 12, column: 7)
        #expect(e.description == "line 12, column 7: expected '=' after label name, got \"}\"")
        #expect(e.line == 12 && e.column == 7)
        #expect(ExpositionError.missingEOF(line: 3, column: 1).description == "line 3, column 1: data does not end with # EOF")
    }

    @Test func nothingIsReturnedAfterAnError() throws {
        var p = ExpositionParser(Array("a 1\nb x\nc 3\n".utf8), format: .prometheusText)
        #expect(try p.next() == .series)
        #expect(throws: ExpositionError.invalidValue("x", line: 2, column: 3)) { try p.next() }
        #expect(try p.next() == nil)
    }
}
