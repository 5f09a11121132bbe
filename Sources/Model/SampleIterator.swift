/// Walks the samples of one series in time order, without allocating per sample.
///
/// Contract (Prometheus' `chunkenc.Iterator`): call `next()` (or `seek`) before the first `at()`;
/// `at()` is valid only after a call that returned true. `seek(t)` moves to the first sample at or
/// after `t`, never backwards: when the current sample is already at or after `t` it stays. After
/// `next()`/`seek` returns false, `error` tells whether the end came from damaged data.
package protocol SampleIterator {
    /// Advances to the next sample; false at the end or on error.
    mutating func next() -> Bool
    /// Advances to the first sample with timestamp >= `t`; false if there is none.
    mutating func seek(_ t: Int64) -> Bool
    /// The current sample.
    func at() -> (t: Int64, v: Double)
    /// Why iteration stopped early, if it did.
    var error: StorageError? { get }
}

extension SampleIterator {
    /// The default `seek`: `next()` until the timestamp reaches `t`. `started` says whether
    /// `at()` is valid, since the first `next()` must always run.
    package mutating func seekByStepping(_ t: Int64, started: Bool) -> Bool {
        if started && at().t >= t { return true }
        while next() {
            if at().t >= t { return true }
        }
        return false
    }

    /// Drains the rest of the iterator into an array (tests and small results).
    package mutating func collect() -> [Sample] {
        var out: [Sample] = []
        while next() {
            let (t, v) = at()
            out.append(Sample(t: t, v: v))
        }
        return out
    }
}

/// Iterates an array of samples (tests, and series built in memory).
package struct ArraySampleIterator: SampleIterator {
    private let samples: [Sample]
    private var index = -1

    /// Iterates `samples`, which must be in time order.
    package init(_ samples: [Sample]) { self.samples = samples }

    /// Advances.
    package mutating func next() -> Bool {
        if index < samples.count { index += 1 }
        return index < samples.count
    }

    /// Moves to the first sample at or after `t`.
    package mutating func seek(_ t: Int64) -> Bool {
        if index < 0 { index = 0 }
        while index < samples.count && samples[index].t < t { index += 1 }
        return index < samples.count
    }

    /// The current sample.
    package func at() -> (t: Int64, v: Double) {
        guard index >= 0 && index < samples.count else { return (0, 0) }
        return (samples[index].t, samples[index].v)
    }

    /// Never fails.
    package var error: StorageError? { nil }
}
