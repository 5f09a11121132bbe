import Testing
import Exposition
import Model

@Suite struct TextFormatTests {
    /// Label values: `\\`, `\"`, `\n` decode; any other escape stays as written (Prometheus).
    @Test(arguments: [
        (#"a{v="C:\\dir"} 1"#, "C:\\dir"),
        (#"a{v="say \"hi\""} 1"#, "say \"hi\""),
        (#"a{v="l1\nl2"} 1"#, "l1\nl2"),
        (#"a{v="tab\tstays"} 1"#, "tab\\tstays"),
        (#"a{v="\\n"} 1"#, "\\n"),
        (#"a{v="{,=#}"} 1"#, "{,=#}"),
        ("a{v=\"Zürich 東京\"} 1", "Zürich 東京"),
    ])
    func labelValueEscapes(_ line: String, _ want: String) throws {
        let got = parseAll(line)
        #expect(got.error == nil)
        #expect(got.samples.first?.labels.get("v") == want)
    }

    @Test func helpEscapesDecodeBackslashAndNewlineOnly() {
        let got = parseAll(#"# HELP a x \\ y \n z \" q"# + "\n")
        #expect(got.helps.first?.0 == "a")
        #expect(got.helps.first?.1 == "x \\ y \n z \\\" q")
    }

    /// The value and the optional millisecond timestamp.
    @Test(arguments: [
        ("up 1", 1.0, nil),
        ("up{job=\"a\"} 2.5 1700000000000", 2.5, 1_700_000_000_000),
        ("up 0 0", 0.0, 0),
        ("up -0", -0.0, nil),
        ("up 1E3", 1000.0, nil),
        ("up .5", 0.5, nil),
        ("up +42", 42.0, nil),
        ("up 1.", 1.0, nil),
        ("up 4.9e-324", Double.leastNonzeroMagnitude, nil),
        ("up 1e-400", 0.0, nil),
        ("up 1.7976931348623157e+308", 1.7976931348623157e+308, nil),
        ("up 9223372036854775807", 9223372036854775807.0, nil),
        ("up 0.1", 0.1, nil),
        ("up 123456789.123456789", 123456789.123456789, nil),
        ("up 3.141592653589793238462643383279", 3.141592653589793, nil),
        ("up Inf", Double.infinity, nil),
        ("up +inf", Double.infinity, nil),
        ("up -Infinity", -Double.infinity, nil),
        ("up 1 9223372036854775807", 1.0, Int64.max),
    ] as [(String, Double, Int64?)])
    func valuesAndTimestamps(_ line: String, _ value: Double, _ timestamp: Int64?) throws {
        let got = parseAll(line + "\n")
        #expect(got.error == nil)
        let sample = try #require(got.samples.first)
        #expect(sample.value.bitPattern == value.bitPattern)
        #expect(sample.timestamp == timestamp)
    }

    @Test(arguments: ["NaN", "nan", "NAN"])
    func nanIsCanonical(_ text: String) throws {
        let sample = try #require(parseAll("a \(text)\n").samples.first)
        #expect(sample.value.bitPattern == 0x7ff8_0000_0000_0001)
    }

    /// Prometheus' text lexer is lenient about blanks and commas.
    @Test(arguments: [
        "ws_test { a = \"spaced\" , b=\"x\" } 6",
        "ws_test{a=\"spaced\" b=\"x\"} 6",
        "ws_test{a=\"spaced\",b=\"x\",} 6",
        "ws_test{a=\"spaced\",b=\"x\"}6",
        "ws_test{a=\"spaced\",b=\"x\"}\t6\t",
        "   ws_test{a=\"spaced\",b=\"x\"} 6",
        "{\"ws_test\", a=\"spaced\",b=\"x\"} 6",
        "{a=\"spaced\", \"ws_test\", b=\"x\"} 6",
    ])
    func blanksCommasAndQuotedNames(_ line: String) throws {
        let got = parseAll(line + "\n")
        #expect(got.error == nil)
        #expect(got.samples.first?.labels == ["__name__": "ws_test", "a": "spaced", "b": "x"])
        #expect(got.samples.first?.value == 6)
    }

    @Test func quotedUTF8NamesDecode() throws {
        let got = parseAll(#"{"my.metric", "my \"label\""="v"} 1"# + "\n# TYPE \"my.metric\" gauge\n")
        #expect(got.error == nil)
        #expect(got.samples.first?.labels == ["__name__": "my.metric", "my \"label\"": "v"])
        #expect(got.types.first?.0 == "my.metric")
        #expect(got.samples.first.map { String(decoding: $0.series, as: UTF8.self) } == #"{"my.metric", "my \"label\""="v"}"#)
    }

    @Test func seriesBytesAreTheRawNameAndLabels() throws {
        var p = ExpositionParser(Array("a{b=\"1\"} 1 5\nc 2\n".utf8), format: .prometheusText)
        #expect(try p.next() == .series)
        #expect(Array(p.bytes[p.seriesRange]) == Array("a{b=\"1\"}".utf8))
        p.withSeriesBytes { raw in #expect(Array(raw) == Array("a{b=\"1\"}".utf8)) }
        #expect(try p.next() == .series)
        #expect(Array(p.bytes[p.seriesRange]) == Array("c".utf8))
        #expect(p.timestamp == nil)
        #expect(try p.next() == nil)
    }

    @Test func commentsMetadataAndBlankLines() throws {
        let body = "# free text\n#\n#x\n\n  \n# HELP a  two spaces\n# HELP b\n# TYPE a counter\n# HELPx y\na 1\n# EOF\n"
        let got = parseAll(body)
        #expect(got.error == nil)
        #expect(got.comments == ["# free text", "#", "#x", "# HELPx y", "# EOF"])
        // Only the one separating blank is dropped from HELP text, as in Prometheus.
        #expect(got.helps.map(\.1) == [" two spaces", ""])
        #expect(got.types.map(\.1) == [.counter])
        #expect(got.samples.count == 1)
    }

    @Test func typesOfTheTextFormat() {
        let got = parseAll("# TYPE a counter\n# TYPE b gauge\n# TYPE c histogram\n# TYPE d summary\n# TYPE e untyped\n")
        #expect(got.types.map(\.1) == [.counter, .gauge, .histogram, .summary, .unknown])
    }

    @Test func emptyValuesDropLabelsAndNoTrailingNewlineIsFine() {
        let got = parseAll("a{x=\"\",y=\"1\"} 1\nb 2")
        #expect(got.error == nil)
        #expect(got.samples.map(\.labels) == [["__name__": "a", "y": "1"], ["__name__": "b"]])
    }

    /// Prometheus 3 rewrites `le` (histograms) and `quantile` (summaries) in OpenMetrics float
    /// form; the last TYPE line decides, other families keep their values.
    @Test func bucketAndQuantileValuesAreNormalized() {
        let body = """
        # TYPE h histogram
        h_bucket{le="1"} 1
        h_bucket{le="0.5"} 1
        h_bucket{le="1e6"} 1
        h_bucket{le="+Inf"} 1
        h_bucket{le="0"} 1
        h_bucket{le="x"} 1
        # TYPE s summary
        s{quantile="1"} 1
        s{quantile="0.99"} 1
        s{le="1"} 1
        # TYPE g gauge
        g{le="1"} 1

        """
        let got = parseAll(body)
        #expect(got.error == nil)
        let values = got.samples.map { $0.labels.get("le") + $0.labels.get("quantile") }
        #expect(values == ["1.0", "0.5", "1e+06", "+Inf", "0.0", "x", "1.0", "0.99", "1", "1"])
    }

    @Test func nulAtTheStartOfALineEndsTheInput() {
        let got = parseAll(Array("a 1\n".utf8) + [0] + Array("garbage{\n".utf8), .prometheusText)
        #expect(got.error == nil)
        #expect(got.samples.count == 1)
    }

    @Test func rawNewlineInsideAQuotedValueIsAllowedAndCounted() {
        let got = parseAll("a{v=\"x\ny\"} 1\nb{ 1\n")
        #expect(got.samples.first?.labels.get("v") == "x\ny")
        #expect(got.error?.line == 3)
    }
}

@Suite struct OpenMetricsTests {
    static let body = """
    # TYPE foo counter
    # UNIT foo_seconds seconds
    # HELP foo A \\"quoted\\" help\\nline.
    foo_total{a="1"} 17.0 1520879607.789 # {trace_id="KOO5S4vxi0o"} 0.67
    foo_created{a="1"} 1520430000.123
    foo_total{a="2"} 5 # {trace_id="x\\"y",span_id="s"} 9.8 1520879607.789
    foo_total{a="3"} NaN # {} 1
    # TYPE b info
    b_info{v="1"} 1
    # TYPE s stateset
    s{s="a"} 1
    # TYPE g gaugehistogram
    g_bucket{le="1"} 4
    g_gcount 6
    # TYPE u unknown
    {"u.x",a="1",} 3 -1.5
    # EOF

    """

    @Test func samplesTimestampsAndCreatedLines() throws {
        let got = parseAll(Self.body, .openMetrics)
        #expect(got.error == nil)
        #expect(got.samples.map(\.labels.name) == ["foo_total", "foo_created", "foo_total", "foo_total", "b_info", "s", "g_bucket", "g_gcount", "u.x"])
        #expect(got.samples[0].timestamp == 1_520_879_607_789)
        #expect(got.samples[1].value == 1520430000.123)
        #expect(got.samples[3].value.bitPattern == 0x7ff8_0000_0000_0001)
        #expect(got.samples[6].labels.get("le") == "1") // gaugehistogram: not normalized
        #expect(got.samples[8].timestamp == -1500)
        #expect(got.samples[8].labels == ["__name__": "u.x", "a": "1"])
    }

    @Test func metadata() {
        let got = parseAll(Self.body, .openMetrics)
        #expect(got.types.map(\.1) == [.counter, .info, .stateset, .gaugeHistogram, .unknown])
        #expect(got.units.first?.1 == "seconds")
        #expect(got.units.first?.0 == "foo_seconds")
        #expect(got.helps.first?.1 == "A \"quoted\" help\nline.")
    }

    @Test func exemplars() {
        let got = parseAll(Self.body, .openMetrics)
        #expect(got.exemplars.count == 3)
        #expect(got.exemplars[0] == Exemplar(labels: ["trace_id": "KOO5S4vxi0o"], value: 0.67, timestamp: nil))
        // Values are taken as written, as Prometheus 3 does.
        #expect(got.exemplars[1] == Exemplar(labels: ["trace_id": "x\\\"y", "span_id": "s"], value: 9.8, timestamp: 1_520_879_607_789))
        #expect(got.exemplars[2] == Exemplar(labels: [:], value: 1, timestamp: nil))
    }

    @Test func eofWithoutTrailingNewlineIsFine() {
        #expect(parseAll("a 1\n# EOF", .openMetrics).error == nil)
        #expect(parseAll("# EOF\n", .openMetrics).samples.isEmpty)
    }
}
