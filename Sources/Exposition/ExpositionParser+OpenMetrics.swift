/// OpenMetrics 1.0 text, following the states of Prometheus' `openmetricslex.l`: single spaces
/// as separators, no blank lines or free comments, exemplars after ` # `, timestamps in
/// (float) seconds, and a mandatory final `# EOF`.
extension ExpositionParser {
    /// The next entry of an OpenMetrics body, or nil after `# EOF`.
    mutating func nextOpenMetrics(_ b: UnsafeBufferPointer<UInt8>) throws(ExpositionError) -> ExpositionEntry? {
        let n = b.count
        let i = position
        guard i < n else { throw ExpositionError.missingEOF(line: line, column: column(of: i)) }
        beginEntry()
        let c = b[i]
        if c == ASCII.hash {
            guard i + 1 < n, b[i + 1] == ASCII.space else {
                throw unexpected("'# ' followed by HELP, TYPE, UNIT or EOF", at: i, b)
            }
            return try openMetricsHashLine(b, at: i + 2)
        }
        if c == ASCII.openBrace || ASCII.isMetricNameStart(c) { return try openMetricsSeries(b, at: i) }
        throw unexpected("a metric name, '{' or '#' at the start of a line", at: i, b)
    }

    /// A line after `# `: HELP, TYPE, UNIT or EOF.
    private mutating func openMetricsHashLine(_ b: UnsafeBufferPointer<UInt8>, at start: Int) throws(ExpositionError) -> ExpositionEntry? {
        let n = b.count
        let kind: ExpositionEntry
        if Self.hasWord(b, at: start, "HELP ") {
            kind = .help
        } else if Self.hasWord(b, at: start, "TYPE ") {
            kind = .type
        } else if Self.hasWord(b, at: start, "UNIT ") {
            kind = .unit
        } else if Self.hasWord(b, at: start, "EOF") {
            var i = start + 3
            if i < n, b[i] == ASCII.newline { lineBreak(at: i); i += 1 }
            guard i == n else { throw ExpositionError.dataAfterEOF(line: line, column: column(of: i)) }
            position = n
            return nil
        } else {
            throw unexpected("HELP, TYPE, UNIT or EOF after '# '", at: start, b)
        }
        let keyword = kind == .help ? "HELP" : kind == .type ? "TYPE" : "UNIT"
        try scanFamilyName(b, at: start + 5, after: keyword, allowNewline: true)
        // `{S}{C}*\n`: one space, the text, and a line break that must be there.
        let restStart = nameEnd + (nameQuoted ? 1 : 0)
        guard restStart < n, b[restStart] == ASCII.space else {
            throw unexpected("a space and text in \(keyword)", at: restStart, b)
        }
        let end = Self.endOfLine(b, from: restStart)
        guard end < n else { throw ExpositionError.missingEOF(line: line, column: column(of: end)) }
        textStart = restStart + 1
        textEnd = end
        let text = UnsafeBufferPointer(rebasing: b[textStart..<textEnd])
        switch kind {
        case .type:
            guard let type = MetricType.openMetrics(text) else {
                throw ExpositionError.invalidMetricType(String(decoding: text, as: UTF8.self), line: line, column: column(of: textStart))
            }
            metricType = type
        case .help:
            guard UTF8Check.isValid(b, textStart, textEnd) else {
                throw ExpositionError.invalidUTF8(what: "HELP text", line: line, column: column(of: textStart))
            }
        default:
            let unitBytes = Array(text)
            let name = Array(b[nameStart..<nameEnd])
            // The unit must be a `_`-separated suffix of the family name (empty is allowed).
            if !unitBytes.isEmpty {
                let fits = name.count > unitBytes.count
                    && name.suffix(unitBytes.count).elementsEqual(unitBytes)
                    && name[name.count - unitBytes.count - 1] == ASCII.underscore
                guard fits else {
                    throw ExpositionError.unitMismatch(unit: String(decoding: unitBytes, as: UTF8.self),
                                                       metric: String(decoding: name, as: UTF8.self),
                                                       line: line, column: column(of: textStart))
                }
            }
            unit = String(decoding: unitBytes, as: UTF8.self)
        }
        finishLine(b, at: end)
        return kind
    }

