import Model
import Synchronization

/// Label values of one child, in the order of the family's label names.
typealias LabelValues = [String]

/// Shared child bookkeeping for labelled families: children created on first use, kept forever.
final class Children<Child: AnyObject & Sendable>: Sendable {
    private let map = Mutex<[LabelValues: Child]>([:])
    private let make: @Sendable () -> Child

    init(make: @escaping @Sendable () -> Child) { self.make = make }

    func get(_ values: LabelValues) -> Child {
        map.withLock { m in
            if let c = m[values] { return c }
            let c = make()
            m[values] = c
            return c
        }
    }

    /// Children sorted by label values, for stable output.
    var sorted: [(LabelValues, Child)] {
        map.withLock { m in m.map { ($0.key, $0.value) } }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
    }
}

/// A monotonically increasing value.
package final class Counter: Sendable {
    private let value = Mutex<Double>(0)
    package init() {}
    /// Adds `delta`; negative deltas are ignored because counters only go up.
    package func add(_ delta: Double) {
        guard delta > 0 else { return }
        value.withLock { $0 += delta }
    }
    package func inc() { value.withLock { $0 += 1 } }
    package var get: Double { value.withLock { $0 } }
}

/// A value that can go up and down.
package final class Gauge: Sendable {
    private let value = Mutex<Double>(0)
    package init() {}
    package func set(_ v: Double) { value.withLock { $0 = v } }
    package func add(_ d: Double) { value.withLock { $0 += d } }
    package var get: Double { value.withLock { $0 } }
}

/// Cumulative buckets with `le` upper bounds, plus sum and count.
package final class Histogram: Sendable {
    let bounds: [Double]
    private let state: Mutex<(counts: [UInt64], sum: Double, count: UInt64)>

    init(bounds: [Double]) {
        self.bounds = bounds
        state = Mutex((Array(repeating: 0, count: bounds.count), 0, 0))
    }

    /// Records one observation.
    package func observe(_ v: Double) {
        // Buckets are few (about ten): a linear scan beats a binary search here.
        var i = 0
        while i < bounds.count, v > bounds[i] { i += 1 }
        state.withLock { s in
            if i < s.counts.count { s.counts[i] += 1 }
            s.sum += v
            s.count += 1
        }
    }

    var snapshot: (counts: [UInt64], sum: Double, count: UInt64) { state.withLock { $0 } }
}

/// A metric child holding one value: a counter or a gauge.
package protocol ValueMetric: AnyObject, Sendable {
    init()
    /// The `# TYPE` of a family of these.
    static var metricType: MetricType { get }
    var get: Double { get }
}

extension Counter: ValueMetric {
    package static var metricType: MetricType { .counter }
}

extension Gauge: ValueMetric {
    package static var metricType: MetricType { .gauge }
}

/// A family of counters or gauges sharing a name and label names.
package final class ValueFamily<Child: ValueMetric>: MetricFamily {
    package let name: String
    let help: String
    let labelNames: [String]
    private let children = Children { Child() }

    init(name: String, help: String, labelNames: [String]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
    }

    /// The child for these label values (in label-name order); created at 0 on first use.
    package func with(_ values: String...) -> Child { children.get(values) }
    package func with(values: [String]) -> Child { children.get(values) }

    package func write(to w: inout ExpositionWriter) {
        w.family(name, help: help, type: Child.metricType)
        for (values, c) in children.sorted {
            w.sample(name, labels: Array(zip(labelNames, values)), value: c.get)
        }
    }
}

package typealias CounterFamily = ValueFamily<Counter>
package typealias GaugeFamily = ValueFamily<Gauge>

/// A family of histograms sharing a name, label names and bucket bounds.
package final class HistogramFamily: MetricFamily {
    package let name: String
    let help: String
    let labelNames: [String]
    let buckets: [Double]
    private let children: Children<Histogram>

    init(name: String, help: String, labelNames: [String], buckets: [Double]) {
        self.name = name
        self.help = help
        self.labelNames = labelNames
        let sortedBuckets = buckets.filter { $0.isFinite }.sorted()
        self.buckets = sortedBuckets
        children = Children { Histogram(bounds: sortedBuckets) }
    }

    package func with(_ values: String...) -> Histogram { children.get(values) }
    package func with(values: [String]) -> Histogram { children.get(values) }

    package func write(to w: inout ExpositionWriter) {
        w.family(name, help: help, type: .histogram)
        for (values, h) in children.sorted {
            let labels = Array(zip(labelNames, values))
            let s = h.snapshot
            var cumulative: UInt64 = 0
            for (i, le) in buckets.enumerated() {
                cumulative += s.counts[i]
                w.sample(name + "_bucket", labels: labels + [("le", FloatFormat.g(le))], value: Double(cumulative))
            }
            w.sample(name + "_bucket", labels: labels + [("le", "+Inf")], value: Double(s.count))
            w.sample(name + "_sum", labels: labels, value: s.sum)
            w.sample(name + "_count", labels: labels, value: Double(s.count))
        }
    }
}
