/// The Prometheus text format 0.0.4, following the states of Prometheus' `promlex.l`.
extension ExpositionParser {
    /// The next entry of a text-format body, or nil at its end.
    mutating func nextText(_ b: UnsafeBufferPointer<UInt8>) throws(ExpositionError) -> ExpositionEntry? {
        let n = b.count
        while true {
            var i = position
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            // The lexer appends a line break, so a last line without one is complete.
            guard i < n else { position = n; return nil }
            let c = b[i]
            if c == ASCII.newline {
                lineBreak(at: i)
                position = i + 1
                continue
            }
            beginEntry()
            if c == ASCII.nul {
                // promlex returns EOF for a NUL where a line may start; the rest is ignored.
                position = n
                return nil
            }
            if c == ASCII.hash { return try textHashLine(b, at: i) }
            if c == ASCII.openBrace || ASCII.isMetricNameStart(c) { return try textSeries(b, at: i) }
            throw unexpected("a metric name, '{' or '#' at the start of a line", at: i, b)
        }
    }

    /// A `#` line: HELP, TYPE or a comment.
    private mutating func textHashLine(_ b: UnsafeBufferPointer<UInt8>, at hash: Int) throws(ExpositionError) -> ExpositionEntry {
        let n = b.count
        var i = hash + 1
        var kind: ExpositionEntry = .comment
        if i < n, ASCII.isBlank(b[i]) {
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            if Self.hasKeyword(b, at: i, "HELP") {
                kind = .help
            } else if Self.hasKeyword(b, at: i, "TYPE") {
                kind = .type
            }
        }
        if kind == .comment {
            let end = Self.endOfLine(b, from: i)
            textStart = hash
            textEnd = end
            finishLine(b, at: end)
            return .comment
        }
        i += 4
        while i < n, ASCII.isBlank(b[i]) { i += 1 }
        let keyword = kind == .help ? "HELP" : "TYPE"
        try scanFamilyName(b, at: i, after: keyword, allowNewline: true)
        // The text is the rest of the line minus its first byte (the separating blank), as
        // promlex's `{C}*` token with Prometheus' `buf()[1:]`.
        let restStart = nameEnd + (nameQuoted ? 1 : 0)
        let end = Self.endOfLine(b, from: restStart)
        textStart = end - restStart > 1 ? restStart + 1 : end
        textEnd = end
        if kind == .type {
            guard let type = MetricType.text004(UnsafeBufferPointer(rebasing: b[textStart..<textEnd])) else {
                throw ExpositionError.invalidMetricType(String(decoding: b[textStart..<textEnd], as: UTF8.self),
                                                        line: line, column: column(of: textStart))
            }
            metricType = type
        } else {
            guard UTF8Check.isValid(b, textStart, textEnd) else {
                throw ExpositionError.invalidUTF8(what: "HELP text", line: line, column: column(of: textStart))
            }
        }
        finishLine(b, at: end)
        return kind
    }