    /// A sample line: name and/or labels, ` value`, optional ` timestamp`, optional exemplar.
    private mutating func openMetricsSeries(_ b: UnsafeBufferPointer<UInt8>, at start: Int) throws(ExpositionError) -> ExpositionEntry {
        let n = b.count
        var i = start
        seriesStart = start
        if b[i] != ASCII.openBrace {
            i += 1
            while i < n, ASCII.isMetricNameByte(b[i]) { i += 1 }
            nameStart = start
            nameEnd = i
        }
        if i < n, b[i] == ASCII.openBrace {
            i = try openMetricsLabels(b, from: i + 1, exemplar: false)
        }
        seriesEnd = i
        guard nameStart >= 0 else {
            throw ExpositionError.missingMetricName(line: entryLine, column: start - entryLineStart + 1)
        }
        let (v, afterValue) = try spaceSeparatedNumber(b, at: i, what: "value after metric")
        value = v
        i = afterValue
        guard i < n else { throw ExpositionError.missingEOF(line: line, column: column(of: i)) }
        if b[i] == ASCII.space && !Self.hasWord(b, at: i, " # {") {
            timestamp = try openMetricsTimestamp(b, at: &i)
            guard i < n else { throw ExpositionError.missingEOF(line: line, column: column(of: i)) }
        }
        if Self.hasWord(b, at: i, " # {") {
            i = try openMetricsExemplar(b, from: i + 4)
        }
        guard i < n else { throw ExpositionError.missingEOF(line: line, column: column(of: i)) }
        guard b[i] == ASCII.newline else {
            throw unexpected(timestamp == nil ? "timestamp, exemplar or line break" : "exemplar or line break after timestamp", at: i, b)
        }
        finishLine(b, at: i)
        return .series
    }

    /// `{S}[^ \n]+` as a float at `b[i]` (which must be the space). Returns the value
    /// (NaN canonical) and the index after the token.
    private func spaceSeparatedNumber(_ b: UnsafeBufferPointer<UInt8>, at start: Int, what: String) throws(ExpositionError) -> (Double, Int) {
        let n = b.count
        guard start < n else { throw ExpositionError.missingEOF(line: line, column: column(of: start)) }
        guard b[start] == ASCII.space, start + 1 < n, b[start + 1] != ASCII.space, b[start + 1] != ASCII.newline else {
            throw unexpected(what, at: start, b)
        }
        var i = start + 1
        while i < n, b[i] != ASCII.space, b[i] != ASCII.newline { i += 1 }
        guard let v = GoFloat.parse(b, start + 1, i) else {
            throw ExpositionError.invalidValue(String(decoding: b[(start + 1)..<i], as: UTF8.self), line: line, column: column(of: start + 1))
        }
        return (v.isNaN ? Self.normalNaN : v, i)
    }

    /// ` <float seconds>` at `i`, as milliseconds (Prometheus: `int64(ts * 1000)`).
    private func openMetricsTimestamp(_ b: UnsafeBufferPointer<UInt8>, at i: inout Int) throws(ExpositionError) -> Int64 {
        let tokenStart = i + 1
        let (seconds, end) = try spaceSeparatedNumber(b, at: i, what: "timestamp")
        let ms = seconds * 1000
        // NaN and infinities are refused by Prometheus; values beyond Int64 are undefined in Go
        // and refused here.
        guard ms.isFinite, ms > -9.2e18, ms < 9.2e18 else {
            throw ExpositionError.invalidTimestamp(String(decoding: b[tokenStart..<end], as: UTF8.self), line: line, column: column(of: tokenStart))
        }
        i = end
        return Int64(ms.rounded(.towardZero))
    }

