import Model
import PromQL

/// The AST as `/api/v1/parse_query` returns it (Prometheus' `translateAST` in
/// `web/api/v1/translate_ast.go`, 3.14). Prometheus builds Go maps, so keys come out in sorted
/// order; the writer below lists them in that order. Duration expressions (`rangeExpr`,
/// `offsetExpr`, `stepExpr`), `anchored`/`smoothed` and `fill` values are features Vigil does not
/// parse, so they are always null/false.
package enum ASTJSON {
    /// Writes `e` as one JSON value.
    package static func write(_ e: Expr, to w: inout JSONWriter) {
        switch e {
        case let .aggregate(a):
            w.objectStart()
            w.key("expr"); write(a.expr, to: &w)
            w.key("grouping"); stringArray(a.grouping, to: &w)
            w.key("op"); w.string(a.op.rawValue)
            w.key("param"); if let p = a.param { write(p, to: &w) } else { w.null() }
            w.key("type"); w.string("aggregation")
            w.key("without"); w.bool(a.without)
            w.objectEnd()
        case let .binary(b):
            w.objectStart()
            w.key("bool"); w.bool(b.returnBool)
            w.key("lhs"); write(b.lhs, to: &w)
            w.key("matching")
            if let m = b.matching {
                w.objectStart()
                w.key("card"); w.string(m.card.rawValue)
                w.key("fillValues")
                w.objectStart(); w.key("lhs"); w.null(); w.key("rhs"); w.null(); w.objectEnd()
                w.key("include"); stringArray(m.include, to: &w)
                w.key("labels"); stringArray(m.matchingLabels, to: &w)
                w.key("on"); w.bool(m.on)
                w.objectEnd()
            } else {
                w.null()
            }
            w.key("op"); w.string(b.op.rawValue)
            w.key("rhs"); write(b.rhs, to: &w)
            w.key("type"); w.string("binaryExpr")
            w.objectEnd()
        case let .call(c):
            w.objectStart()
            w.key("args")
            w.arrayStart()
            for a in c.args { write(a, to: &w) }
            w.arrayEnd()
            w.key("func")
            w.objectStart()
            w.key("argTypes"); stringArray(c.function.argTypes.map(\.rawValue), to: &w)
            w.key("name"); w.string(c.function.name)
            w.key("returnType"); w.string(c.function.returnType.rawValue)
            w.key("variadic"); w.int(c.function.variadic)
            w.objectEnd()
            w.key("type"); w.string("call")
            w.objectEnd()
        case let .matrixSelector(m):
            let vs = m.selector
            w.objectStart()
            w.key("anchored"); w.bool(false)
            w.key("matchers"); matchers(vs.matchers, to: &w)
            w.key("name"); w.string(vs.name)
            w.key("offset"); w.int(Int(vs.offsetMs))
            w.key("offsetExpr"); w.null()
            w.key("range"); w.int(Int(m.rangeMs))
            w.key("rangeExpr"); w.null()
            w.key("smoothed"); w.bool(false)
            atModifier(vs.at, to: &w)
            w.key("type"); w.string("matrixSelector")
            w.objectEnd()
        case let .subquery(s):
            w.objectStart()
            w.key("expr"); write(s.expr, to: &w)
            w.key("offset"); w.int(Int(s.offsetMs))
            w.key("offsetExpr"); w.null()
            w.key("range"); w.int(Int(s.rangeMs))
            w.key("rangeExpr"); w.null()
            startOrEnd(s.at, to: &w)
            w.key("step"); w.int(Int(s.stepMs))
            w.key("stepExpr"); w.null()
            timestamp(s.at, to: &w)
            w.key("type"); w.string("subquery")
            w.objectEnd()
        case let .number(n):
            w.objectStart()
            w.key("type"); w.string("numberLiteral")
            w.key("val"); w.string(FloatFormat.f(n.value))
            w.objectEnd()
        case let .paren(inner, _):
            w.objectStart()
            w.key("expr"); write(inner, to: &w)
            w.key("type"); w.string("parenExpr")
            w.objectEnd()
        case let .string(s, _):
            w.objectStart()
            w.key("type"); w.string("stringLiteral")
            w.key("val"); w.string(s)
            w.objectEnd()
        case let .unary(negate, inner, _):
            w.objectStart()
            w.key("expr"); write(inner, to: &w)
            w.key("op"); w.string(negate ? "-" : "+")
            w.key("type"); w.string("unaryExpr")
            w.objectEnd()
        case let .vectorSelector(vs):
            w.objectStart()
            w.key("anchored"); w.bool(false)
            w.key("matchers"); matchers(vs.matchers, to: &w)
            w.key("name"); w.string(vs.name)
            w.key("offset"); w.int(Int(vs.offsetMs))
            w.key("offsetExpr"); w.null()
            w.key("smoothed"); w.bool(false)
            atModifier(vs.at, to: &w)
            w.key("type"); w.string("vectorSelector")
            w.objectEnd()
        }
    }

    private static func stringArray(_ list: [String], to w: inout JSONWriter) {
        w.arrayStart()
        for s in list { w.string(s) }
        w.arrayEnd()
    }

    private static func matchers(_ list: [Matcher], to w: inout JSONWriter) {
        w.arrayStart()
        for m in list {
            w.objectStart()
            w.key("name"); w.string(m.name)
            w.key("type"); w.string(m.type.rawValue)
            w.key("value"); w.string(m.value)
            w.objectEnd()
        }
        w.arrayEnd()
    }

    /// `"startOrEnd":..., "timestamp":...` (adjacent in sorted order for selectors).
    private static func atModifier(_ at: AtModifier?, to w: inout JSONWriter) {
        startOrEnd(at, to: &w)
        timestamp(at, to: &w)
    }

    private static func startOrEnd(_ at: AtModifier?, to w: inout JSONWriter) {
        w.key("startOrEnd")
        switch at {
        case .start: w.string("start")
        case .end: w.string("end")
        default: w.null()
        }
    }

    private static func timestamp(_ at: AtModifier?, to w: inout JSONWriter) {
        w.key("timestamp")
        if case let .timestamp(ms) = at { w.int(Int(ms)) } else { w.null() }
    }
}
