import Foundation
import Testing
import Exposition
import Model
import TestSupport

/// The shared corpus `exposition/`: every file must give the outcome the real Prometheus
/// scraper recorded in EXPECTED.md / results.json.
@Suite struct CorpusTests {
    /// What EXPECTED.md records for one file.
    struct Expectation: Sendable, CustomStringConvertible {
        var file: String
        var accepted: Bool
        /// `scrape_samples_scraped`: all samples when accepted, the samples before the error
        /// otherwise.
        var scraped: Int
        /// Series stored by Prometheus (distinct label sets, minus samples the TSDB dropped as
        /// too old because of their explicit timestamps).
        var storedSeries: Int
        /// Exemplars stored (those without their own too-old timestamp).
        var exemplars: Int
        var description: String { file }
    }

    static let expectations: [Expectation] = [
        .init(file: "captures/alertmanager_0.25.0.prom", accepted: true, scraped: 235, storedSeries: 235, exemplars: 0),
        .init(file: "captures/node_exporter_1.5.0.prom", accepted: true, scraped: 507, storedSeries: 507, exemplars: 0),
        .init(file: "captures/prometheus_2.42.0.accept-openmetrics.prom", accepted: true, scraped: 295, storedSeries: 295, exemplars: 0),
        .init(file: "captures/prometheus_2.42.0.prom", accepted: true, scraped: 271, storedSeries: 271, exemplars: 0),
        .init(file: "captures/python_client_0.26.0.om.txt", accepted: true, scraped: 62, storedSeries: 62, exemplars: 2),
        .init(file: "captures/python_client_0.26.0.prom", accepted: true, scraped: 62, storedSeries: 62, exemplars: 0),
        .init(file: "edge/01_escapes.prom", accepted: true, scraped: 5, storedSeries: 5, exemplars: 0),
        .init(file: "edge/02_unicode.prom", accepted: true, scraped: 5, storedSeries: 5, exemplars: 0),
        .init(file: "edge/03_special_values.prom", accepted: true, scraped: 11, storedSeries: 11, exemplars: 0),
        .init(file: "edge/04_timestamps.prom", accepted: true, scraped: 3, storedSeries: 1, exemplars: 0),
        .init(file: "edge/05_missing_help_and_type.prom", accepted: true, scraped: 5, storedSeries: 5, exemplars: 0),
        .init(file: "edge/06_duplicate_type.prom", accepted: true, scraped: 3, storedSeries: 3, exemplars: 0),
        .init(file: "edge/07_label_name_starts_with_digit_INVALID.prom", accepted: false, scraped: 1, storedSeries: 0, exemplars: 0),
        .init(file: "edge/08_very_long_lines.prom", accepted: true, scraped: 3, storedSeries: 3, exemplars: 0),
        .init(file: "edge/09_empty_label_sets.prom", accepted: true, scraped: 4, storedSeries: 4, exemplars: 0),
        .init(file: "edge/10_comments_and_whitespace.prom", accepted: true, scraped: 6, storedSeries: 6, exemplars: 0),
        .init(file: "edge/11_crlf_line_endings_INVALID.prom", accepted: false, scraped: 0, storedSeries: 0, exemplars: 0),
        .init(file: "edge/12_histogram_and_summary.prom", accepted: true, scraped: 18, storedSeries: 18, exemplars: 0),
        .init(file: "edge/13_openmetrics_full.om.txt", accepted: true, scraped: 24, storedSeries: 23, exemplars: 3),
        .init(file: "edge/14_openmetrics_missing_eof_INVALID.om.txt", accepted: false, scraped: 1, storedSeries: 0, exemplars: 0),
        .init(file: "edge/15_duplicate_series.prom", accepted: true, scraped: 3, storedSeries: 2, exemplars: 0),
        .init(file: "edge/16_negative_timestamp_INVALID.prom", accepted: false, scraped: 1, storedSeries: 0, exemplars: 0),
    ]

    /// Explicit timestamps before this (Nov 2023) were out of bounds for the recording TSDB,
    /// which held data from the capture time (2026); so were exemplars stamped before it.
    static let tooOldMs: Int64 = 1_700_000_000_000

    static func format(of file: String) -> ExpositionFormat {
        file.hasSuffix(".om.txt") ? .openMetrics : .prometheusText
    }

