import Foundation
import Model
import PromQL
import TestSupport

/// Runs Prometheus' `promqltest` scripts (see `FORMAT.md` in the corpus) against the engine.
struct ScriptRunner {
    struct Outcome {
        var passed = 0
        var failed: [(line: Int, message: String)] = []
        var known: [(line: Int, message: String)] = []
        var skipped = 0
        var unexpectedPasses: [Int] = []
        var total: Int { passed + failed.count + known.count + skipped }
    }

    let file: String
    let lines: [String]
    let flagged: Set<Int>
    let skipWhole: Bool
    let storage = MemoryStorage()
    var engine: PromQLEngine

    init(url: URL, flagged: Set<Int>, skipWhole: Bool) throws {
        file = url.lastPathComponent
        let text = try String(contentsOf: url, encoding: .utf8)
        lines = text.components(separatedBy: "\n").map { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("#") ? "" : t
        }
        self.flagged = flagged
        self.skipWhole = skipWhole
        var options = EngineOptions()
        options.maxSamples = 10000
        options.timeout = .seconds(100)
        engine = PromQLEngine(options: options)
    }

    static func durationMs(_ s: String) -> Int64? {
        let t = s.trimmingCharacters(in: .whitespaces)
        guard let d = try? PromDuration(parsing: t) else { return nil }
        return d.milliseconds
    }

