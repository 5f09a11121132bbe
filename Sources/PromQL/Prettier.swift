/// Multi-line formatting of an AST as Prometheus' `Pretty(0)` does (`promql/parser/prettier.go`,
/// rules in `prettier_rules.md`), for `/api/v1/format_query`.
///
/// Each node prints on one line (its `Printer.format` text) when that text is at most
/// `maxCharactersPerLine` bytes; otherwise it splits, indenting its children by two spaces per
/// level. Selectors and literals never split. Prometheus' quirks are kept on purpose: a subquery
/// that fits on one line is printed without its indentation, and a unary expression trims the
/// indentation its operand printed.
package struct Prettier: Sendable {
    /// The longest line (in bytes) a node may occupy before it is split.
    package static let maxCharactersPerLine = 100

    /// The prettified text of `e`; `maxCharactersPerLine` is a parameter so tests can use
    /// Prometheus' own cases, which run with 10.
    package static func format(_ e: Expr, maxCharactersPerLine: Int = maxCharactersPerLine) -> String {
        Prettier(limit: maxCharactersPerLine).pretty(e, level: 0)
    }

    /// The line limit this formatter splits at.
    private let limit: Int

    private init(limit: Int) { self.limit = limit }

    private func pretty(_ e: Expr, level: Int) -> String {
        switch e {
        case .number, .string, .vectorSelector, .matrixSelector:
            return indent(level) + Printer.format(e)
        case let .aggregate(a):
            let flat = Printer.format(e)
            guard needsSplit(flat) else { return indent(level) + flat }
            var s = indent(level) + a.op.rawValue
            if a.without {
                s += " without (" + Printer.labelList(a.grouping) + ") "
            } else if !a.grouping.isEmpty {
                s += " by (" + Printer.labelList(a.grouping) + ") "
            }
            s += "(\n"
            if let p = a.param { s += pretty(p, level: level + 1) + ",\n" }
            s += pretty(a.expr, level: level + 1) + "\n" + indent(level) + ")"
            return s
        case let .binary(b):
            let flat = Printer.format(e)
            guard needsSplit(flat) else { return indent(level) + flat }
            return pretty(b.lhs, level: level + 1) + "\n" + indent(level) + b.op.rawValue
                + (b.returnBool ? " bool" : "") + Printer.matching(b.matching) + "\n" + pretty(b.rhs, level: level + 1)
        case let .call(c):
            let flat = Printer.format(e)
            guard needsSplit(flat) else { return indent(level) + flat }
            let args = c.args.map { pretty($0, level: level + 1) }.joined(separator: ",\n")
            return indent(level) + c.function.name + "(\n" + args + "\n" + indent(level) + ")"
        case let .paren(inner, _):
            let flat = Printer.format(e)
            guard needsSplit(flat) else { return indent(level) + flat }
            return indent(level) + "(\n" + pretty(inner, level: level + 1) + "\n" + indent(level) + ")"
        case let .subquery(sq):
            let flat = Printer.format(e)
            // Prometheus returns the one-line form without indentation here.
            guard needsSplit(flat) else { return flat }
            return pretty(sq.expr, level: level) + subquerySuffix(sq)
        case let .unary(negate, inner, _):
            let child = trimSpace(pretty(inner, level: level))
            return indent(level) + (negate ? "-" : "+") + child
        }
    }

    /// `[range:step] @ t offset o`, Prometheus' `getSubqueryTimeSuffix`.
    private func subquerySuffix(_ s: SubqueryExpr) -> String {
        "[" + Printer.duration(s.rangeMs) + ":" + (s.stepMs != 0 ? Printer.duration(s.stepMs) : "") + "]"
            + Printer.at(s.at) + Printer.offset(s.offsetMs)
    }

    private func needsSplit(_ flat: String) -> Bool {
        flat.utf8.count > limit
    }

    private func indent(_ level: Int) -> String {
        String(repeating: "  ", count: level)
    }

    /// Go's `strings.TrimSpace` for the ASCII whitespace the prettier can produce.
    private func trimSpace(_ s: String) -> String {
        var sub = Substring(s)
        let ws: Set<Character> = [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"]
        while let f = sub.first, ws.contains(f) { sub.removeFirst() }
        while let l = sub.last, ws.contains(l) { sub.removeLast() }
        return String(sub)
    }
}
