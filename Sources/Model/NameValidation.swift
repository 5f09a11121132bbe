/// How metric and label names are checked: Prometheus 3 defaults to `.utf8`.
///
/// Configuration can select `legacy` globally or per scrape job
/// (`metric_name_validation_scheme`); relabel rules and scrapes then check names with it.
package enum NameValidationScheme: String, Sendable, Hashable {
    /// Any non-empty, well-formed UTF-8 name (Prometheus 3 default).
    case utf8
    /// The classic character set: `[a-zA-Z_][a-zA-Z0-9_]*` for labels, plus `:` for metrics.
    case legacy

    /// True when `name` is a valid label name under this scheme.
    package func isValidLabelName(_ name: String) -> Bool {
        switch self {
        case .utf8: return !name.isEmpty
        case .legacy: return isValidLegacyLabelName(name)
        }
    }

    /// True when `name` is a valid metric name under this scheme.
    package func isValidMetricName(_ name: String) -> Bool {
        switch self {
        case .utf8: return !name.isEmpty
        case .legacy: return isValidLegacyMetricName(name)
        }
    }
}

/// Prometheus 3's default label-name check: non-empty and valid UTF-8.
///
/// A Swift `String` is always valid UTF-8, so only emptiness is checked; use
/// `isValidUTF8LabelName(bytes:)` for raw bytes that may not be UTF-8.
package func isValidUTF8LabelName(_ name: String) -> Bool {
    !name.isEmpty
}

/// The UTF-8 label-name check on raw bytes (e.g. a decoded YAML `!!binary` value).
package func isValidUTF8LabelName(bytes: [UInt8]) -> Bool {
    !bytes.isEmpty && isValidUTF8(bytes)
}

/// The legacy label-name check `[a-zA-Z_][a-zA-Z0-9_]*`.
package func isValidLegacyLabelName(_ name: String) -> Bool {
    guard !name.isEmpty else { return false }
    for (offset, byte) in name.utf8.enumerated() {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            continue
        case UInt8(ascii: "0")...UInt8(ascii: "9") where offset > 0:
            continue
        default:
            return false
        }
    }
    return true
}

/// The legacy metric-name check `[a-zA-Z_:][a-zA-Z0-9_:]*`.
package func isValidLegacyMetricName(_ name: String) -> Bool {
    guard !name.isEmpty else { return false }
    for (offset, byte) in name.utf8.enumerated() {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "_"), UInt8(ascii: ":"):
            continue
        case UInt8(ascii: "0")...UInt8(ascii: "9") where offset > 0:
            continue
        default:
            return false
        }
    }
    return true
}