    mutating func run() -> Outcome {
        var out = Outcome()
        var i = 0
        while i < lines.count {
            let header = lines[i]
            if header.isEmpty { i += 1; continue }
            let lineNo = i + 1
            var body: [String] = []
            var j = i + 1
            while j < lines.count && !lines[j].isEmpty {
                body.append(lines[j])
                j += 1
            }
            let first = header.split(separator: " ", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
            if first == "clear" {
                storage.clear()
                i += 1
                continue
            } else if first.hasPrefix("load") {
                load(header, body)
            } else if first.hasPrefix("eval") {
                if skipWhole || flagged.contains(lineNo) {
                    out.skipped += 1
                } else {
                    let key = "\(file):\(lineNo)"
                    let known = KnownFailures.reasons[key]
                    if let msg = evalCommand(header, body) {
                        if known != nil { out.known.append((lineNo, msg)) } else { out.failed.append((lineNo, msg)) }
                    } else {
                        if known != nil { out.unexpectedPasses.append(lineNo) }
                        out.passed += 1
                    }
                }
            }
            i = j
        }
        return out
    }

    private func load(_ header: String, _ body: [String]) {
        let parts = header.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2, let interval = ScriptRunner.durationMs(String(parts[1])) else { return }
        for line in body {
            if line.contains("{{") { continue }
            guard let (labels, values) = SeriesDescription.parse(line) else { continue }
            var samples: [Sample] = []
            for (k, v) in values.enumerated() {
                if case let .value(x) = v { samples.append(Sample(t: Int64(k) * interval, v: x)) }
            }
            storage.add(labels, samples)
        }
    }

    // MARK: Eval

    struct Expectation {
        var fail = false
        var failMessage: String?
        var failRegex: String?
        var ordered = false
        var warn: [String]? = nil
        var warnRegex: [String] = []
        var info: [String]? = nil
        var infoRegex: [String] = []
        var noWarn = false
        var noInfo = false
        var rangeVector: (Int64, Int64, Int64)?
        var string: String?
        var scalar: Double?
        var series: [(Labels, [SeriesValue])] = []
    }

    private func evalCommand(_ header: String, _ body: [String]) -> String? {
        let instantRe = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/
        let rangeRe = /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/
        var exp = Expectation()
        var query: String
        var isRange = false
        var at: Int64 = 0, start: Int64 = 0, end: Int64 = 0, step: Int64 = 0
        var modifier: Substring?
        if let m = header.wholeMatch(of: instantRe) {
            modifier = m.1
            guard let t = m.2.flatMap({ ScriptRunner.durationMs(String($0)) }) else { return "bad eval time" }
            at = t
            query = String(m.3)
        } else if let m = header.wholeMatch(of: rangeRe) {
            modifier = m.1
            guard let s = ScriptRunner.durationMs(String(m.2)), let e = ScriptRunner.durationMs(String(m.3)),
                  let st = ScriptRunner.durationMs(String(m.4)) else { return "bad range times" }
            (start, end, step) = (s, e, st)
            query = String(m.5)
            isRange = true
        } else {
            return "unparsable eval header"
        }
        switch modifier {
        case "fail": exp.fail = true
        case "ordered": exp.ordered = true
        case "warn": exp.warn = []
        case "info": exp.info = []
        default: break
        }
        let expectRe = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/
        for line in body {
            if let m = line.wholeMatch(of: expectRe) {
                let text = m.3.map { String($0).trimmingCharacters(in: .whitespaces) }
                let isRegex = m.2 == "regex"
                switch m.1 {
                case "ordered": exp.ordered = true
                case "fail":
                    exp.fail = true
                    if let text { if isRegex { exp.failRegex = text } else { exp.failMessage = text } }
                case "warn":
                    if exp.warn == nil { exp.warn = [] }
                    if let text { if isRegex { exp.warnRegex.append(text) } else { exp.warn?.append(text) } }
                case "info":
                    if exp.info == nil { exp.info = [] }
                    if let text { if isRegex { exp.infoRegex.append(text) } else { exp.info?.append(text) } }
                case "no_warn": exp.noWarn = true
                case "no_info": exp.noInfo = true
                default: break
                }
                continue
            }
            if line.hasPrefix("expected_fail_message ") { exp.failMessage = String(line.dropFirst("expected_fail_message ".count)); continue }
            if line.hasPrefix("expected_fail_regexp ") { exp.failRegex = String(line.dropFirst("expected_fail_regexp ".count)); continue }
            if let m = line.wholeMatch(of: /^expect\s+range\s+vector\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+)$/) {
                guard let s = ScriptRunner.durationMs(String(m.1)), let e = ScriptRunner.durationMs(String(m.2)),
                      let st = ScriptRunner.durationMs(String(m.3)) else { return "bad range vector expectation" }
                exp.rangeVector = (s, e, st)
                continue
            }
            if let m = line.wholeMatch(of: /^expect\s+string\s+(.+)$/) {
                exp.string = unquoteGoString(String(m.1)) ?? String(m.1)
                continue
            }
            if let v = parseScalarLine(line) {
                exp.scalar = v
                break
            }
            guard let s = SeriesDescription.parse(line) else { return "unparsable expectation line: \(line)" }
            exp.series.append(s)
        }

        let result: QueryResult
        do {
            if isRange {
                result = try engine.rangeQuery(storage, expr: query, start: start, end: end, stepMs: step)
            } else {
                result = try engine.instantQuery(storage, expr: query, at: at)
            }
        } catch {
            if !exp.fail { return "unexpected error: \(error)" }
            if let m = exp.failMessage, error.description != m { return "expected error \(goQuotedString(m)), got \(goQuotedString(error.description))" }
            if let r = exp.failRegex, ((try? Regex(r)).flatMap { try? $0.firstMatch(in: error.description) }) == nil {
                return "error \(goQuotedString(error.description)) does not match /\(r)/"
            }
            return nil
        }
        if exp.fail { return "expected failure, got success: \(result.value)" }
        if let msg = checkAnnotations(result.warnings, exp.warn, exp.warnRegex, exp.noWarn, "warn") { return msg }
        if let msg = checkAnnotations(result.infos, exp.info, exp.infoRegex, exp.noInfo, "info") { return msg }

        if let want = exp.string {
            guard case let .string(_, got) = result.value else { return "expected string, got \(result.value)" }
            return got == want ? nil : "expected string \(want), got \(got)"
        }
        if let want = exp.scalar {
            guard case let .scalar(_, got) = result.value else { return "expected scalar \(want), got \(result.value)" }
            return almostEqualTest(want, got) ? nil : "expected scalar \(want), got \(got)"
        }
        switch result.value {
        case let .scalar(_, v):
            return "expected vector/matrix, got scalar \(v)"
        case .string:
            return "unexpected string result"
        case let .vector(vec):
            if exp.rangeVector != nil { return "expected range vector, got vector" }
            if vec.count != exp.series.count {
                return "expected \(exp.series.count) series, got \(vec.count): \(vec.map { "\($0.labels) \($0.v)" })"
            }
            for (k, (labels, values)) in exp.series.enumerated() {
                guard values.count == 1, case let .value(want) = values[0] else { return "bad expected value for \(labels)" }
                let idx: Int?
                if exp.ordered { idx = vec[k].labels == labels ? k : nil } else { idx = vec.firstIndex { $0.labels == labels } }
                guard let i = idx else {
                    return exp.ordered ? "expected \(labels) at position \(k), got \(vec[k].labels)" : "missing series \(labels); got \(vec.map(\.labels))"
                }
                if !almostEqualTest(want, vec[i].v) { return "series \(labels): expected \(want), got \(vec[i].v)" }
            }
            return nil
        case let .matrix(mat):
            var s0 = start, st = step
            if !isRange {
                guard let rv = exp.rangeVector else { return "unexpected range vector result" }
                s0 = rv.0; st = rv.2
            }
            if mat.count != exp.series.count {
                return "expected \(exp.series.count) series, got \(mat.count): \(mat.map(\.labels))"
            }
            for (labels, values) in exp.series {
                guard let s = mat.first(where: { $0.labels == labels }) else { return "missing series \(labels); got \(mat.map(\.labels))" }
                var want: [Point] = []
                for (k, v) in values.enumerated() {
                    if case let .value(x) = v { want.append(Point(t: s0 + Int64(k) * st, v: x)) }
                }
                if want.count != s.points.count {
                    return "series \(labels): expected \(want.count) points \(want.map { "\($0.v)@\($0.t)" }), got \(s.points.map { "\($0.v)@\($0.t)" })"
                }
                for (a, b) in zip(want, s.points) where a.t != b.t || !almostEqualTest(a.v, b.v) {
                    return "series \(labels): expected \(want.map { "\($0.v)@\($0.t)" }), got \(s.points.map { "\($0.v)@\($0.t)" })"
                }
            }
            return nil
        }
    }

