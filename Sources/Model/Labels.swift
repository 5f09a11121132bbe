/// One label pair, as handed out by iteration. Building one allocates its Strings; hot paths use
/// `Labels.forEachRaw` instead.
package struct Label: Sendable, Hashable {
    /// The label name.
    package var name: String
    /// The label value; never empty inside a `Labels`.
    package var value: String

    /// A pair.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An immutable label set: the identity of a series.
///
/// Layout: one packed byte array, the *canonical encoding*, `[uvarint nameLen][name][uvarint
/// valueLen][value]` per pair, pairs sorted by name in byte order (Go's string order, which is
/// Prometheus' order), names unique, no empty values (Prometheus treats an empty value as an absent
/// label, so it is dropped). A set therefore costs one 8-byte reference plus one heap block of
/// 32 bytes of header and the encoded pairs; for a typical node_exporter series (6 labels, ~110
/// bytes of text) that is ~150 bytes, against ~16 bytes per String header pair plus out-of-line
/// storage for every long string in an `[(String, String)]` layout.
///
/// Because the encoding is canonical, equality and hashing compare bytes, `stableHash` is
/// xxHash64 (seed 0) over them, and the WAL stores them as they are.
package struct Labels: Sendable, Hashable, Comparable, Sequence, CustomStringConvertible {
    /// The name that carries the metric name.
    package static let metricName = "__name__"

    /// The canonical encoding described on the type.
    package let bytes: [UInt8]

    /// The empty set.
    package init() { bytes = [] }

    /// A set from pairs in any order. When a name repeats, the last pair wins; pairs with an
    /// empty value are dropped.
    package init(_ pairs: [(String, String)]) {
        // A stable sort keeps input order among equal names, so "last wins" is the last of a run.
        let sorted = Labels.stableSortByName(pairs)
        var out: [UInt8] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count && sorted[j + 1].0 == sorted[i].0 { j += 1 }
            let (name, value) = sorted[j]
            if !value.isEmpty { Labels.appendPair(name, value, to: &out) }
            i = j + 1
        }
        bytes = out
    }

    /// A set from a dictionary; empty values are dropped.
    package init(_ dict: [String: String]) {
        self.init(dict.map { ($0.key, $0.value) })
    }

    /// Adopts bytes in the canonical encoding after checking them: nil when they are malformed,
    /// unsorted, repeat a name or hold an empty name or value. Used on bytes read from disk.
    package init?(canonical bytes: [UInt8]) {
        guard Labels.isCanonical(bytes) else { return nil }
        self.bytes = bytes
    }

    /// Adopts bytes the caller built with `appendPair` in sorted order (no check).
    init(trusted bytes: [UInt8]) { self.bytes = bytes }

    /// True when there are no pairs.
    package var isEmpty: Bool { bytes.isEmpty }

    /// The number of pairs (a walk over the bytes).
    package var count: Int {
        var n = 0
        forEachRaw { _, _ in n += 1 }
        return n
    }

    /// The value of `name`, or "" when the label is absent (Prometheus' `Get`).
    package func get(_ name: String) -> String {
        var name = name
        return name.withUTF8 { want in
            var found = ""
            forEachRawUntil { n, v in
                let c = Labels.compareBytes(n, UnsafeRawBufferPointer(want))
                if c == 0 { found = String(decoding: v, as: UTF8.self); return false }
                return c < 0 // sorted: stop once past the name
            }
            return found
        }
    }

    /// True when the set has a pair named `name`.
    package func has(_ name: String) -> Bool { !get(name).isEmpty }

    /// The value of `__name__`, or "".
    package var name: String { self.get(Labels.metricName) }

    /// xxHash64 (seed 0) of the canonical encoding: stable across runs and versions.
    package var stableHash: UInt64 { XXHash64.hash(bytes) }

    /// Calls `body` with each name and value as raw UTF-8, in order, without allocating. The
    /// buffers are valid only during the call.
    @inlinable
    package func forEachRaw(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) {
        forEachRawUntil { n, v in body(n, v); return true }
    }

    /// Like `forEachRaw`, stopping when `body` returns false.
    @inlinable
    package func forEachRawUntil(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) {
        bytes.withUnsafeBytes { buf in
            var i = 0
            while i < buf.count {
                // The encoding was checked (or built) when this value was made, so a failed read
                // can only mean the end; stopping is the safe answer either way.
                guard let nl = Varint.readUvarint(from: buf, at: &i), Int(nl) <= buf.count - i else { return }
                let n = UnsafeRawBufferPointer(rebasing: buf[i ..< i + Int(nl)])
                i += Int(nl)
                guard let vl = Varint.readUvarint(from: buf, at: &i), Int(vl) <= buf.count - i else { return }
                let v = UnsafeRawBufferPointer(rebasing: buf[i ..< i + Int(vl)])
                i += Int(vl)
                if !body(n, v) { return }
            }
        }
    }

    /// The pairs as an array (allocates).
    package var pairs: [Label] { Array(self) }

    /// The names in order (allocates).
    package var names: [String] { map(\.name) }

    /// A builder starting from this set.
    package var builder: LabelsBuilder { LabelsBuilder(self) }

    /// A copy without the named labels.
    package func removing(_ names: Set<String>) -> Labels { filtered(names, keep: false) }

    /// A copy with only the named labels.
    package func keeping(_ names: Set<String>) -> Labels { filtered(names, keep: true) }

    /// The pairs whose names are (`keep`) or are not in `names`, copied as encoded: no String
    /// is made for a value, and names are compared as bytes (grouping runs this per series).
    private func filtered(_ names: Set<String>, keep: Bool) -> Labels {
        if names.isEmpty { return keep ? Labels() : self }
        var out: [UInt8] = []
        var changed = false
        bytes.withUnsafeBytes { buf in
            var i = 0
            while i < buf.count {
                let pairStart = i
                guard let name = Labels.readField(buf, &i), Labels.readField(buf, &i) != nil else { break }
                var listed = false
                for n in names where n.utf8.count == name.count {
                    if n.utf8.elementsEqual(name) {
                        listed = true
                        break
                    }
                }
                if listed == keep {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[pairStart ..< i]))
                } else {
                    changed = true
                }
            }
        }
        return changed ? Labels(trusted: out) : self
    }

    /// A copy without `__name__`.
    package var droppingMetricName: Labels { removing([Labels.metricName]) }

    // MARK: Sequence

    /// Iterates pairs as `Label` values (allocating Strings).
    package struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        var index = 0

        /// The next pair, or nil at the end.
        package mutating func next() -> Label? {
            guard index < bytes.count,
                  let nl = Varint.readUvarint(from: bytes, at: &index), Int(nl) <= bytes.count - index
            else { return nil }
            let name = String(decoding: bytes[index ..< index + Int(nl)], as: UTF8.self)
            index += Int(nl)
            guard let vl = Varint.readUvarint(from: bytes, at: &index), Int(vl) <= bytes.count - index
            else { return nil }
            let value = String(decoding: bytes[index ..< index + Int(vl)], as: UTF8.self)
            index += Int(vl)
            return Label(name: name, value: value)
        }
    }

    /// An iterator over the pairs.
    package func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    // MARK: Equality, order, text

    /// Byte equality of the canonical encodings.
    package static func == (a: Labels, b: Labels) -> Bool {
        if a.bytes.count != b.bytes.count { return false }
        return a.bytes.withUnsafeBytes { pa in
            b.bytes.withUnsafeBytes { pb in
                Labels.compareBytes(pa, pb) == 0
            }
        }
    }

    /// Hashes the canonical encoding.
    package func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// Prometheus' `labels.Compare`: pair by pair, name then value in byte order; a set that is a
    /// prefix of another sorts first.
    package static func < (a: Labels, b: Labels) -> Bool { compare(a, b) < 0 }

    /// -1, 0 or 1 as `a` sorts before, equal to or after `b` (Prometheus' `labels.Compare`).
    package static func compare(_ a: Labels, _ b: Labels) -> Int {
        a.bytes.withUnsafeBytes { pa in
            b.bytes.withUnsafeBytes { pb in
                var i = 0, j = 0
                while i < pa.count && j < pb.count {
                    guard let an = readField(pa, &i), let bn = readField(pb, &j) else { return 0 }
                    let c1 = compareBytes(an, bn)
                    if c1 != 0 { return c1 }
                    guard let av = readField(pa, &i), let bv = readField(pb, &j) else { return 0 }
                    let c2 = compareBytes(av, bv)
                    if c2 != 0 { return c2 }
                }
                if i < pa.count { return 1 }
                if j < pb.count { return -1 }
                return 0
            }
        }
    }

    /// `{__name__="up", job="node"}`, values quoted with `\\`, `\"` and `\n` escaped.
    package var description: String {
        var s = "{"
        var first = true
        for l in self {
            if !first { s += ", " }
            first = false
            s += l.name
            s += "=\""
            for ch in l.value.unicodeScalars {
                switch ch {
                case "\\": s += "\\\\"
                case "\"": s += "\\\""
                case "\n": s += "\\n"
                default: s.unicodeScalars.append(ch)
                }
            }
            s += "\""
        }
        return s + "}"
    }

    // MARK: Encoding helpers

    /// Appends one pair in the canonical encoding; callers keep names sorted and unique.
    package static func appendPair(_ name: String, _ value: String, to out: inout [UInt8]) {
        Varint.appendUvarint(UInt64(name.utf8.count), to: &out)
        out.append(contentsOf: name.utf8)
        Varint.appendUvarint(UInt64(value.utf8.count), to: &out)
        out.append(contentsOf: value.utf8)
    }

    /// Byte-wise three-way comparison (memcmp, then length).
    @inlinable
    package static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = Swift.min(a.count, b.count)
        if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let c = memcmpBytes(pa, pb, n)
            if c != 0 { return c < 0 ? -1 : 1 }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    @inlinable
    static func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Int {
        var i = 0
        // Word-at-a-time while equal, then byte-wise for the ordering.
        while i + 8 <= n {
            if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { break }
            i += 8
        }
        while i < n {
            let x = a.load(fromByteOffset: i, as: UInt8.self)
            let y = b.load(fromByteOffset: i, as: UInt8.self)
            if x != y { return Int(x) - Int(y) }
            i += 1
        }
        return 0
    }

    static func readField(_ buf: UnsafeRawBufferPointer, _ i: inout Int) -> UnsafeRawBufferPointer? {
        guard let len = Varint.readUvarint(from: buf, at: &i), len <= UInt64(buf.count - i) else { return nil }
        let r = UnsafeRawBufferPointer(rebasing: buf[i ..< i + Int(len)])
        i += Int(len)
        return r
    }

    static func isCanonical(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buf in
            var i = 0
            var previous: UnsafeRawBufferPointer? = nil
            while i < buf.count {
                guard let n = readField(buf, &i), n.count > 0 else { return false }
                if let p = previous, compareBytes(p, n) >= 0 { return false }
                guard let v = readField(buf, &i), v.count > 0 else { return false }
                previous = n
            }
            return true
        }
    }

    /// Sorts by name in byte order, keeping input order among equal names.
    static func stableSortByName(_ pairs: [(String, String)]) -> [(String, String)] {
        let indexed = pairs.enumerated().map { ($0.offset, $0.element) }
        return indexed.sorted { a, b in
            let c = compareUTF8(a.1.0, b.1.0)
            return c != 0 ? c < 0 : a.0 < b.0
        }.map(\.1)
    }

    /// Byte-order comparison of two Strings (Go's order; Swift's `<` is Unicode order).
    package static func compareUTF8(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        return a.withUTF8 { pa in b.withUTF8 { pb in compareBytes(UnsafeRawBufferPointer(pa), UnsafeRawBufferPointer(pb)) } }
    }
}

extension Labels: ExpressibleByDictionaryLiteral {
    /// `["__name__": "up", "job": "node"]`.
    package init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}
