import Model

/// An iterator over one exposition body in the Prometheus text format 0.0.4 or OpenMetrics 1.0,
/// in the spirit of Prometheus' `textparse.Parser`.
///
/// `next()` returns the kind of the next entry, or nil at the end; the accessors then describe
/// that entry and are valid only until the following `next()`:
///
/// - `.series`: `seriesRange` (the raw `name{labels}` bytes of `bytes`, as written, which the
///   scrape cache keys on), `value`, `timestamp` (milliseconds), `labels()` (built only when
///   asked) and, in OpenMetrics, `exemplar()`.
/// - `.help` / `.type` / `.unit`: `familyName()` with `helpText()`, `metricType` or `unit`.
/// - `.comment`: `commentText()`.
///
/// The first error ends the parse: a scrape fails as a whole, as in Prometheus. What is
/// accepted follows Prometheus 3's lexers (`promlex.l`, `openmetricslex.l`) byte for byte,
/// including their leniencies (text format: blanks between any tokens, label pairs without a
/// comma, a trailing comma; a value glued to `}`) and strictness (no CR, no negative
/// text-format timestamps, OpenMetrics must end in `# EOF`). `_created` series are returned as
/// ordinary series, as Prometheus 3 does by default. Deliberate differences are listed in
/// `Sources/Exposition/README.md`.
///
/// The parser is a value; it copies nothing from `bytes` while iterating.
package struct ExpositionParser {
    /// The body being parsed.
    package let bytes: [UInt8]
    /// The format this parser reads.
    package let format: ExpositionFormat

    // Cursor.
    var position = 0
    var line = 1
    var lineStart = 0
    var finished = false

    // The current entry.
    var entryLine = 1
    var entryLineStart = 0
    /// The metric name (quotes stripped, escapes not yet decoded); -1 when not set.
    var nameStart = -1
    var nameEnd = -1
    var nameQuoted = false
    /// Label offsets, four per label: name start, name end, value start, value end. Quoted
    /// names have their quotes stripped; a name counts as quoted when the byte before it is '"'.
    var labelOffsets: [Int] = []
    var seriesStart = 0
    var seriesEnd = 0
    var textStart = 0
    var textEnd = 0

    /// The value of the current series; NaN is canonical (`0x7ff8000000000001`).
    package internal(set) var value: Double = 0
    /// The current series' own timestamp in milliseconds since the epoch, if it has one.
    package internal(set) var timestamp: Int64?
    /// The type of the last `# TYPE` line (not reset between families, as in Prometheus; it
    /// decides whether `le`/`quantile` label values are normalized).
    package internal(set) var metricType: MetricType = .unknown
    /// The unit of the last OpenMetrics `# UNIT` line.
    package internal(set) var unit = ""

    // The current series' exemplar (OpenMetrics).
    var hasExemplar = false
    var exemplarOffsets: [Int] = []
    var exemplarValue: Double = 0
    var exemplarTimestamp: Int64?

    /// The NaN Prometheus stores for every parsed NaN (`value.NormalNaN`).
    package static let normalNaN = Double(bitPattern: 0x7ff8_0000_0000_0001)

    /// A parser over `bytes` in `format`.
    package init(_ bytes: [UInt8], format: ExpositionFormat) {
        self.bytes = bytes
        self.format = format
        labelOffsets.reserveCapacity(32)
    }

    /// Advances to the next entry; nil at the end of the body.
    ///
    /// Throws on the first malformed line; after an error or the end, further calls return nil.
    package mutating func next() throws(ExpositionError) -> ExpositionEntry? {
        if finished { return nil }
        let body = bytes
        let result: Result<ExpositionEntry?, ExpositionError> = body.withUnsafeBufferPointer { b in
            do throws(ExpositionError) {
                switch format {
                case .prometheusText: return .success(try nextText(b))
                case .openMetrics: return .success(try nextOpenMetrics(b))
                }
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let entry):
            if entry == nil { finished = true }
            return entry
        case .failure(let error):
            finished = true
            throw error
        }
    }

    /// The raw bytes of the current series, `name{labels}` exactly as written, as a range of
    /// `bytes`. Two samples of one series in one format have equal bytes, so the scrape cache
    /// can key on them.
    package var seriesRange: Range<Int> { seriesStart..<seriesEnd }

    /// Calls `body` with the current series' raw bytes (no copy); valid only during the call.
    package func withSeriesBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let all = bytes
        let result: Result<R, E> = all.withUnsafeBytes { raw in
            do throws(E) { return .success(try body(UnsafeRawBufferPointer(rebasing: raw[seriesStart..<seriesEnd]))) }
            catch { return .failure(error) }
        }
        return try result.get()
    }

    /// The metric family name of the current HELP, TYPE or UNIT entry, escapes decoded.
    package func familyName() -> String {
        String(decoding: Self.unescape(bytes[nameStart..<nameEnd], quotes: true), as: UTF8.self)
    }

    /// The text of the current HELP entry, escapes decoded (`\\` and `\n`; OpenMetrics also `\"`).
    package func helpText() -> String {
        String(decoding: Self.unescape(bytes[textStart..<textEnd], quotes: format == .openMetrics), as: UTF8.self)
    }

    /// The whole line of the current comment entry, from `#` up to the line break.
    package func commentText() -> String {
        String(decoding: bytes[textStart..<textEnd], as: UTF8.self)
    }

    // MARK: Cursor helpers shared by both formats

    /// Records a line break at `index`.
    @inline(__always)
    mutating func lineBreak(at index: Int) {
        line += 1
        lineStart = index + 1
    }

    /// Starts a new entry at `position`.
    @inline(__always)
    mutating func beginEntry() {
        entryLine = line
        entryLineStart = lineStart
        nameStart = -1
        nameEnd = -1
        nameQuoted = false
        labelOffsets.removeAll(keepingCapacity: true)
        timestamp = nil
        hasExemplar = false
    }

    /// An `unexpected` error at `index`, describing what is there.
    func unexpected(_ expected: String, at index: Int, _ b: UnsafeBufferPointer<UInt8>) -> ExpositionError {
        .unexpected(expected: expected, found: Self.describe(b, at: index), line: line, column: index - lineStart + 1)
    }

    /// Line and column of `index` on the current line.
    func column(of index: Int) -> Int { index - lineStart + 1 }

    /// A short description of the input at `index` for error messages.
    static func describe(_ b: UnsafeBufferPointer<UInt8>, at index: Int) -> String {
        guard index < b.count else { return "end of input" }
        if b[index] == ASCII.newline { return "end of line" }
        var end = index
        while end < b.count, end - index < 24, b[end] != ASCII.newline, !(end > index && ASCII.isBlank(b[end])) {
            end += 1
        }
        return goQuoted(bytes: Array(b[index..<end]))
    }

    /// Scans a quoted string starting at the opening quote `b[i]`: `"(\\.|[^\\"])*"`, where `.`
    /// is any byte but a line break. Returns the index after the closing quote and whether a
    /// backslash occurred. Raw line breaks inside are allowed only when `allowNewline` (the text
    /// format's lexer allows them), and are counted as lines.
    mutating func scanQuoted(_ b: UnsafeBufferPointer<UInt8>, from start: Int, allowNewline: Bool) throws(ExpositionError) -> (end: Int, escaped: Bool) {
        var i = start + 1
        var escaped = false
        let n = b.count
        let startLine = line
        let startColumn = column(of: start)
        while i < n {
            let c = b[i]
            if c == ASCII.quote { return (i + 1, escaped) }
            if c == ASCII.backslash {
                escaped = true
                guard i + 1 < n, b[i + 1] != ASCII.newline else {
                    throw ExpositionError.unterminatedString(line: startLine, column: startColumn)
                }
                i += 2
                continue
            }
            if c == ASCII.newline {
                guard allowNewline else {
                    throw ExpositionError.unterminatedString(line: startLine, column: startColumn)
                }
                lineBreak(at: i)
            }
            i += 1
        }
        throw ExpositionError.unterminatedString(line: startLine, column: startColumn)
    }

    /// Decodes label-value escapes (`\\`, `\n`, and `\"` when `quotes`); other escapes stay as
    /// written, as Go's `strings.Replacer` in Prometheus leaves them.
    static func unescape(_ s: ArraySlice<UInt8>, quotes: Bool) -> [UInt8] {
        guard s.contains(ASCII.backslash) else { return Array(s) }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == ASCII.backslash, i + 1 < s.endIndex {
                let d = s[i + 1]
                if d == ASCII.backslash { out.append(ASCII.backslash); i += 2; continue }
                if d == ASCII.lowerN { out.append(ASCII.newline); i += 2; continue }
                if d == ASCII.quote && quotes { out.append(ASCII.quote); i += 2; continue }
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