    private func checkAnnotations(_ got: [String], _ want: [String]?, _ wantRegex: [String], _ none: Bool, _ kind: String) -> String? {
        if none && !got.isEmpty { return "expected no \(kind) annotations, got \(got)" }
        guard let want else { return nil }
        if got.isEmpty { return "expected \(kind) annotations, got none" }
        if want.isEmpty && wantRegex.isEmpty { return nil }
        func matches(_ a: String) -> Bool {
            want.contains(a) || wantRegex.contains { ((try? Regex($0)).flatMap { try? $0.firstMatch(in: a) }) != nil }
        }
        for a in got where !matches(a) { return "unexpected \(kind) annotation \(a); want \(want + wantRegex)" }
        for w in want where !got.contains(w) { return "missing \(kind) annotation \(w); got \(got)" }
        return nil
    }

    private func parseScalarLine(_ line: String) -> Double? {
        if line.contains(" ") || line.contains("{") { return nil }
        if let i = Int64(line) { return Double(i) }
        if line.hasPrefix("0x"), let i = Int64(line.dropFirst(2), radix: 16) { return Double(i) }
        switch line {
        case "NaN": return .nan
        case "Inf", "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: break
        }
        if line.first?.isLetter == true { return nil }
        return Double(line)
    }
}

/// `almost.Equal(a, b, 1e-6)` with StaleNaN only equal to StaleNaN.
func almostEqualTest(_ a: Double, _ b: Double) -> Bool {
    if isStaleNaN(a) || isStaleNaN(b) { return isStaleNaN(a) && isStaleNaN(b) }
    if a == b { return true }
    if a.isNaN && b.isNaN { return true }
    let minNormal = 2.2250738585072014e-308
    let diff = abs(a - b)
    let sum = abs(a) + abs(b)
    if a == 0 || b == 0 || sum < minNormal { return diff < 1e-6 * minNormal }
    return diff / min(sum, Double.greatestFiniteMagnitude) < 1e-6
}

func goQuotedString(_ s: String) -> String { goQuoted(s) }

/// The corpus manifest: which evals to skip.
struct Manifest {
    var skipWhole: [String: Bool] = [:]
    var flagged: [String: Set<Int>] = [:]

    static func load(_ dir: URL) -> Manifest {
        var m = Manifest()
        guard let data = try? Data(contentsOf: dir.appendingPathComponent("manifest.json")),
              let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let files = json["files"] as? [String: Any] else { return m }
        for (name, v) in files {
            guard let f = v as? [String: Any] else { continue }
            m.skipWhole[name] = !(f["whole_file_feature"] is NSNull) && f["whole_file_feature"] != nil
            if let lines = f["flagged_eval_lines"] as? [String: Any] {
                m.flagged[name] = Set(lines.keys.compactMap { Int($0) })
            }
        }
        return m
    }
}
