internal import Model

/// Renders an AST back to PromQL text exactly as Prometheus' `String()` methods do
/// (`promql/parser/printer.go`), for `/api/v1/format_query` and for the round-trip contract
/// `parse(format(e)) == e`.
package enum Printer {
    /// The canonical text of `e`.
    package static func format(_ e: Expr) -> String {
        var out = ""
        write(e, to: &out)
        return out
    }

    private static func write(_ e: Expr, to out: inout String) {
        switch e {
        case let .number(n):
            out += number(n)
        case let .string(s, _):
            out += goQuote(s)
        case let .vectorSelector(vs):
            writeSelector(vs, withModifiers: true, to: &out)
        case let .matrixSelector(m):
            writeSelector(m.selector, withModifiers: false, to: &out)
            out += "[" + duration(m.rangeMs) + "]"
            out += at(m.selector.at) + offset(m.selector.offsetMs)
        case let .subquery(s):
            write(s.expr, to: &out)
            out += "[" + duration(s.rangeMs) + ":" + (s.stepMs != 0 ? duration(s.stepMs) : "") + "]"
            out += at(s.at) + offset(s.offsetMs)
        case let .paren(inner, _):
            out += "("
            write(inner, to: &out)
            out += ")"
        case let .unary(negate, inner, _):
            out += negate ? "-" : "+"
            write(inner, to: &out)
        case let .binary(b):
            write(b.lhs, to: &out)
            out += " " + b.op.rawValue + (b.returnBool ? " bool" : "") + matching(b.matching) + " "
            write(b.rhs, to: &out)
        case let .aggregate(a):
            out += a.op.rawValue
            if a.without {
                out += " without (" + labelList(a.grouping) + ") "
            } else if !a.grouping.isEmpty {
                out += " by (" + labelList(a.grouping) + ") "
            }
            out += "("
            if let p = a.param {
                write(p, to: &out)
                out += ", "
            }
            write(a.expr, to: &out)
            out += ")"
        case let .call(c):
            out += c.function.name + "("
            for (i, arg) in c.args.enumerated() {
                if i > 0 { out += ", " }
                write(arg, to: &out)
            }
            out += ")"
        }
    }

    static func number(_ n: NumberLiteral) -> String {
        if n.isDuration {
            let ns = n.value * 1e9
            if n.value < 0 { return "-" + PromDuration(nanoseconds: Int64(-ns)).description }
            return PromDuration(nanoseconds: Int64(ns)).description
        }
        return FloatFormat.f(n.value)
    }

    static func duration(_ ms: Int64) -> String {
        PromDuration(nanoseconds: ms * 1_000_000).description
    }

    static func offset(_ ms: Int64) -> String {
        if ms > 0 { return " offset " + duration(ms) }
        if ms < 0 { return " offset -" + duration(-ms) }
        return ""
    }

    static func at(_ at: AtModifier?) -> String {
        switch at {
        case nil: ""
        case .start: " @ start()"
        case .end: " @ end()"
        case let .timestamp(ms): " @ " + formatMillisAsSeconds(ms)
        }
    }

    /// Go's `%.3f` of `ms / 1000`, computed exactly from the integer.
    static func formatMillisAsSeconds(_ ms: Int64) -> String {
        let negative = ms < 0
        let mag = ms.magnitude
        var frac = String(mag % 1000)
        while frac.count < 3 { frac = "0" + frac }
        return (negative ? "-" : "") + String(mag / 1000) + "." + frac
    }

    private static func writeSelector(_ vs: VectorSelector, withModifiers: Bool, to out: inout String) {
        var parts: [String] = []
        for m in vs.matchers {
            if m.name == Labels.metricName && m.type == .equal && m.value == vs.name && !m.value.isEmpty { continue }
            parts.append(matcherString(m))
        }
        out += vs.name
        if !parts.isEmpty {
            parts.sort { Labels.compareUTF8($0, $1) < 0 }
            out += "{" + parts.joined(separator: ",") + "}"
        }
        if withModifiers { out += at(vs.at) + offset(vs.offsetMs) }
    }

    /// Prometheus' `Matcher.String()`: the name quoted unless it is a legacy label name.
    static func matcherString(_ m: Matcher) -> String {
        (isLegacyName(m.name) ? m.name : goQuote(m.name)) + m.type.rawValue + goQuote(m.value)
    }

    private static func isLegacyName(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        for (i, b) in s.utf8.enumerated() {
            if Lexer.isAlpha(b) || (i > 0 && Lexer.isDigit(b)) { continue }
            return false
        }
        return true
    }

    static func labelList(_ names: [String]) -> String {
        names.map { isLegacyName($0) ? $0 : goQuote($0) }.joined(separator: ", ")
    }

    static func matching(_ vm: VectorMatching?) -> String {
        guard let vm else { return "" }
        var s = ""
        let grouped = vm.card == .manyToOne || vm.card == .oneToMany
        if !vm.matchingLabels.isEmpty || vm.on || grouped {
            s += (vm.on ? " on (" : " ignoring (") + labelList(vm.matchingLabels) + ")"
        }
        if grouped {
            s += (vm.card == .manyToOne ? " group_left (" : " group_right (") + labelList(vm.include) + ")"
        }
        return s
    }
}
