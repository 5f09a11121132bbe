import HTTP
import Model
import PromQL

/// `/api/v1/series`, `/api/v1/labels` and `/api/v1/label/:name/values` (Prometheus'
/// `api.series`, `api.labelNames`, `api.labelValues`).
extension QueryAPI {
    /// Prometheus checks for a departed client every this many series.
    static let checkClientEvery = 128

    /// Series matching any `match[]` (required), over `start`/`end` (default: all time),
    /// at most `limit`.
    static func series(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        if r.formValues("match[]").isEmpty { throw APIError(.badData, "no match[] parameter provided") }
        let limit = try RequestParameters.limit(r)
        let start = try RequestParameters.optionalTime(r, "start", default: TimeParameters.minTimeMs)
        let end = try RequestParameters.optionalTime(r, "end", default: TimeParameters.maxTimeMs)
        let sets = try RequestParameters.matchers(r, parameterPrefix: true)
        let querier = try api.querier(start, end)
        defer { querier.close() }
        let hints = SelectHints(sorted: true, limit: RequestParameters.hintLimit(limit))
        var found: [Labels] = []
        var warnings: [String] = []
        var seen = Set<Labels>()
        var count = 0
        for matchers in sets {
            let set = querier.select(matchers, hints: hints)
            while set.next() {
                count += 1
                if count % checkClientEvery == 0 && r.context.isClientGone {
                    throw APIError(.canceled, "context canceled")
                }
                let labels = set.at().labels
                if sets.count == 1 || seen.insert(labels).inserted { found.append(labels) }
            }
            if let e = set.error { throw APIError(storage: e) }
            warnings += set.warnings
        }
        // Several selectors are merged in label order, as Prometheus' merge series set does.
        if sets.count > 1 { found.sort { Labels.compare($0, $1) < 0 } }
        if limit > 0 && found.count > limit {
            found.removeLast(found.count - limit)
            warnings.append("results truncated due to limit")
        }
        return api.success(warnings: warnings) { w in
            w.arrayStart()
            for l in found { w.labels(l) }
            w.arrayEnd()
        }
    }

    /// Label names among series matching the optional `match[]`, over `start`/`end`.
    static func labelNames(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        try labelList(api, r) { (q, matchers, hint) throws(StorageError) in
            try q.labelNames(matchers: matchers, limit: hint)
        }
    }

    /// Values of the label in the path (`U__`-escaped names decoded) among series matching the
    /// optional `match[]`, over `start`/`end`.
    static func labelValues(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        if let raw = rawLabelName(r), String(validating: raw, as: UTF8.self) == nil {
            // A path escape spelling bytes that are not UTF-8 (`%FF`): never a valid name.
            throw APIError(.badData, "invalid label name: \(goQuoted(bytes: raw))")
        }
        var name = r.pathParameter("name") ?? ""
        if name.hasPrefix("U__") { name = LabelNameEscaping.unescape(name) }
        if !isValidUTF8LabelName(name) { throw APIError(.badData, "invalid label name: \(goQuoted(name))") }
        return try labelList(api, r) { (q, matchers, hint) throws(StorageError) in
            try q.labelValues(name, matchers: matchers, limit: hint)
        }
    }

    /// The shared body of the two label endpoints: `limit`, `start`, `end` and repeated
    /// `match[]` (results united across selectors), sorted as Prometheus sorts, truncated with
    /// its warning.
    private static func labelList(
        _ api: QueryAPI, _ r: HTTPRequest,
        fetch: (any Querier, [Matcher], Int) throws(StorageError) -> [String]
    ) throws(APIError) -> HTTPResponse {
        let limit = try RequestParameters.limit(r)
        let start = try RequestParameters.optionalTime(r, "start", default: TimeParameters.minTimeMs)
        let end = try RequestParameters.optionalTime(r, "end", default: TimeParameters.maxTimeMs)
        let sets = try RequestParameters.matchers(r, parameterPrefix: false)
        let querier = try api.querier(start, end)
        defer { querier.close() }
        let hint = RequestParameters.hintLimit(limit)
        var items: [String]
        do {
            if sets.count > 1 {
                var all = Set<String>()
                for m in sets { all.formUnion(try fetch(querier, m, hint)) }
                items = Array(all)
            } else {
                items = try fetch(querier, sets.first ?? [], hint)
            }
        } catch {
            throw APIError(storage: error)
        }
        items.sort { Labels.compareUTF8($0, $1) < 0 }
        return api.truncatedList(items, limit: limit)
    }

    /// The `<name>` of `/label/<name>/values` percent-decoded to raw bytes from the target as
    /// sent (the decoded path has already replaced invalid UTF-8), or nil when not found.
    static func rawLabelName(_ r: HTTPRequest) -> [UInt8]? {
        let path = r.target.utf8.prefix { $0 != UInt8(ascii: "?") }
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard let i = segments.firstIndex(where: { $0.elementsEqual("label".utf8) }), i + 1 < segments.count else { return nil }
        let segment = Array(segments[i + 1])
        var out: [UInt8] = []
        var k = 0
        while k < segment.count {
            if segment[k] == UInt8(ascii: "%"), k + 2 < segment.count,
               let hi = hexDigit(segment[k + 1]), let lo = hexDigit(segment[k + 2]) {
                out.append(hi << 4 | lo)
                k += 3
            } else {
                out.append(segment[k])
                k += 1
            }
        }
        return out
    }

    private static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A querier over `[start, end]`, with storage failures as API errors.
    func querier(_ start: Int64, _ end: Int64) throws(APIError) -> any Querier {
        do {
            return try storage.querier(mint: start, maxt: end)
        } catch {
            throw APIError(storage: error)
        }
    }

    /// A string list, cut to `limit` with Prometheus' warning when longer.
    func truncatedList(_ list: [String], limit: Int) -> HTTPResponse {
        var list = list
        var warnings: [String] = []
        if limit > 0 && list.count > limit {
            list.removeLast(list.count - limit)
            warnings.append("results truncated due to limit")
        }
        return success(warnings: warnings) { w in
            w.arrayStart()
            for s in list { w.string(s) }
            w.arrayEnd()
        }
    }
}
