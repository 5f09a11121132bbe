import Foundation
import Model
import Testing
import TestSupport

/// Reading the same Prometheus HTTP API from Vigil and from a real Prometheus, and putting the
/// answers in a form that can be compared: series as label sets, samples as (time, value text).
enum APIComparison {
    /// One series' labels.
    typealias LabelSet = [String: String]

    /// A label set as one sortable string (`{a="1", b="2"}`, names sorted).
    static func key(_ labels: LabelSet) -> String {
        "{" + labels.keys.sorted().map { "\($0)=\(String(reflecting: labels[$0] ?? ""))" }.joined(separator: ", ") + "}"
    }

    /// `GET path` on 127.0.0.1:`port`; the `data` member of a successful answer.
    static func data(port: Int, _ path: String) throws -> Any {
        let r = try ExternalProcess.get(port: port, path, timeout: .seconds(60))
        guard r.status == 200,
              let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
              json["status"] as? String == "success", let data = json["data"] else {
            throw DaemonProcessError(description: "GET \(path) on :\(port): \(r.status) \(r.text.prefix(300))")
        }
        return data
    }

    /// Every series with a sample in [start, end] (Unix seconds), by `key`.
    /// `mapLabels` rewrites each label set before keying (see `prometheus3`).
    static func series(port: Int, start: Double, end: Double,
                       mapLabels: (LabelSet) -> LabelSet = { $0 }) throws -> [String: LabelSet] {
        let path = "/api/v1/series?match%5B%5D=%7B__name__%3D~%22.%2B%22%7D&start=\(seconds(start))&end=\(seconds(end))"
        guard let list = try data(port: port, path) as? [[String: String]] else {
            throw DaemonProcessError(description: "series: not a list of label sets")
        }
        var out: [String: LabelSet] = [:]
        for l in list {
            let mapped = mapLabels(l)
            out[key(mapped)] = mapped
        }
        return out
    }

    /// The raw samples of every series matching `selector` in (at - window, at], as
    /// `[key: [(t, value text)]]`, through an instant query of a range selector.
    /// `mapLabels` rewrites each series' labels before keying (see `prometheus3`).
    static func rawSamples(port: Int, selector: String, windowSeconds: Int, at: Double,
                           mapLabels: (LabelSet) -> LabelSet = { $0 }) throws -> [String: [String]] {
        let query = "\(selector)[\(windowSeconds)s]"
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        guard let data = try data(port: port, "/api/v1/query?query=\(encoded)&time=\(seconds(at))") as? [String: Any],
              data["resultType"] as? String == "matrix", let result = data["result"] as? [[String: Any]] else {
            throw DaemonProcessError(description: "query \(query): not a matrix")
        }
        var out: [String: [String]] = [:]
        for series in result {
            guard let metric = series["metric"] as? [String: String], let values = series["values"] as? [[Any]] else { continue }
            out[key(mapLabels(metric))] = values.map { pair in "\(pair.first.map { "\($0)" } ?? "?") \(pair.last as? String ?? "?")" }
        }
        return out
    }

    /// Metric family types from `/api/v1/metadata` (family name → type).
    static func metricTypes(port: Int) throws -> [String: String] {
        guard let map = try data(port: port, "/api/v1/metadata") as? [String: [[String: String]]] else { return [:] }
        var out: [String: String] = [:]
        for (name, entries) in map { if let t = entries.first?["type"] { out[name] = t } }
        return out
    }

    /// What Prometheus 3 stores for a label set that Prometheus 2.42 stored as `labels`: since
    /// 3.0 the `le` value of a histogram bucket and the `quantile` value of a summary are
    /// normalized at ingestion to OpenMetrics floats (`1` → `1.0`), whatever the exposition
    /// wrote. `types` maps family names to their type.
    static func prometheus3(_ labels: LabelSet, types: [String: String]) -> LabelSet {
        guard let name = labels["__name__"] else { return labels }
        var out = labels
        if let le = labels["le"], name.hasSuffix("_bucket"), types[String(name.dropLast(7))] == "histogram" {
            out["le"] = openMetricsFloat(le)
        }
        if let q = labels["quantile"], types[name] == "summary" {
            out["quantile"] = openMetricsFloat(q)
        }
        return out
    }

    /// Go's ParseFloat then `FormatOpenMetricsFloat`; text that is no float stays as it is.
    static func openMetricsFloat(_ text: String) -> String {
        let lower = text.lowercased()
        let v: Double
        switch lower {
        case "+inf", "inf": v = .infinity
        case "-inf": v = -.infinity
        case "nan": return "NaN"
        default:
            guard let d = Double(text) else { return text }
            v = d
        }
        if v == 0 { return "0.0" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let g = FloatFormat.g(v)
        return g.contains(".") || g.contains("e") ? g : g + ".0"
    }

    /// Unix seconds with millisecond precision, as the API's time parameters take them.
    static func seconds(_ t: Double) -> String { String(format: "%.3f", t) }

    /// Wall-clock Unix seconds.
    static func now() -> Double { Date().timeIntervalSince1970 }

    /// A readable list of at most 20 keys.
    static func list(_ keys: some Collection<String>) -> String {
        let sorted = keys.sorted()
        return sorted.prefix(20).joined(separator: "\n") + (sorted.count > 20 ? "\n... (\(sorted.count) in all)" : "")
    }
}
