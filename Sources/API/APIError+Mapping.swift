import Model
import PromQL

extension APIError {
    /// Prometheus' `invalidParamError`: `invalid parameter "<name>": <reason>`, bad_data.
    package static func invalidParameter(_ name: String, _ reason: String) -> APIError {
        APIError(.badData, "invalid parameter \(goQuoted(name)): \(reason)")
    }

    /// Prometheus' `returnAPIError` for an error out of query evaluation: canceled and timeout
    /// keep their classes, storage failures are internal, everything else (including too many
    /// samples) is an execution error.
    package init(evaluation e: PromQLError) {
        switch e {
        case .canceled: self.init(.canceled, e.description)
        case .timeout: self.init(.timeout, e.description)
        case .storage: self.init(.internal, e.description)
        case .parse, .execution, .tooManySamples: self.init(.execution, e.description)
        }
    }

    /// A storage failure outside the engine (queriers for series and labels). Prometheus passes
    /// these through `returnAPIError`, which classes a plain error as `execution`.
    package init(storage e: StorageError) {
        self.init(.execution, e.description)
    }
}
