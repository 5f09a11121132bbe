/// Prometheus' error classes and the HTTP status each maps to (Prometheus 3, web/api/v1).
package enum APIErrorType: String, Sendable {
    case badData = "bad_data"
    case execution = "execution"
    case timeout = "timeout"
    case canceled = "canceled"
    case `internal` = "internal"
    case notFound = "not_found"
    case unavailable = "unavailable"

    /// The status code Prometheus 3 answers with for this error class.
    package var httpStatus: Int {
        switch self {
        case .badData: return 400
        case .execution: return 422
        case .canceled: return 499
        case .timeout: return 503
        case .internal: return 500
        case .notFound: return 404
        case .unavailable: return 503
        }
    }
}

/// An API failure: its class and a message for the `error` field.
package struct APIError: Error, Sendable {
    package var type: APIErrorType
    package var message: String

    package init(_ type: APIErrorType, _ message: String) {
        self.type = type
        self.message = message
    }
}

/// Builds the `{"status":"success","data":...}` and `{"status":"error",...}` envelopes.
package enum APIEnvelope {
    /// `{"status":"success","data":<data>}` plus `warnings`/`infos` when non-empty.
    package static func success(warnings: [String] = [], infos: [String] = [], data: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.objectStart()
        w.key("status"); w.string("success")
        w.key("data"); data(&w)
        if !warnings.isEmpty {
            w.key("warnings"); w.arrayStart(); for x in warnings { w.string(x) }; w.arrayEnd()
        }
        if !infos.isEmpty {
            w.key("infos"); w.arrayStart(); for x in infos { w.string(x) }; w.arrayEnd()
        }
        w.objectEnd()
        return w.bytes
    }

    /// `{"status":"error","errorType":"...","error":"..."}`.
    package static func error(_ e: APIError) -> [UInt8] {
        var w = JSONWriter(capacity: 128)
        w.objectStart()
        w.key("status"); w.string("error")
        w.key("errorType"); w.string(e.type.rawValue)
        w.key("error"); w.string(e.message)
        w.objectEnd()
        return w.bytes
    }
}
