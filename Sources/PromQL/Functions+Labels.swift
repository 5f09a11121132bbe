internal import Model
internal import RE2

/// `label_replace`, `label_join` and `sort_by_label`.
extension Evaluator {
    private func stringArg(_ e: Expr) -> String {
        if case let .string(s, _) = e.unparenthesized { return s }
        return ""
    }

    func evalLabelReplace(_ c: Call) throws(PromQLError) -> [Series] {
        let dst = stringArg(c.args[1]), repl = stringArg(c.args[2]), src = stringArg(c.args[3]), regexText = stringArg(c.args[4])
        let regex: Regexp
        do {
            regex = try Regexp("^(?s:" + regexText + ")$")
        } catch {
            throw self.error("invalid regular expression in label_replace(): \(regexText)")
        }
        if !isValidLabelName(dst) {
            throw self.error("invalid destination label name in label_replace(): \(dst)")
        }
        var mat = try eval(c.args[0]).matrix
        for i in mat.indices {
            let srcVal = mat[i].labels.get(src)
            guard let groups = regex.submatchRanges(srcVal) else { continue }
            let res = regex.expand(repl, text: srcVal, match: groups)
            var b = LabelsBuilder(mat[i].labels)
            b.set(dst, res)
            mat[i].labels = b.labels()
            if dst == Labels.metricName { mat[i].dropName = false }
        }
        return try mergeSeriesWithSameLabels(mat)
    }

    func evalLabelJoin(_ c: Call) throws(PromQLError) -> [Series] {
        let dst = stringArg(c.args[1]), sep = stringArg(c.args[2])
        let srcs = c.args.dropFirst(3).map(stringArg)
        for s in srcs where !isValidLabelName(s) {
            throw error("invalid source label name in label_join(): \(s)")
        }
        if !isValidLabelName(dst) {
            throw error("invalid destination label name in label_join(): \(dst)")
        }
        var mat = try eval(c.args[0]).matrix
        for i in mat.indices {
            let value = srcs.map { mat[i].labels.get($0) }.joined(separator: sep)
            var b = LabelsBuilder(mat[i].labels)
            b.set(dst, value)
            mat[i].labels = b.labels()
            if dst == Labels.metricName { mat[i].dropName = false }
        }
        return try mergeSeriesWithSameLabels(mat)
    }

    static func sortByLabel(_ vec: [VectorElement], labels: [String], descending: Bool) -> [VectorElement] {
        vec.sorted { a, b in
            for l in labels {
                let x = a.labels.get(l), y = b.labels.get(l)
                if x == y { continue }
                let less = naturalLess(x, y)
                return descending ? !less : less
            }
            let c = Labels.compare(a.labels, b.labels)
            return descending ? c > 0 : c < 0
        }
    }

    /// Natural order as `facette/natsort`: digit runs compare as numbers.
    static func naturalLess(_ a: String, _ b: String) -> Bool {
        func chunks(_ s: String) -> [String] {
            var out: [String] = []
            var cur = ""
            var curDigit: Bool? = nil
            for ch in s {
                let d = ch.isASCII && ch.isNumber
                if curDigit == nil || curDigit == d { cur.append(ch) } else { out.append(cur); cur = String(ch) }
                curDigit = d
            }
            if !cur.isEmpty { out.append(cur) }
            return out
        }
        let ca = chunks(a), cb = chunks(b)
        for i in 0 ..< min(ca.count, cb.count) {
            let x = ca[i], y = cb[i]
            if x == y { continue }
            if let nx = Double(x), let ny = Double(y), x.first?.isNumber == true, y.first?.isNumber == true {
                if nx != ny { return nx < ny }
                return x < y
            }
            return Labels.compareUTF8(x, y) < 0
        }
        return ca.count < cb.count
    }
}