    /// The exemplar after ` # {`: labels, ` value`, optional ` timestamp`. Returns the index of
    /// what follows (a line break when well formed).
    private mutating func openMetricsExemplar(_ b: UnsafeBufferPointer<UInt8>, from start: Int) throws(ExpositionError) -> Int {
        exemplarOffsets.removeAll(keepingCapacity: true)
        var i = try openMetricsLabels(b, from: start, exemplar: true)
        let (v, afterValue) = try spaceSeparatedNumber(b, at: i, what: "value after exemplar labels")
        exemplarValue = v
        i = afterValue
        exemplarTimestamp = nil
        if i < b.count, b[i] == ASCII.space {
            exemplarTimestamp = try openMetricsTimestamp(b, at: &i)
        }
        hasExemplar = true
        return i
    }

    /// OpenMetrics label pairs after `{` up to and including `}`, offsets appended to the series'
    /// or the exemplar's list.
    /// No blanks anywhere; pairs separated by commas, one trailing comma allowed. In a series a
    /// lone quoted string is the metric name; in an exemplar it is an error.
    private mutating func openMetricsLabels(_ b: UnsafeBufferPointer<UInt8>, from start: Int,
                                            exemplar: Bool) throws(ExpositionError) -> Int {
        let n = b.count
        var i = start
        while true {
            guard i < n else { throw ExpositionError.missingEOF(line: line, column: column(of: i)) }
            let c = b[i]
            if c == ASCII.closeBrace { return i + 1 }
            let tokenStart = i
            let tokenLine = line, tokenColumn = column(of: i)
            var quoted = false
            if c == ASCII.quote {
                (i, _) = try scanQuoted(b, from: i, allowNewline: true)
                quoted = true
            } else if ASCII.isLabelNameStart(c) {
                i += 1
                while i < n, ASCII.isLabelNameByte(b[i]) { i += 1 }
            } else {
                throw unexpected("label name", at: i, b)
            }
            let tokenEnd = i
            if quoted, i < n, b[i] == ASCII.comma || b[i] == ASCII.closeBrace {
                guard !exemplar else { throw unexpected("label name", at: i, b) }
                try setQuotedMetricName(b, tokenStart, tokenEnd, line: tokenLine, column: tokenColumn)
                if b[i] == ASCII.closeBrace { return i + 1 }
                i += 1
                continue
            }
            let nameFrom = quoted ? tokenStart + 1 : tokenStart
            let nameTo = quoted ? tokenEnd - 1 : tokenEnd
            if quoted { try checkQuotedName(b, nameFrom, nameTo, line: tokenLine, column: tokenColumn, what: "label name") }
            guard i < n, b[i] == ASCII.equals else { throw unexpected("'=' after label name", at: i, b) }
            i += 1
            guard i < n, b[i] == ASCII.quote else { throw unexpected("label value", at: i, b) }
            let valueStart = i
            (i, _) = try scanQuoted(b, from: i, allowNewline: false)
            guard UTF8Check.isValid(b, valueStart + 1, i - 1) else {
                throw ExpositionError.invalidUTF8(what: "label value", line: line, column: column(of: valueStart))
            }
            if exemplar {
                exemplarOffsets.append(contentsOf: [nameFrom, nameTo, valueStart + 1, i - 1])
            } else {
                labelOffsets.append(nameFrom)
                labelOffsets.append(nameTo)
                labelOffsets.append(valueStart + 1)
                labelOffsets.append(i - 1)
            }
            guard i < n else { throw ExpositionError.missingEOF(line: line, column: column(of: i)) }
            if b[i] == ASCII.comma {
                i += 1
            } else if b[i] != ASCII.closeBrace {
                throw unexpected("',' or '}' after label value", at: i, b)
            }
        }
    }

    /// `b[i...]` starts with `word`.
    static func hasWord(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ word: StaticString) -> Bool {
        let k = word.utf8CodeUnitCount
        guard i + k <= b.count else { return false }
        let w = word.utf8Start
        for j in 0..<k where b[i + j] != w[j] { return false }
        return true
    }
}
