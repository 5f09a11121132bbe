import HTTP
import Model
import PromQL

/// `GET /federate` (Prometheus' `web/federate.go`): the latest sample of every series matching
/// any `match[]` within the lookback window, in the text exposition format.
extension QueryAPI {
    /// The Content-Type Prometheus 3 negotiates for a client without an `Accept` header.
    static let federationContentType = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"

    /// Every family is `untyped` (federation does not carry metadata); series are ordered by
    /// metric name, then by labels; stale markers are dropped; each line gets the external
    /// labels it lacks, plus `instance=""` when no external `instance` is configured. No
    /// `match[]` answers an empty 200, a bad one a plain-text 400, as Prometheus does.
    func federate(_ r: HTTPRequest) -> HTTPResponse {
        let sets: [[Matcher]]
        do {
            sets = try RequestParameters.matcherSets(r.formValues("match[]"))
        } catch {
            return Self.plainError(error.description, status: 400)
        }
        let now = options.nowMs()
        let mint = now - options.lookbackDeltaMs
        let q: any Querier
        do {
            q = try storage.querier(mint: mint, maxt: now)
        } catch {
            return Self.plainError(error.description, status: 500)
        }
        defer { q.close() }

        var latest: [(labels: Labels, t: Int64, v: Double)] = []
        var seen = Set<Labels>()
        for matchers in sets {
            let set = q.select(matchers, hints: SelectHints(sorted: true))
            while set.next() {
                let series = set.at()
                if sets.count > 1 && !seen.insert(series.labels).inserted { continue }
                var it = series.iterator()
                var last: (Int64, Double)?
                if it.seek(mint) {
                    repeat {
                        let (t, v) = it.at()
                        if t > now { break }
                        last = (t, v)
                    } while it.next()
                }
                if let e = it.error { return Self.plainError(e.description, status: 500) }
                // The exposition formats cannot carry stale markers, so a series whose latest
                // sample is one is simply left out.
                guard let (t, v) = last, !isStaleNaN(v) else { continue }
                latest.append((series.labels, t, v))
            }
            if let e = set.error { return Self.plainError(e.description, status: 500) }
        }
        // Merged selections come out in label order; then a stable sort by metric name.
        if sets.count > 1 { latest.sort { Labels.compare($0.labels, $1.labels) < 0 } }
        let named = latest.map { (name: $0.labels.name, sample: $0) }
        let ordered = named.enumerated().sorted { a, b in
            let c = Labels.compareUTF8(a.element.name, b.element.name)
            return c != 0 ? c < 0 : a.offset < b.offset
        }.map(\.element)

        var external: [(String, String)] = options.externalLabels.map { ($0.name, $0.value) }
        if !external.contains(where: { $0.0 == "instance" }) { external.append(("instance", "")) }
        external.sort { Labels.compareUTF8($0.0, $1.0) < 0 }

        var out: [UInt8] = []
        out.reserveCapacity(ordered.count * 96)
        var lastName: String?
        for (name, sample) in ordered where !name.isEmpty {
            if name != lastName {
                out.append(contentsOf: "# TYPE ".utf8)
                TextExposition.appendName(name, to: &out)
                out.append(contentsOf: " untyped\n".utf8)
                lastName = name
            }
            TextExposition.appendName(name, to: &out)
            var separator = UInt8(ascii: "{")
            var used = Set<String>()
            for label in sample.labels where label.name != Labels.metricName {
                out.append(separator)
                separator = UInt8(ascii: ",")
                TextExposition.appendPair(label.name, label.value, to: &out)
                used.insert(label.name)
            }
            for (n, v) in external where !used.contains(n) {
                out.append(separator)
                separator = UInt8(ascii: ",")
                TextExposition.appendPair(n, v, to: &out)
            }
            if separator == UInt8(ascii: ",") { out.append(UInt8(ascii: "}")) }
            out.append(UInt8(ascii: " "))
            FloatFormat.appendG(sample.v, to: &out)
            out.append(UInt8(ascii: " "))
            FloatFormat.appendInt(sample.t, to: &out)
            out.append(UInt8(ascii: "\n"))
        }
        return HTTPResponse(status: 200, contentType: Self.federationContentType, body: out)
    }

    /// Go's `http.Error`: the message and a newline as plain text.
    static func plainError(_ message: String, status: Int) -> HTTPResponse {
        var response = HTTPResponse.text(message + "\n", status: status)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}

/// Pieces of the Prometheus text format 0.0.4 as prometheus/common's encoder writes them with
/// the default `underscores` name escaping.
enum TextExposition {
    /// A metric or label name; characters outside the legacy set become `_`.
    static func appendName(_ name: String, to out: inout [UInt8]) {
        var i = 0
        for b in name.utf8 {
            let isLetter = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f || b == 0x3a
            let isDigit = b >= 0x30 && b <= 0x39
            if isLetter || (isDigit && i > 0) {
                out.append(b)
            } else if b & 0xC0 != 0x80 {
                // One `_` per character (continuation bytes of a UTF-8 sequence add nothing).
                out.append(0x5f)
            }
            i += 1
        }
    }

    /// `name="value"` with `\\`, `\n` and `\"` escaped in the value.
    static func appendPair(_ name: String, _ value: String, to out: inout [UInt8]) {
        appendName(name, to: &out)
        out.append(contentsOf: "=\"".utf8)
        for b in value.utf8 {
            switch b {
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            default: out.append(b)
            }
        }
        out.append(0x22)
    }
}
