import HTTP
import Model
import PromQL

/// The Prometheus-compatible query API: `/api/v1/query`, `query_range`, `series`, `labels`,
/// `label/:name/values`, `query_exemplars`, `format_query`, `parse_query` and `/federate`,
/// answering with Prometheus 3's paths, parameters, JSON shapes, status codes and wording.
///
/// The daemon builds one over its storage and engine and calls `register(on:pool:)`. Every
/// handler runs on the given worker pool, since queries block. Responses are never
/// gzip-compressed, even when the client sends `Accept-Encoding: gzip` (Prometheus compresses;
/// clients accept identity bodies, and skipping it keeps the worker threads on query work).
package struct QueryAPI: Sendable {
    /// An endpoint: reads the request, returns a response or throws the API error to answer.
    typealias Endpoint = @Sendable (QueryAPI, HTTPRequest) throws(APIError) -> HTTPResponse

    /// The data read by every endpoint.
    let storage: any Queryable
    /// The engine; per-request settings (timeout, lookback) are applied to a copy.
    let engine: PromQLEngine
    /// Flags and configuration.
    let options: QueryAPIOptions

    /// An API over `storage`; the engine's lookback delta is replaced by the options' one.
    package init(storage: any Queryable, engine: PromQLEngine, options: QueryAPIOptions = QueryAPIOptions()) {
        self.storage = storage
        var engine = engine
        engine.options.lookbackDeltaMs = options.lookbackDeltaMs
        self.engine = engine
        self.options = options
    }

    /// Adds the API's routes, all running on `pool`, plus the CORS preflight for `/api/v1/*`.
    package func register(on router: inout Router, pool: WorkerPool) {
        let ex = RouteExecutor.pool(pool)
        let getPost: [HTTPMethod] = [.get, .post]
        router.add(getPost, "/api/v1/query", executor: ex, handler(QueryAPI.query))
        router.add(getPost, "/api/v1/query_range", executor: ex, handler(QueryAPI.queryRange))
        router.add(getPost, "/api/v1/query_exemplars", executor: ex, handler(QueryAPI.queryExemplars))
        router.add(getPost, "/api/v1/format_query", executor: ex, handler(QueryAPI.formatQuery))
        router.add(getPost, "/api/v1/parse_query", executor: ex, handler(QueryAPI.parseQuery))
        router.add(getPost, "/api/v1/labels", executor: ex, handler(QueryAPI.labelNames))
        router.add(.get, "/api/v1/label/:name/values", executor: ex, handler(QueryAPI.labelValues))
        router.add(getPost, "/api/v1/series", executor: ex, handler(QueryAPI.series))
        // The router answers an exact path before trying patterns, so the preflight is added to
        // each exact path as well as to the catch-all.
        for path in ["query", "query_range", "query_exemplars", "format_query", "parse_query", "labels", "series",
                     "label/:name/values", "*path"] {
            router.add(.options, "/api/v1/" + path, executor: .inline, handler(QueryAPI.preflight))
        }
        // Without this, the OPTIONS catch-all would turn every unknown API path into a 405. An
        // unknown endpoint is Go's plain-text 404, as Prometheus answers (not a JSON envelope).
        router.add([.get, .post], "/api/v1/*path", executor: .inline) { _ in
            HTTPResponse.goError("404 page not found", status: 404)
        }
        router.add(.get, "/federate", executor: ex) { request in self.federate(request) }
    }

    /// Wraps an endpoint: runs it, turns a thrown `APIError` into Prometheus' error envelope with
    /// the status for its class, and adds the CORS headers to whatever is answered.
    func handler(_ endpoint: @escaping Endpoint) -> HTTPHandler {
        { request in
            var response: HTTPResponse
            do throws(APIError) {
                response = try endpoint(self, request)
            } catch {
                response = QueryAPI.errorResponse(error)
            }
            options.cors.apply(origin: request.header("Origin"), to: &response.headers)
            return response
        }
    }

    /// `{"status":"error","errorType":...,"error":...}` with the class's status code.
    static func errorResponse(_ e: APIError) -> HTTPResponse {
        HTTPResponse(status: e.type.httpStatus, contentType: "application/json", body: APIEnvelope.error(e))
    }

    /// A success envelope around `data`, with annotations capped as Prometheus caps them.
    func success(warnings: [String] = [], infos: [String] = [], _ data: (inout JSONWriter) -> Void) -> HTTPResponse {
        let (w, i) = capped(warnings: warnings, infos: infos)
        return HTTPResponse(status: 200, contentType: "application/json",
                            body: APIEnvelope.success(warnings: w, infos: i, data: data))
    }

    /// Each annotation once (Prometheus keeps them in a set), at most `maxAnnotations` of each
    /// kind, then `N more warning annotations omitted`.
    func capped(warnings: [String], infos: [String]) -> ([String], [String]) {
        func cap(_ all: [String], _ kind: String) -> [String] {
            var seen = Set<String>()
            let list = all.filter { seen.insert($0).inserted }
            let n = options.maxAnnotations
            guard n > 0, list.count > n else { return list }
            return Array(list.prefix(n)) + ["\(list.count - n) more \(kind) annotations omitted"]
        }
        return (cap(warnings, "warning"), cap(infos, "info"))
    }

    /// `OPTIONS /api/v1/*`: 204 with the CORS headers (added by `handler`).
    static func preflight(_: QueryAPI, _: HTTPRequest) throws(APIError) -> HTTPResponse {
        HTTPResponse(status: 204)
    }
}
