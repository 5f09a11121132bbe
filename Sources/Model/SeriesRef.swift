/// A storage-assigned series identifier, stable for the life of the series in the storage that
/// issued it (across restarts for the head: it is written to the WAL). Zero means "none".
package struct SeriesRef: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The raw number.
    package var rawValue: UInt64

    /// Wraps a raw number.
    @inlinable
    package init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Wraps a raw number.
    @inlinable
    package init(_ rawValue: UInt64) { self.rawValue = rawValue }

    /// No series: ask the storage to resolve the labels.
    package static let none = SeriesRef(0)

    /// Orders by number, which for the head is creation order.
    @inlinable
    package static func < (a: SeriesRef, b: SeriesRef) -> Bool { a.rawValue < b.rawValue }

    /// The number.
    package var description: String { String(rawValue) }
}