    /// The metric family name after HELP/TYPE/UNIT: quoted or `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    mutating func scanFamilyName(_ b: UnsafeBufferPointer<UInt8>, at i: Int, after keyword: String, allowNewline: Bool) throws(ExpositionError) {
        let n = b.count
        if i < n, b[i] == ASCII.quote {
            let tokenLine = line, tokenColumn = column(of: i)
            let (end, _) = try scanQuoted(b, from: i, allowNewline: allowNewline)
            nameStart = i + 1
            nameEnd = end - 1
            nameQuoted = true
            try checkQuotedName(b, nameStart, nameEnd, line: tokenLine, column: tokenColumn, what: "metric name")
        } else if i < n, ASCII.isMetricNameStart(b[i]) {
            var j = i + 1
            while j < n, ASCII.isMetricNameByte(b[j]) { j += 1 }
            nameStart = i
            nameEnd = j
        } else {
            throw unexpected("metric name after \(keyword)", at: i, b)
        }
    }

    /// A sample line starting at `start` (a metric name or `{`).
    private mutating func textSeries(_ b: UnsafeBufferPointer<UInt8>, at start: Int) throws(ExpositionError) -> ExpositionEntry {
        let n = b.count
        var i = start
        seriesStart = start
        if b[i] != ASCII.openBrace {
            i += 1
            while i < n, ASCII.isMetricNameByte(b[i]) { i += 1 }
            nameStart = start
            nameEnd = i
            seriesEnd = i
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
        }
        if i < n, b[i] == ASCII.openBrace {
            i = try textLabels(b, from: i + 1)
            seriesEnd = i
        }
        guard nameStart >= 0 else {
            throw ExpositionError.missingMetricName(line: entryLine, column: start - entryLineStart + 1)
        }
        while i < n, ASCII.isBlank(b[i]) { i += 1 }

        // The value: `[^{ \t\n]+`.
        let valueStart = i
        while i < n {
            let c = b[i]
            if c == ASCII.space || c == ASCII.tab || c == ASCII.newline || c == ASCII.openBrace { break }
            i += 1
        }
        guard i > valueStart else { throw unexpected("value after metric", at: valueStart, b) }
        guard let v = GoFloat.parse(b, valueStart, i) else {
            throw ExpositionError.invalidValue(String(decoding: b[valueStart..<i], as: UTF8.self),
                                               line: line, column: column(of: valueStart))
        }
        value = v.isNaN ? Self.normalNaN : v

        // An optional timestamp: `[0-9]+`, then only blanks before the line break.
        while i < n, ASCII.isBlank(b[i]) { i += 1 }
        if i < n, b[i] != ASCII.newline {
            guard ASCII.isDigit(b[i]) else { throw unexpected("timestamp or new record", at: i, b) }
            let tsStart = i
            while i < n, ASCII.isDigit(b[i]) { i += 1 }
            guard let ts = GoFloat.parseDigits(b, tsStart, i) else {
                throw ExpositionError.invalidTimestamp(String(decoding: b[tsStart..<i], as: UTF8.self),
                                                       line: line, column: column(of: tsStart))
            }
            timestamp = ts
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            if i < n, b[i] != ASCII.newline { throw unexpected("next entry after timestamp", at: i, b) }
        }
        finishLine(b, at: i)
        return .series
    }

    /// The label list after `{` up to and including `}`; returns the index after `}`.
    private mutating func textLabels(_ b: UnsafeBufferPointer<UInt8>, from start: Int) throws(ExpositionError) -> Int {
        let n = b.count
        var i = start
        while true {
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            guard i < n else { throw unexpected("label name", at: i, b) }
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
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            if quoted, i < n, b[i] == ASCII.comma || b[i] == ASCII.closeBrace {
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
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            guard i < n, b[i] == ASCII.quote else { throw unexpected("label value", at: i, b) }
            let valueStart = i
            let valueLine = line, valueColumn = column(of: i)
            (i, _) = try scanQuoted(b, from: i, allowNewline: true)
            guard UTF8Check.isValid(b, valueStart + 1, i - 1) else {
                throw ExpositionError.invalidUTF8(what: "label value", line: valueLine, column: valueColumn)
            }
            labelOffsets.append(nameFrom)
            labelOffsets.append(nameTo)
            labelOffsets.append(valueStart + 1)
            labelOffsets.append(i - 1)
            // Prometheus lets pairs follow each other without a comma, and allows a trailing one.
            while i < n, ASCII.isBlank(b[i]) { i += 1 }
            if i < n, b[i] == ASCII.comma { i += 1 }
        }
    }

    /// Sets the metric name from a quoted token `b[start..<end]` (quotes included).
    mutating func setQuotedMetricName(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, line: Int, column: Int) throws(ExpositionError) {
        guard nameStart < 0 else { throw ExpositionError.duplicateMetricName(line: line, column: column) }
        try checkQuotedName(b, start + 1, end - 1, line: line, column: column, what: "metric name")
        nameStart = start + 1
        nameEnd = end - 1
        nameQuoted = true
    }

    /// A quoted name must be non-empty valid UTF-8 (Prometheus' scrape loop rejects the
    /// sample's label set otherwise, failing the scrape just the same).
    func checkQuotedName(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, line: Int, column: Int, what: String) throws(ExpositionError) {
        guard to > from else { throw ExpositionError.emptyName(line: line, column: column) }
        guard UTF8Check.isValid(b, from, to) else {
            throw ExpositionError.invalidUTF8(what: what, line: line, column: column)
        }
    }

    /// Moves past the line break at `end` (or to the end of input).
    @inline(__always)
    mutating func finishLine(_ b: UnsafeBufferPointer<UInt8>, at end: Int) {
        if end < b.count {
            lineBreak(at: end)
            position = end + 1
        } else {
            position = end
        }
    }

    /// The index of the next line break at or after `i`, or the end of input.
    static func endOfLine(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < b.count, b[j] != ASCII.newline { j += 1 }
        return j
    }

    /// `b[i...]` starts with `word` followed by a blank (promlex' `HELP[\t ]+`).
    static func hasKeyword(_ b: UnsafeBufferPointer<UInt8>, at i: Int, _ word: StaticString) -> Bool {
        let k = word.utf8CodeUnitCount
        guard i + k < b.count else { return false }
        let w = word.utf8Start
        for j in 0..<k where b[i + j] != w[j] { return false }
        return ASCII.isBlank(b[i + k])
    }
}
