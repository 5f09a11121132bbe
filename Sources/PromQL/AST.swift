package import Model

/// A byte range in the query text, `start..<end`, as Prometheus' `posrange.PositionRange`.
///
/// Positions do not take part in equality: a tree printed and parsed again has the same shape
/// but different offsets, and `parse(print(ast)) == ast` is the contract the printer keeps.
package struct PositionRange: Sendable, Hashable, CustomStringConvertible {
    /// The first byte.
    package var start: Int
    /// One past the last byte.
    package var end: Int

    /// A range.
    package init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    /// Always true; see the type's comment.
    package static func == (_: PositionRange, _: PositionRange) -> Bool { true }

    /// Positions hash to nothing, in line with `==`.
    package func hash(into _: inout Hasher) {}

    /// `start:end`.
    package var description: String { "\(start):\(end)" }

    /// Prometheus' `StartPosInput`: `line:column` of `start` in `query`, both 1-based.
    package func lineColumn(in query: String) -> String {
        let bytes = Array(query.utf8)
        if bytes.isEmpty { return "unknown position" }
        guard start >= 0 && start <= bytes.count else { return "invalid position" }
        var line = 1
        var lastBreak = -1
        for i in 0 ..< start where bytes[i] == UInt8(ascii: "\n") {
            line += 1
            lastBreak = i
        }
        return "\(line):\(start - lastBreak)"
    }
}

/// The value types of PromQL expressions (Prometheus' `ValueType`).
package enum ValueType: String, Sendable, Hashable {
    /// An instant vector.
    case vector
    /// A range vector.
    case matrix
    /// A scalar.
    case scalar
    /// A string.
    case string
    /// No type (invalid).
    case none

    /// The name Prometheus' error messages use (`DocumentedType`).
    package var documented: String {
        switch self {
        case .vector: "instant vector"
        case .matrix: "range vector"
        case .scalar: "scalar"
        case .string: "string"
        case .none: "none"
        }
    }
}

/// A binary operator.
package enum BinaryOp: String, Sendable, Hashable, CaseIterable {
    /// `+`
    case add = "+"
    /// `-`
    case sub = "-"
    /// `*`
    case mul = "*"
    /// `/`
    case div = "/"
    /// `%`
    case mod = "%"
    /// `^`
    case pow = "^"
    /// `atan2`
    case atan2 = "atan2"
    /// `==`
    case eql = "=="
    /// `!=`
    case neq = "!="
    /// `>`
    case gtr = ">"
    /// `<`
    case lss = "<"
    /// `>=`
    case gte = ">="
    /// `<=`
    case lte = "<="
    /// `and`
    case and = "and"
    /// `or`
    case or = "or"
    /// `unless`
    case unless = "unless"

    /// True for `== != > < >= <=`.
    package var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: true
        default: false
        }
    }

    /// True for `and or unless`.
    package var isSetOperator: Bool { self == .and || self == .or || self == .unless }

    /// True for the arithmetic operators, whose results lose the metric name at once.
    package var changesMetricSchema: Bool {
        switch self {
        case .add, .sub, .mul, .div, .mod, .pow, .atan2: true
        default: false
        }
    }

    /// Binding strength, higher binds tighter (Prometheus' yacc precedence table).
    package var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: 3
        case .add, .sub: 4
        case .mul, .div, .mod, .atan2: 5
        case .pow: 6
        }
    }

    /// Only `^` associates to the right.
    package var isRightAssociative: Bool { self == .pow }
}

/// An aggregation operator.
package enum AggregateOp: String, Sendable, Hashable, CaseIterable {
    /// `sum`
    case sum
    /// `avg`
    case avg
    /// `count`
    case count
    /// `min`
    case min
    /// `max`
    case max
    /// `group`
    case group
    /// `stddev`
    case stddev
    /// `stdvar`
    case stdvar
    /// `topk`
    case topk
    /// `bottomk`
    case bottomk
    /// `quantile`
    case quantile
    /// `count_values`
    case countValues = "count_values"
    /// `limitk` (experimental; parsed only to report that).
    case limitk
    /// `limit_ratio` (experimental; parsed only to report that).
    case limitRatio = "limit_ratio"

    /// True when the operator takes a parameter before the vector.
    package var hasParam: Bool {
        switch self {
        case .topk, .bottomk, .quantile, .countValues, .limitk, .limitRatio: true
        default: false
        }
    }

    /// True for the operators Prometheus gates behind the experimental-functions flag.
    package var isExperimental: Bool { self == .limitk || self == .limitRatio }
}

