/// A metric family's type as declared by `# TYPE` (Prometheus' `model.MetricType`).
///
/// The text format knows counter, gauge, histogram, summary and untyped (read as `.unknown`);
/// OpenMetrics adds gaugehistogram, info and stateset and spells untyped `unknown`.
package enum MetricType: String, Sendable, Hashable, CaseIterable {
    case counter
    case gauge
    case histogram
    case gaugeHistogram = "gaugehistogram"
    case summary
    case info
    case stateset
    case unknown

    /// The type named by `text` in the text format 0.0.4, or nil.
    static func text004(_ text: UnsafeBufferPointer<UInt8>) -> MetricType? {
        switch String(decoding: text, as: UTF8.self) {
        case "counter": return .counter
        case "gauge": return .gauge
        case "histogram": return .histogram
        case "summary": return .summary
        case "untyped": return .unknown
        default: return nil
        }
    }

    /// The type named by `text` in OpenMetrics 1.0, or nil.
    static func openMetrics(_ text: UnsafeBufferPointer<UInt8>) -> MetricType? {
        switch String(decoding: text, as: UTF8.self) {
        case "counter": return .counter
        case "gauge": return .gauge
        case "histogram": return .histogram
        case "gaugehistogram": return .gaugeHistogram
        case "summary": return .summary
        case "info": return .info
        case "stateset": return .stateset
        case "unknown": return .unknown
        default: return nil
        }
    }
}
