import HTTP
import Model
import PromQL

/// `/api/v1/format_query`, `/api/v1/parse_query` and `/api/v1/query_exemplars`.
extension QueryAPI {
    /// The query prettified as Prometheus' `Pretty(0)` prints it.
    static func formatQuery(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        let expr = try parseExpression(r.formValue("query") ?? "")
        let text = Prettier.format(expr)
        return api.success { $0.string(text) }
    }

    /// The query's syntax tree as JSON (see `ASTJSON`).
    static func parseQuery(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        let expr = try parseExpression(r.formValue("query") ?? "")
        return api.success { ASTJSON.write(expr, to: &$0) }
    }

    /// Exemplars for the query's selectors over `start`/`end`. Vigil stores no exemplars yet,
    /// so a valid request answers `[]` (204 when the query has no selector, as Prometheus does).
    static func queryExemplars(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        let start = try RequestParameters.optionalTime(r, "start", default: TimeParameters.minTimeMs)
        let end = try RequestParameters.optionalTime(r, "end", default: TimeParameters.maxTimeMs)
        if end < start { throw APIError(.badData, "end timestamp must not be before start timestamp") }
        let expr: Expr
        do {
            expr = try PromQLParser.parse(r.formValue("query") ?? "")
        } catch {
            throw APIError(.badData, error.description)
        }
        guard hasSelector(expr) else { return HTTPResponse(status: 204) }
        return api.success { w in w.arrayStart(); w.arrayEnd() }
    }

    private static func hasSelector(_ e: Expr) -> Bool {
        switch e {
        case .vectorSelector, .matrixSelector: return true
        default: return e.children.contains(where: hasSelector)
        }
    }
}
