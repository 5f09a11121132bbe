import Model
import Synchronization

/// The kind of a metric family as written in `# TYPE` lines.
package enum MetricType: String, Sendable {
    case counter, gauge, histogram, untyped
}

/// Holds the daemon's own metric families and renders them in text exposition format 0.0.4.
///
/// Families are registered once: registering a name again returns the family already there when
/// it is of the same kind; a different kind under a taken name gets a detached, unexported family.
package final class MetricRegistry: Sendable {
    private let families = Mutex<[String: any MetricFamily]>([:])
    private let collectors = Mutex<[@Sendable (inout ExpositionWriter) -> Void]>([])

    package init() {}

    /// A counter family; `labelNames` empty means a single unlabelled counter (use `.child()`).
    package func counter(_ name: String, help: String, labels labelNames: [String] = []) -> CounterFamily {
        register(CounterFamily(name: name, help: help, labelNames: labelNames))
    }

    package func gauge(_ name: String, help: String, labels labelNames: [String] = []) -> GaugeFamily {
        register(GaugeFamily(name: name, help: help, labelNames: labelNames))
    }

    package func histogram(_ name: String, help: String, labels labelNames: [String] = [], buckets: [Double]) -> HistogramFamily {
        register(HistogramFamily(name: name, help: help, labelNames: labelNames, buckets: buckets))
    }

    /// Adds a callback that writes families computed at scrape time (process metrics, sizes).
    package func addCollector(_ collect: @escaping @Sendable (inout ExpositionWriter) -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    private func register<F: MetricFamily>(_ family: F) -> F {
        families.withLock { all in
            if let existing = all[family.name] as? F { return existing }
            if all[family.name] == nil { all[family.name] = family }
            return family
        }
    }

    /// The whole registry in text format, families sorted by name as Go's client does.
    package func render() -> [UInt8] {
        let fams = families.withLock { Array($0.values) }
        let cols = collectors.withLock { $0 }
        var w = ExpositionWriter()
        for f in fams { f.write(to: &w) }
        for c in cols { c(&w) }
        return w.sortedBytes()
    }
}

/// Something that can write its samples in text format.
package protocol MetricFamily: AnyObject, Sendable {
    var name: String { get }
    func write(to w: inout ExpositionWriter)
}

/// Builds text exposition format 0.0.4. Call `family` to start a family, then `sample` for each
/// of its series. Families are kept apart so the registry can emit them sorted by name.
package struct ExpositionWriter {
    private var blocks: [(name: String, bytes: [UInt8])] = []

    package init() {}

    /// Starts a family: writes `# HELP` and `# TYPE`. Samples that follow belong to it.
    package mutating func family(_ name: String, help: String, type: MetricType) {
        var b: [UInt8] = []
        b.reserveCapacity(256)
        ExpositionWriter.appendHeader(name: name, help: help, type: type, to: &b)
        blocks.append((name, b))
    }

    /// Writes one sample line into the current family (a nameless block if none was started).
    package mutating func sample(_ name: String, labels: [(String, String)] = [], value: Double) {
        if blocks.isEmpty { blocks.append((name, [])) }
        ExpositionWriter.appendSample(name, labels, value, to: &blocks[blocks.count - 1].bytes)
    }

    /// All families, sorted by name, concatenated.
    package func sortedBytes() -> [UInt8] {
        var out: [UInt8] = []
        for b in blocks.sorted(by: { $0.name < $1.name }) { out.append(contentsOf: b.bytes) }
        return out
    }

    static func appendHeader(name: String, help: String, type: MetricType, to out: inout [UInt8]) {
        out.append(contentsOf: "# HELP ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: " "))
        for b in help.utf8 {
            if b == UInt8(ascii: "\\") { out.append(contentsOf: [0x5c, 0x5c]) }
            else if b == 0x0a { out.append(contentsOf: [0x5c, UInt8(ascii: "n")]) }
            else { out.append(b) }
        }
        out.append(contentsOf: "\n# TYPE ".utf8)
        out.append(contentsOf: name.utf8)
        out.append(UInt8(ascii: " "))
        out.append(contentsOf: type.rawValue.utf8)
        out.append(0x0a)
    }

    /// `name{a="x",b="y"} value` with label values escaped as the text format requires.
    static func appendSample(_ name: String, _ labels: [(String, String)], _ value: Double, to out: inout [UInt8]) {
        out.append(contentsOf: name.utf8)
        if !labels.isEmpty {
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in labels.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: k.utf8)
                out.append(contentsOf: "=\"".utf8)
                for b in v.utf8 {
                    switch b {
                    case UInt8(ascii: "\\"): out.append(contentsOf: [0x5c, 0x5c])
                    case UInt8(ascii: "\""): out.append(contentsOf: [0x5c, 0x22])
                    case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
                    default: out.append(b)
                    }
                }
                out.append(UInt8(ascii: "\""))
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: " "))
        appendValue(value, to: &out)
        out.append(0x0a)
    }

    static func appendValue(_ v: Double, to out: inout [UInt8]) {
        FloatFormat.appendG(v, to: &out)
    }
}

