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
    /// Reads the next samples, as repeated `next()` calls would, into `buffer`; returns how many
    /// (0 at the end or on error, then `error` tells which). After a non-zero return the
    /// iterator stands on the last sample written, so `next()`, `seek` and `at()` carry on from
    /// there. One call per batch instead of two per sample: the engine's hot loops read storage
    /// through this. The default steps with `next()`; storage implements it over raw chunks.
    mutating func read(into buffer: UnsafeMutableBufferPointer<Sample>) -> Int
}

extension SampleIterator {
    /// The default `read(into:)`: `next()` and `at()` per sample.
    package mutating func read(into buffer: UnsafeMutableBufferPointer<Sample>) -> Int {
        var n = 0
        while n < buffer.count && next() {
            let (t, v) = at()
            buffer[n] = Sample(t: t, v: v)
            n += 1
        }
        return n
    }

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

    /// Copies the next samples.
    package mutating func read(into buffer: UnsafeMutableBufferPointer<Sample>) -> Int {
        if buffer.isEmpty || index + 1 >= samples.count {
            if index < samples.count && !buffer.isEmpty { index += 1 }
            return 0
        }
        index += 1
        let n = min(buffer.count, samples.count - index)
        if n <= 0 { return 0 }
        samples.withUnsafeBufferPointer { src in
            for k in 0 ..< n { buffer[k] = src[index + k] }
        }
        index += n - 1
        return n
    }
}
