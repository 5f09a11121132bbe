/// A function's name and type signature (Prometheus' `parser.Function`).
package struct FunctionSignature: Sendable, Hashable {
    /// The name.
    package let name: String
    /// The argument types; with `variadic != 0` the last one repeats.
    package let argTypes: [ValueType]
    /// 0: exactly `argTypes`; n > 0: the last argument may be left out or repeat up to n times
    /// in total; -1: the last argument repeats without limit.
    package let variadic: Int
    /// The result type.
    package let returnType: ValueType
    /// True when Prometheus gates the function behind `promql-experimental-functions`.
    package let experimental: Bool

    init(_ name: String, _ args: [ValueType], _ ret: ValueType, variadic: Int = 0, experimental: Bool = false) {
        self.name = name
        self.argTypes = args
        self.variadic = variadic
        self.returnType = ret
        self.experimental = experimental
    }

    /// Every function the parser knows, by name: Prometheus 3's stable float functions, plus
    /// `mad_over_time` and `sort_by_label(_desc)` which the engine implements although
    /// Prometheus still calls them experimental. Native-histogram functions are absent.
    package static let all: [String: FunctionSignature] = {
        let v = ValueType.vector, m = ValueType.matrix, s = ValueType.scalar, str = ValueType.string
        let list: [FunctionSignature] = [
            .init("abs", [v], v), .init("absent", [v], v), .init("absent_over_time", [m], v),
            .init("acos", [v], v), .init("acosh", [v], v), .init("asin", [v], v), .init("asinh", [v], v),
            .init("atan", [v], v), .init("atanh", [v], v), .init("avg_over_time", [m], v),
            .init("ceil", [v], v), .init("changes", [m], v), .init("clamp", [v, s, s], v),
            .init("clamp_max", [v, s], v), .init("clamp_min", [v, s], v), .init("cos", [v], v),
            .init("cosh", [v], v), .init("count_over_time", [m], v),
            .init("days_in_month", [v], v, variadic: 1), .init("day_of_month", [v], v, variadic: 1),
            .init("day_of_week", [v], v, variadic: 1), .init("day_of_year", [v], v, variadic: 1),
            .init("deg", [v], v), .init("delta", [m], v), .init("deriv", [m], v), .init("exp", [v], v),
            .init("first_over_time", [m], v, experimental: true),
            .init("histogram_quantiles", [v, str, s, s], v, variadic: 9, experimental: true),
            .init("floor", [v], v), .init("histogram_quantile", [s, v], v),
            .init("hour", [v], v, variadic: 1), .init("idelta", [m], v), .init("increase", [m], v),
            .init("irate", [m], v), .init("label_replace", [v, str, str, str, str], v),
            .init("label_join", [v, str, str, str], v, variadic: -1), .init("last_over_time", [m], v),
            .init("ln", [v], v), .init("log10", [v], v), .init("log2", [v], v),
            .init("mad_over_time", [m], v, experimental: true),
            .init("max_over_time", [m], v), .init("min_over_time", [m], v),
            .init("minute", [v], v, variadic: 1), .init("month", [v], v, variadic: 1),
            .init("pi", [], s), .init("predict_linear", [m, s], v), .init("present_over_time", [m], v),
            .init("quantile_over_time", [s, m], v), .init("rad", [v], v), .init("rate", [m], v),
            .init("resets", [m], v), .init("round", [v, s], v, variadic: 1), .init("scalar", [v], s),
            .init("sgn", [v], v), .init("sin", [v], v), .init("sinh", [v], v), .init("sort", [v], v),
            .init("sort_desc", [v], v),
            .init("sort_by_label", [v, str], v, variadic: -1, experimental: true),
            .init("sort_by_label_desc", [v, str], v, variadic: -1, experimental: true),
            .init("sqrt", [v], v), .init("stddev_over_time", [m], v), .init("stdvar_over_time", [m], v),
            .init("sum_over_time", [m], v), .init("tan", [v], v), .init("tanh", [v], v),
            .init("time", [], s), .init("timestamp", [v], v), .init("vector", [s], v),
            .init("year", [v], v, variadic: 1),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.name, $0) })
    }()

    /// Names Prometheus knows but this engine does not implement (native histograms or
    /// experimental features), so the parser can say so instead of "unknown function".
    static let unsupported: Set<String> = [
        "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev", "histogram_stdvar",
        "histogram_fraction", "double_exponential_smoothing", "info",
        "ts_of_first_over_time", "ts_of_last_over_time", "ts_of_max_over_time",
        "ts_of_min_over_time", "start_timestamp", "max_of", "min_of", "start", "end", "step", "range",
    ]
}
