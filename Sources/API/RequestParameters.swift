import HTTP
import Model
import PromQL

/// Reading the parameters the query endpoints share, with Prometheus' defaults and wording.
enum RequestParameters {
    /// `limit`: empty means 0 (no limit); Go's `strconv.Atoi` wording for garbage.
    static func limit(_ r: HTTPRequest) throws(APIError) -> Int {
        guard let s = r.formValue("limit"), !s.isEmpty else { return 0 }
        guard let v = parseAtoi(s) else {
            let reason = isAtoiRangeError(s) ? "value out of range" : "invalid syntax"
            throw .invalidParameter("limit", "strconv.Atoi: parsing \(goQuoted(s)): \(reason)")
        }
        if v < 0 { throw .invalidParameter("limit", "limit must be non-negative") }
        return v
    }

    /// Prometheus' `toHintLimit`: one more than asked, so truncation can be detected.
    static func hintLimit(_ limit: Int) -> Int {
        limit > 0 && limit < Int.max ? limit + 1 : limit
    }

    /// An optional time parameter (`parseTimeParam`): the default when absent or empty.
    static func optionalTime(_ r: HTTPRequest, _ name: String, default value: Int64) throws(APIError) -> Int64 {
        guard let s = r.formValue(name), !s.isEmpty else { return value }
        do {
            return try TimeParameters.parseTime(s)
        } catch {
            throw .invalidParameter(name, "invalid time value for '\(name)': \(error.message)")
        }
    }

    /// A required time parameter (`parseTime` on the raw value, as `query_range` does).
    static func requiredTime(_ r: HTTPRequest, _ name: String) throws(APIError) -> Int64 {
        do {
            return try TimeParameters.parseTime(r.formValue(name) ?? "")
        } catch {
            throw .invalidParameter(name, error.message)
        }
    }

    /// A duration parameter in milliseconds.
    static func duration(_ r: HTTPRequest, _ name: String) throws(APIError) -> Int64 {
        do {
            return try TimeParameters.parseDuration(r.formValue(name) ?? "")
        } catch {
            throw .invalidParameter(name, error.message)
        }
    }

    /// The `match[]` values parsed as series selectors (`parseMatchersParam`); each set must
    /// have a matcher that does not match the empty string.
    static func matcherSets(_ values: [String]) throws(PromQLError) -> [[Matcher]] {
        var sets: [[Matcher]] = []
        for v in values {
            sets.append(try PromQLParser.parseMetricSelector(v))
        }
        return sets
    }

    /// `matcherSets` with the API's wording: parse errors as they are, plus the check that
    /// each set selects something. `prefix` names the parameter when the endpoint does (series).
    static func matchers(_ r: HTTPRequest, parameterPrefix: Bool) throws(APIError) -> [[Matcher]] {
        let sets: [[Matcher]]
        do {
            sets = try matcherSets(r.formValues("match[]"))
        } catch {
            throw parameterPrefix ? .invalidParameter("match[]", error.description) : APIError(.badData, error.description)
        }
        for set in sets where !set.contains(where: { !$0.matches("") }) {
            let reason = "match[] must contain at least one non-empty matcher"
            throw parameterPrefix ? .invalidParameter("match[]", reason) : APIError(.badData, reason)
        }
        return sets
    }

    /// Go's `strconv.Atoi`: optional sign, decimal digits, 64-bit range.
    private static func parseAtoi(_ s: String) -> Int? {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s.hasPrefix("+") ? String(s.dropFirst()) : s)
    }

    private static func isAtoiRangeError(_ s: String) -> Bool {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        return !body.isEmpty && body.allSatisfy({ $0.isASCII && $0.isNumber })
    }
}
