internal import Model

/// Reads one series' samples from storage in batches: one `read(into:)` call through the
/// `SampleIterator` existential per batch instead of two calls per sample, keeping only samples
/// in `[mint, maxt]`. The batch buffer belongs to the caller and is reused from series to series,
/// so walking a series allocates nothing.
struct SampleCursor {
    private var iterator: any SampleIterator
    private let buffer: UnsafeMutableBufferPointer<Sample>
    private var position = 0
    private var count = 0
    private var ended = false
    private let mint: Int64
    private let maxt: Int64
    /// Samples handed out so far (the query's `samplesLoaded`).
    private(set) var loaded = 0

    init(_ iterator: any SampleIterator, buffer: UnsafeMutableBufferPointer<Sample>, mint: Int64, maxt: Int64) {
        self.iterator = iterator
        self.buffer = buffer
        self.mint = mint
        self.maxt = maxt
    }

    /// Why the series ended early, if it did.
    var error: StorageError? { iterator.error }

    /// The next sample without consuming it; nil at the end.
    @inline(__always)
    mutating func peek() -> Sample? {
        if position < count { return buffer[position] }
        return refill() ? buffer[position] : nil
    }

    /// Consumes the sample `peek` returned.
    @inline(__always)
    mutating func advance() { position += 1 }

    private mutating func refill() -> Bool {
        while !ended {
            let n = iterator.read(into: buffer)
            if n <= 0 {
                ended = true
                return false
            }
            var first = 0
            while first < n && buffer[first].t < mint { first += 1 }
            var end = n
            if buffer[n - 1].t > maxt {
                end = first
                while end < n && buffer[end].t <= maxt { end += 1 }
                ended = true
            }
            position = first
            count = end
            loaded += end - first
            if first < end { return true }
        }
        return false
    }
}

/// Where a range vector's windows sit: `(ref - rangeMs, ref]` with `ref` the step (or the `@`
/// time) minus the offset.
struct RangePlacement {
    var rangeMs: Int64
    var offsetMs: Int64
    var at: AtModifier?
}