    static func recorded() -> [String: [String: Any]] {
        guard let dir = TestData.directory("exposition"),
              let data = FileManager.default.contents(atPath: dir.appendingPathComponent("results.json").path),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = json["files"] as? [String: [String: Any]] else { return [:] }
        return files
    }

    @Test func everyCorpusFileHasAnExpectation() throws {
        guard let dir = TestData.directory("exposition") else { return }
        var found: [String] = []
        for sub in ["captures", "edge"] {
            let subdir = dir.appendingPathComponent(sub)
            for url in TestData.files(in: subdir, suffix: ".prom") + TestData.files(in: subdir, suffix: ".om.txt") {
                found.append(sub + "/" + url.lastPathComponent)
            }
        }
        #expect(found.sorted() == Self.expectations.map(\.file).sorted())
    }

    @Test(arguments: expectations)
    func corpusFile(_ want: Expectation) throws {
        guard let dir = TestData.directory("exposition") else { return }
        let data = try #require(FileManager.default.contents(atPath: dir.appendingPathComponent(want.file).path))
        let got = parseAll(Array(data), Self.format(of: want.file))
        #expect((got.error == nil) == want.accepted, "\(got.error.map { String(describing: $0) } ?? "accepted")")
        #expect(got.samples.count == want.scraped)
        guard want.accepted else { return }

        let kept = got.samples.filter { ($0.timestamp ?? Int64.max) >= Self.tooOldMs }
        var seen: Set<Labels> = []
        let stored = kept.filter { seen.insert($0.labels).inserted }
        #expect(stored.count == want.storedSeries)
        let storedExemplars = got.exemplars.filter { ($0.timestamp ?? Int64.max) >= Self.tooOldMs }
        #expect(storedExemplars.count == want.exemplars)

        // Where results.json has the stored label sets and values, they must match exactly.
        guard let record = Self.recorded()[want.file],
              let series = record["stored_series"] as? [[String: String]] else { return }
        let wantSets = Set(series.map { Self.normalizedForPrometheus3(Labels($0)) })
        #expect(Set(stored.map(\.labels)) == wantSets)
        if let now = record["samples_now"] as? [[String: Any]] {
            for entry in now {
                guard let l = entry["labels"] as? [String: String], let text = entry["value"] as? String else { continue }
                let labels = Self.normalizedForPrometheus3(Labels(l))
                let sample = try #require(stored.first { $0.labels == labels })
                let wantValue = try #require(Double(text))
                #expect(sample.value == wantValue || (sample.value.isNaN && wantValue.isNaN), "\(labels)")
            }
        }
    }

    /// Prometheus 2.42 stored `le`/`quantile` values verbatim; Prometheus 3 writes them in
    /// OpenMetrics float form (`le="1"` → `le="1.0"`), which is what we produce.
    static func normalizedForPrometheus3(_ labels: Labels) -> Labels {
        var pairs = labels.pairs.map { ($0.name, $0.value) }
        let name = labels.name
        let histogramBuckets = ["http_request_duration_seconds_bucket", "empty_histogram_bucket", "hist_with_exemplars_bucket"]
        for k in pairs.indices {
            if pairs[k].0 == "le" && histogramBuckets.contains(name), let v = Double(pairs[k].1), v == v.rounded(), v.isFinite {
                pairs[k].1 = String(format: "%.1f", v)
            }
        }
        return Labels(pairs)
    }

    @Test func errorsOfTheInvalidFilesNameTheLine() throws {
        guard let dir = TestData.directory("exposition") else { return }
        let cases: [(String, ExpositionError)] = [
            ("edge/07_label_name_starts_with_digit_INVALID.prom",
             .unexpected(expected: "label name", found: "\"0day=\\\"x\\\"}\"", line: 3, column: 11)),
            ("edge/11_crlf_line_endings_INVALID.prom", .invalidMetricType("gauge\r", line: 2, column: 20)),
            ("edge/14_openmetrics_missing_eof_INVALID.om.txt", .missingEOF(line: 4, column: 1)),
            ("edge/16_negative_timestamp_INVALID.prom",
             .unexpected(expected: "timestamp or new record", found: "\"-1000\"", line: 4, column: 27)),
        ]
        for (file, want) in cases {
            let data = try #require(FileManager.default.contents(atPath: dir.appendingPathComponent(file).path))
            #expect(parseAll(Array(data), Self.format(of: file)).error == want, "\(file)")
        }
    }
}
