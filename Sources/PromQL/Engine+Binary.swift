internal import Foundation
internal import Model

/// Binary operators: scalar/scalar, vector/scalar and vector/vector with matching.
extension Evaluator {
    func evalBinary(_ b: BinaryExpr) throws(PromQLError) -> [Series] {
        let lt = b.lhs.type, rt = b.rhs.type
        switch (lt, rt) {
        case (.scalar, .scalar):
            return try rangeEval([b.lhs, b.rhs]) { inputs, _ throws(PromQLError) in
                guard let l = inputs[0].first, let r = inputs[1].first else { return [] }
                return [VectorElement(labels: Labels(), v: Evaluator.scalarBinop(b.op, l.v, r.v))]
            }
        case (.vector, .scalar):
            return try rangeEval([b.lhs, b.rhs]) { inputs, _ throws(PromQLError) in
                guard let r = inputs[1].first else { return [] }
                return Evaluator.vectorScalarBinop(b.op, inputs[0], r.v, swap: false, returnBool: b.returnBool)
            }
        case (.scalar, .vector):
            return try rangeEval([b.lhs, b.rhs]) { inputs, _ throws(PromQLError) in
                guard let l = inputs[0].first else { return [] }
                return Evaluator.vectorScalarBinop(b.op, inputs[1], l.v, swap: true, returnBool: b.returnBool)
            }
        default:
            let matching = b.matching ?? VectorMatching(card: b.op.isSetOperator ? .manyToMany : .oneToOne)
            var sigCache: [Labels: Labels] = [:]
            func signature(_ l: Labels) -> Labels {
                if let s = sigCache[l] { return s }
                let s = matching.on ? l.keeping(Set(matching.matchingLabels))
                    : l.removing(Set(matching.matchingLabels).union([Labels.metricName]))
                sigCache[l] = s
                return s
            }
            return try rangeEval([b.lhs, b.rhs]) { inputs, _ throws(PromQLError) in
                let lhs = inputs[0], rhs = inputs[1]
                switch b.op {
                case .and:
                    if lhs.isEmpty || rhs.isEmpty { return [] }
                    let right = Set(rhs.map { signature($0.labels) })
                    return lhs.filter { right.contains(signature($0.labels)) }
                case .or:
                    if lhs.isEmpty { return rhs }
                    if rhs.isEmpty { return lhs }
                    let left = Set(lhs.map { signature($0.labels) })
                    return lhs + rhs.filter { !left.contains(signature($0.labels)) }
                case .unless:
                    if lhs.isEmpty || rhs.isEmpty { return lhs }
                    let right = Set(rhs.map { signature($0.labels) })
                    return lhs.filter { !right.contains(signature($0.labels)) }
                default:
                    return try vectorBinop(b.op, lhs, rhs, matching, returnBool: b.returnBool, signature: signature)
                }
            }
        }
    }

    static func scalarBinop(_ op: BinaryOp, _ l: Double, _ r: Double) -> Double {
        switch op {
        case .add: l + r
        case .sub: l - r
        case .mul: l * r
        case .div: l / r
        case .pow: Foundation.pow(l, r)
        case .mod: fmod(l, r)
        case .atan2: Foundation.atan2(l, r)
        case .eql: l == r ? 1 : 0
        case .neq: l != r ? 1 : 0
        case .gtr: l > r ? 1 : 0
        case .lss: l < r ? 1 : 0
        case .gte: l >= r ? 1 : 0
        case .lte: l <= r ? 1 : 0
        case .and, .or, .unless: .nan
        }
    }