/// Matching cardinality of a binary operation between vectors.
package enum Cardinality: String, Sendable, Hashable {
    /// one-to-one
    case oneToOne = "one-to-one"
    /// many-to-one (`group_left`)
    case manyToOne = "many-to-one"
    /// one-to-many (`group_right`)
    case oneToMany = "one-to-many"
    /// many-to-many (set operators)
    case manyToMany = "many-to-many"
}

/// How the two sides of a vector binary operation are matched (Prometheus' `VectorMatching`).
package struct VectorMatching: Sendable, Hashable {
    /// The cardinality.
    package var card: Cardinality
    /// The `on`/`ignoring` labels.
    package var matchingLabels: [String]
    /// True for `on`, false for `ignoring` (or no clause).
    package var on: Bool
    /// The extra labels of `group_left`/`group_right`.
    package var include: [String]

    /// A matching.
    package init(card: Cardinality = .oneToOne, matchingLabels: [String] = [], on: Bool = false, include: [String] = []) {
        self.card = card
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
    }
}

/// The `@` modifier.
package enum AtModifier: Sendable, Hashable {
    /// `@ <timestamp>` in milliseconds.
    case timestamp(Int64)
    /// `@ start()`
    case start
    /// `@ end()`
    case end
}

/// A number literal; `isDuration` remembers it was written as a duration (`5m`).
package struct NumberLiteral: Sendable, Hashable {
    /// The value (seconds for durations).
    package var value: Double
    /// Written as a duration.
    package var isDuration: Bool
    /// Where it was written.
    package var position: PositionRange

    /// A literal.
    package init(value: Double, isDuration: Bool = false, position: PositionRange) {
        self.value = value
        self.isDuration = isDuration
        self.position = position
    }

    /// Equal values (NaN equals NaN, so printed trees compare equal).
    package static func == (a: NumberLiteral, b: NumberLiteral) -> Bool {
        (a.value == b.value || (a.value.isNaN && b.value.isNaN)) && a.isDuration == b.isDuration
    }

    /// Hashes the value.
    package func hash(into h: inout Hasher) { h.combine(value.isNaN ? 0 : value) }
}

/// An instant vector selector.
package struct VectorSelector: Sendable, Hashable {
    /// The metric name written before the braces, or "".
    package var name: String
    /// All matchers, including one for `name` (appended last, as Prometheus does).
    package var matchers: [Matcher]
    /// The `offset` in milliseconds (negative allowed).
    package var offsetMs: Int64
    /// The `@` modifier.
    package var at: AtModifier?
    /// Where it was written.
    package var position: PositionRange

    /// A selector.
    package init(name: String, matchers: [Matcher], offsetMs: Int64 = 0, at: AtModifier? = nil, position: PositionRange) {
        self.name = name
        self.matchers = matchers
        self.offsetMs = offsetMs
        self.at = at
        self.position = position
    }

    /// Equal name, modifiers and matchers; the order of matchers does not matter (the printer
    /// sorts them, and selection does not depend on it).
    package static func == (a: VectorSelector, b: VectorSelector) -> Bool {
        a.name == b.name && a.offsetMs == b.offsetMs && a.at == b.at
            && a.matchers.map(\.description).sorted() == b.matchers.map(\.description).sorted()
    }

    /// Hashes what `==` compares.
    package func hash(into h: inout Hasher) {
        h.combine(name)
        h.combine(offsetMs)
        h.combine(at)
        h.combine(matchers.map(\.description).sorted())
    }
}

/// A range vector selector: `sel[range]`.
package struct MatrixSelector: Sendable, Hashable {
    /// The selector; its offset and `@` belong to the whole range selector.
    package var selector: VectorSelector
    /// The range in milliseconds.
    package var rangeMs: Int64
    /// Where it was written.
    package var position: PositionRange
}

