internal import Foundation

/// Element-wise math functions of instant vectors.
extension Evaluator {
    static let mathFunctions: [String: @Sendable (Double) -> Double] = [
        "abs": { Swift.abs($0) },
        "ceil": { Foundation.ceil($0) },
        "floor": { Foundation.floor($0) },
        "exp": { Foundation.exp($0) },
        "sqrt": { $0.squareRoot() },
        "ln": { Foundation.log($0) },
        "log2": { Foundation.log2($0) },
        "log10": { Foundation.log10($0) },
        "sin": { Foundation.sin($0) },
        "cos": { Foundation.cos($0) },
        "tan": { Foundation.tan($0) },
        "asin": { Foundation.asin($0) },
        "acos": { Foundation.acos($0) },
        "atan": { Foundation.atan($0) },
        "sinh": { Foundation.sinh($0) },
        "cosh": { Foundation.cosh($0) },
        "tanh": { Foundation.tanh($0) },
        "asinh": { Foundation.asinh($0) },
        "acosh": { Foundation.acosh($0) },
        "atanh": { Foundation.atanh($0) },
        "rad": { $0 * Double.pi / 180 },
        "deg": { $0 * 180 / Double.pi },
        "sgn": { $0 < 0 ? -1 : ($0 > 0 ? 1 : $0) },
    ]
}