    /// `vectorElemBinop` for floats: the value and whether a comparison keeps the element.
    static func elemBinop(_ op: BinaryOp, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .eql: (l, l == r)
        case .neq: (l, l != r)
        case .gtr: (l, l > r)
        case .lss: (l, l < r)
        case .gte: (l, l >= r)
        case .lte: (l, l <= r)
        default: (scalarBinop(op, l, r), true)
        }
    }

    static func vectorScalarBinop(_ op: BinaryOp, _ vec: [VectorElement], _ scalar: Double, swap: Bool, returnBool: Bool) -> [VectorElement] {
        var out: [VectorElement] = []
        out.reserveCapacity(vec.count)
        for var e in vec {
            var (l, r) = (e.v, scalar)
            if swap { (l, r) = (r, l) }
            var (value, keep) = elemBinop(op, l, r)
            if op.isComparison && swap { value = r }
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            e.v = value
            if op.changesMetricSchema || returnBool { e.dropName = true }
            out.append(e)
        }
        return out
    }

    func vectorBinop(_ op: BinaryOp, _ lhsIn: [VectorElement], _ rhsIn: [VectorElement], _ matching: VectorMatching,
                     returnBool: Bool, signature: (Labels) -> Labels) throws(PromQLError) -> [VectorElement] {
        if lhsIn.isEmpty || rhsIn.isEmpty { return [] }
        var lhs = lhsIn, rhs = rhsIn
        if matching.card == .oneToMany { swap(&lhs, &rhs) }
        var right: [Labels: VectorElement] = [:]
        for rs in rhs {
            let sig = signature(rs.labels)
            if let dup = right[sig] {
                let side = matching.card == .oneToMany ? "left" : "right"
                let matched = matching.on ? rs.labels.keeping(Set(matching.matchingLabels))
                    : rs.labels.removing(Set(matching.matchingLabels).union([Labels.metricName]))
                var d1 = Evaluator.labelsString(rs.labels), d2 = Evaluator.labelsString(dup.labels)
                if Labels.compareUTF8(d1, d2) > 0 { swap(&d1, &d2) }
                throw error("found duplicate series for the match group \(Evaluator.labelsString(matched)) on the \(side) hand-side of the operation: [\(d1), \(d2)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            right[sig] = rs
        }
        var matchedOneToOne: Set<Labels> = []
        var matchedGrouped: [Labels: Set<Labels>] = [:]
        var out: [VectorElement] = []
        var resultCache: [[UInt8]: Labels] = [:]
        for ls in lhs {
            let sig = signature(ls.labels)
            guard let rs = right[sig] else { continue }
            var (fl, fr) = (ls.v, rs.v)
            if matching.card == .oneToMany { swap(&fl, &fr) }
            var (value, keep) = Evaluator.elemBinop(op, fl, fr)
            if returnBool {
                value = keep ? 1 : 0
            }
            let key = ls.labels.bytes + [0xFF] + rs.labels.bytes
            let metric: Labels
            if let cached = resultCache[key] {
                metric = cached
            } else {
                metric = resultMetric(ls.labels, rs.labels, op, matching)
                resultCache[key] = metric
            }
            if matching.card == .oneToOne {
                if matchedOneToOne.contains(sig) {
                    throw error("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matchedOneToOne.insert(sig)
            } else {
                if matchedGrouped[sig, default: []].contains(metric) {
                    throw error("multiple matches for labels: grouping labels must ensure unique matches")
                }
                matchedGrouped[sig, default: []].insert(metric)
            }
            if !keep && !returnBool { continue }
            out.append(VectorElement(labels: metric, v: value, dropName: returnBool))
        }
        return out
    }

    private func resultMetric(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOp, _ matching: VectorMatching) -> Labels {
        var b = LabelsBuilder(lhs)
        if op.changesMetricSchema { b.delete(Labels.metricName) }
        var result = b.labels()
        if matching.card == .oneToOne {
            result = matching.on ? result.keeping(Set(matching.matchingLabels)) : result.removing(Set(matching.matchingLabels))
        }
        if !matching.include.isEmpty {
            var b2 = LabelsBuilder(result)
            for name in matching.include {
                let v = rhs.get(name)
                if v.isEmpty { b2.delete(name) } else { b2.set(name, v) }
            }
            result = b2.labels()
        }
        return result
    }

    /// Prometheus' `labels.Labels.String()`: `{a="b", c="d"}` with Go-quoted values.
    static func labelsString(_ l: Labels) -> String {
        "{" + l.map { "\(isLegacyLabelName($0.name) ? $0.name : goQuote($0.name))=\(goQuote($0.value))" }.joined(separator: ", ") + "}"
    }

    static func isLegacyLabelName(_ s: String) -> Bool {
        guard !s.isEmpty else { return false }
        for (i, b) in s.utf8.enumerated() where !(Lexer.isAlpha(b) || (i > 0 && Lexer.isDigit(b))) { return false }
        return true
    }
}