/// A subquery: `expr[range:step]`.
package struct SubqueryExpr: Sendable, Hashable {
    /// The inner expression.
    package var expr: Expr
    /// The range in milliseconds.
    package var rangeMs: Int64
    /// The step in milliseconds; 0 means the engine's default.
    package var stepMs: Int64
    /// The `offset` in milliseconds.
    package var offsetMs: Int64
    /// The `@` modifier.
    package var at: AtModifier?
    /// Where it was written.
    package var position: PositionRange
}

/// A binary operation.
package struct BinaryExpr: Sendable, Hashable {
    /// The operator.
    package var op: BinaryOp
    /// Left operand.
    package var lhs: Expr
    /// Right operand.
    package var rhs: Expr
    /// Matching between vectors; nil when a side is a scalar.
    package var matching: VectorMatching?
    /// The `bool` modifier.
    package var returnBool: Bool
    /// Where it was written.
    package var position: PositionRange
}

/// An aggregation.
package struct AggregateExpr: Sendable, Hashable {
    /// The operator.
    package var op: AggregateOp
    /// The aggregated vector.
    package var expr: Expr
    /// The parameter of `topk`, `quantile`, `count_values`...
    package var param: Expr?
    /// The `by`/`without` labels.
    package var grouping: [String]
    /// True for `without`.
    package var without: Bool
    /// Where it was written.
    package var position: PositionRange
}

/// A function call.
package struct Call: Sendable, Hashable {
    /// The function.
    package var function: FunctionSignature
    /// The arguments.
    package var args: [Expr]
    /// Where it was written.
    package var position: PositionRange
}

/// A PromQL expression: the AST, a value type.
package indirect enum Expr: Sendable, Hashable {
    /// A number.
    case number(NumberLiteral)
    /// A string literal.
    case string(String, PositionRange)
    /// An instant vector selector.
    case vectorSelector(VectorSelector)
    /// A range vector selector.
    case matrixSelector(MatrixSelector)
    /// A subquery.
    case subquery(SubqueryExpr)
    /// `( expr )`.
    case paren(Expr, PositionRange)
    /// `-expr` or `+expr`; `negate` is true for minus. The range starts at the operator.
    case unary(negate: Bool, Expr, PositionRange)
    /// A binary operation.
    case binary(BinaryExpr)
    /// An aggregation.
    case aggregate(AggregateExpr)
    /// A function call.
    case call(Call)

    /// The value type the expression evaluates to.
    package var type: ValueType {
        switch self {
        case .number: .scalar
        case .string: .string
        case .vectorSelector: .vector
        case .matrixSelector, .subquery: .matrix
        case let .paren(e, _): e.type
        case let .unary(_, e, _): e.type
        case let .binary(b): (b.lhs.type == .scalar && b.rhs.type == .scalar) ? .scalar : .vector
        case .aggregate: .vector
        case let .call(c): c.function.returnType
        }
    }

    /// Where the expression was written.
    package var position: PositionRange {
        switch self {
        case let .number(n): n.position
        case let .string(_, p): p
        case let .vectorSelector(v): v.position
        case let .matrixSelector(m): m.position
        case let .subquery(s): s.position
        case let .paren(_, p): p
        case let .unary(_, _, p): p
        case let .binary(b): b.position
        case let .aggregate(a): a.position
        case let .call(c): c.position
        }
    }

    /// The direct children, in order.
    package var children: [Expr] {
        switch self {
        case .number, .string, .vectorSelector, .matrixSelector: []
        case let .subquery(s): [s.expr]
        case let .paren(e, _): [e]
        case let .unary(_, e, _): [e]
        case let .binary(b): [b.lhs, b.rhs]
        case let .aggregate(a): (a.param.map { [$0] } ?? []) + [a.expr]
        case let .call(c): c.args
        }
    }

    /// The expression inside any number of parentheses.
    package var unparenthesized: Expr {
        var e = self
        while case let .paren(inner, _) = e { e = inner }
        return e
    }
}
