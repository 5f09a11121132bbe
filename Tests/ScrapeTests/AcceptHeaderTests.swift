import Testing
import Config
import Exposition
import Scrape

@Suite struct AcceptHeaderTests {
    @Test func prometheus3DefaultOrder() {
        #expect(AcceptHeader.value(for: ScrapeConfig()) ==
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
            + "application/openmetrics-text;version=0.0.1;q=0.5,"
            + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
            + "text/plain;version=0.0.4;q=0.3,*/*;q=0.2")
    }

    @Test func configuredOrderAndLegacyEscaping() {
        var c = ScrapeConfig()
        c.scrapeProtocols = ["PrometheusText1.0.0", "PrometheusProto", "OpenMetricsText1.0.0"]
        c.metricNameValidationScheme = .legacy
        #expect(AcceptHeader.value(for: c) ==
            "text/plain;version=1.0.0;escaping=underscores;q=0.6,"
            + "application/openmetrics-text;version=1.0.0;escaping=underscores;q=0.5,*/*;q=0.4")
        c.metricNameEscapingScheme = "dots"
        #expect(AcceptHeader.escapingScheme(for: c) == "dots")
    }

    @Test func fallbackProtocolSelectsAParser() throws {
        var c = ScrapeConfig()
        #expect(AcceptHeader.fallbackFormat(for: c) == nil)
        c.fallbackScrapeProtocol = "PrometheusText0.0.4"
        let fallback = AcceptHeader.fallbackFormat(for: c)
        #expect(fallback == .prometheusText)
        let got = try ExpositionFormat.negotiate(contentType: "", fallback: fallback)
        #expect(got.format == .prometheusText && got.warning != nil)
    }
}
