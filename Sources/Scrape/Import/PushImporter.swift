import Exposition
import Model

/// Why a pushed body was refused; nothing of it was stored.
package enum ImportError: Error, Sendable, CustomStringConvertible {
    /// The body is not valid exposition text (line and column inside).
    case parse(ExpositionError)
    /// A sample was rejected by storage (out of order, duplicate, ...): the 1-based index of
    /// the sample in the body and its series.
    case storage(StorageError, sample: Int, series: String)
    /// An `extra_label` query parameter is malformed.
    case badExtraLabel(String)
    /// The Content-Type names a format we do not read.
    case contentType(ExpositionError)

    package var description: String {
        switch self {
        case .parse(let e): return "cannot parse body: \(e)"
        case .storage(let e, let sample, let series): return "sample \(sample) \(series): \(e)"
        case .badExtraLabel(let v): return "invalid extra_label \(goQuoted(v)): expected name=value with a valid label name"
        case .contentType(let e): return "\(e)"
        }
    }
}

/// Takes pushed exposition text (`POST /api/v1/import/prometheus`, VictoriaMetrics' import
/// format) and appends it as one batch: all samples or none.
///
/// The whole body is parsed before anything is appended, so a syntax error late in the body
/// leaves storage untouched; a storage rejection (out of order, duplicate timestamp with a
/// different value) rolls the batch back. Samples without a timestamp get `defaultTimestamp`.
/// `extraLabels` are added to every series and win over labels of the same name in the body.
package struct PushImporter: Sendable {
    package let storage: any Appendable

    package init(storage: any Appendable) {
        self.storage = storage
    }

    /// Parses `name=value` pairs of `extra_label` parameters.
    package static func extraLabels(_ params: [String]) throws(ImportError) -> [(String, String)] {
        var out: [(String, String)] = []
        for p in params {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else { throw .badExtraLabel(p) }
            let name = String(p[..<eq])
            guard isValidUTF8LabelName(name), name != "__name__" || !p[p.index(after: eq)...].isEmpty else {
                throw .badExtraLabel(p)
            }
            out.append((name, String(p[p.index(after: eq)...])))
        }
        return out
    }

    /// Imports `body`; returns the number of samples stored. `contentType` picks OpenMetrics when
    /// it says so and text 0.0.4 otherwise: `curl --data-binary` sends a form content type, and
    /// refusing it would break the most common client. Protobuf is refused explicitly.
    @discardableResult
    package func importBody(_ body: [UInt8], contentType: String?, extraLabels: [(String, String)],
                            defaultTimestamp: Int64) throws(ImportError) -> Int {
        var format = ExpositionFormat.prometheusText
        if let ct = contentType?.lowercased() {
            if ct.contains("protobuf") { throw .contentType(.unsupportedContentType(ct)) }
            if ct.hasPrefix("application/openmetrics-text") { format = .openMetrics }
        }

        // Parse everything first: a late syntax error must not leave a partial batch behind.
        struct Pending { var labels: Labels; var t: Int64; var v: Double }
        var pending: [Pending] = []
        var parser = ExpositionParser(body, format: format)
        do {
            while let entry = try parser.next() {
                guard case .series = entry else { continue }
                var labels = try parser.labels()
                if !extraLabels.isEmpty {
                    var b = LabelsBuilder(labels)
                    for (k, v) in extraLabels { b.set(k, v) }
                    labels = b.labels()
                }
                pending.append(Pending(labels: labels, t: parser.timestamp ?? defaultTimestamp, v: parser.value))
            }
        } catch {
            throw .parse(error)
        }

        let app = storage.appender()
        for (i, p) in pending.enumerated() {
            do {
                try app.append(p.labels, t: p.t, v: p.v)
            } catch {
                try? app.rollback()
                throw .storage(error, sample: i + 1, series: p.labels.description)
            }
        }
        do { try app.commit() } catch {
            throw .storage(error, sample: pending.count, series: "(commit)")
        }
        return pending.count
    }
}
