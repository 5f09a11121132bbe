import Exposition
import Model

/// Everything a test wants from one full parse.
struct ParsedBody {
    struct Sample {
        var labels: Labels
        var value: Double
        var timestamp: Int64?
        var series: [UInt8]
    }

    var samples: [Sample] = []
    var exemplars: [Exemplar] = []
    var helps: [(String, String)] = []
    var types: [(String, MetricType)] = []
    var units: [(String, String)] = []
    var comments: [String] = []
    /// The error that ended the parse, if any; `samples` then holds what came before it.
    var error: ExpositionError?

    /// Distinct label sets, first occurrence order.
    var distinctSeries: [Labels] {
        var seen: Set<Labels> = []
        return samples.compactMap { seen.insert($0.labels).inserted ? $0.labels : nil }
    }
}

/// Parses `text` (or bytes) completely, building labels for every sample.
func parseAll(_ bytes: [UInt8], _ format: ExpositionFormat) -> ParsedBody {
    var parser = ExpositionParser(bytes, format: format)
    var out = ParsedBody()
    do {
        while let entry = try parser.next() {
            switch entry {
            case .series:
                let labels = try parser.labels()
                out.samples.append(.init(labels: labels, value: parser.value, timestamp: parser.timestamp,
                                         series: Array(parser.bytes[parser.seriesRange])))
                if let e = parser.exemplar() { out.exemplars.append(e) }
            case .help: out.helps.append((parser.familyName(), parser.helpText()))
            case .type: out.types.append((parser.familyName(), parser.metricType))
            case .unit: out.units.append((parser.familyName(), parser.unit))
            case .comment: out.comments.append(parser.commentText())
            }
        }
    } catch {
        out.error = error
    }
    return out
}

func parseAll(_ text: String, _ format: ExpositionFormat = .prometheusText) -> ParsedBody {
    parseAll(Array(text.utf8), format)
}

/// The first error of parsing `text`, or nil.
func firstError(_ text: String, _ format: ExpositionFormat = .prometheusText) -> ExpositionError? {
    parseAll(text, format).error
}
