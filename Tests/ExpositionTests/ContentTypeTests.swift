import Testing
import Exposition

@Suite struct ContentTypeTests {
    @Test(arguments: [
        ("text/plain; version=0.0.4; charset=utf-8", ExpositionFormat.prometheusText),
        ("text/plain;version=1.0.0;escaping=allow-utf-8", .prometheusText),
        ("TEXT/Plain", .prometheusText),
        ("application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores", .openMetrics),
        ("application/openmetrics-text;version=0.0.1", .openMetrics),
        ("  application/openmetrics-text  ", .openMetrics),
        ("text/plain; charset=\"utf-8\"", .prometheusText),
    ])
    func picksTheParserByMediaType(_ contentType: String, _ want: ExpositionFormat) throws {
        #expect(try ExpositionFormat.negotiate(contentType: contentType, fallback: nil) == .init(format: want, warning: nil))
    }

    @Test(arguments: [
        ("", ExpositionError.unsupportedContentType("")),
        ("application/json", .unsupportedContentType("application/json")),
        ("text", .unsupportedContentType("text")),
        ("text/", .invalidContentType("text/")),
        ("text/plain/x", .invalidContentType("text/plain/x")),
        ("text/plain; version", .invalidContentType("text/plain; version")),
        ("text/plain; a=1; a=2", .invalidContentType("text/plain; a=1; a=2")),
        ("text/plain; a=\"1", .invalidContentType("text/plain; a=\"1")),
        ("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
         .unsupportedContentType("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited")),
    ])
    func withoutFallbackBadTypesFail(_ contentType: String, _ want: ExpositionError) {
        #expect(throws: want) { try ExpositionFormat.negotiate(contentType: contentType, fallback: nil) }
    }

    @Test(arguments: ["", "application/json", "text/", "text/plain; version"])
    func fallbackIsUsedWithAWarning(_ contentType: String) throws {
        let got = try ExpositionFormat.negotiate(contentType: contentType, fallback: .prometheusText)
        #expect(got.format == .prometheusText)
        #expect(got.warning != nil)
    }
}
