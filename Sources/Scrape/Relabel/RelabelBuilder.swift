import Model

/// A label set being relabeled: a base `Labels` plus recorded deletions and additions, with the
/// exact semantics of Prometheus' `labels.Builder` (which relabeling results depend on):
///
/// - `set` with an empty value deletes; `set` of a name already added updates it in place,
///   otherwise appends it to the additions (in order).
/// - `delete` removes the name from the additions and records a deletion.
/// - `get` looks at additions first, then deletions, then the base.
/// - `snapshot()` is `Range`: base pairs neither deleted nor re-added, then additions in the
///   order they were made.
/// - `labels()` returns the base untouched when nothing was recorded (the fast path when no
///   rule changed anything).
package struct RelabelBuilder: Sendable {
    /// The set the edits apply to.
    package private(set) var base: Labels
    private var deleted: [String] = []
    private var added: [(name: String, value: String)] = []

    /// A builder over `base`.
    package init(_ base: Labels = Labels()) { self.base = base }

    /// Starts over from `base`.
    package mutating func reset(_ base: Labels) {
        self.base = base
        deleted.removeAll(keepingCapacity: true)
        added.removeAll(keepingCapacity: true)
    }

    /// True when some edit was recorded.
    package var isModified: Bool { !deleted.isEmpty || !added.isEmpty }

    /// The current value of `name`, "" when absent.
    package func get(_ name: String) -> String {
        if let a = added.first(where: { $0.name == name }) { return a.value }
        if deleted.contains(name) { return "" }
        return base.get(name)
    }

    /// Sets `name` to `value`; an empty value deletes the label.
    package mutating func set(_ name: String, _ value: String) {
        if value.isEmpty { delete(name); return }
        if let k = added.firstIndex(where: { $0.name == name }) {
            added[k].value = value
            return
        }
        added.append((name, value))
    }

    /// Removes `name`.
    package mutating func delete(_ name: String) {
        added.removeAll { $0.name == name }
        deleted.append(name)
    }

    /// The current pairs in `Range` order (see the type's comment), as a copy that later edits
    /// do not affect.
    package func snapshot() -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        for l in base where !deleted.contains(l.name) && !added.contains(where: { $0.name == l.name }) {
            out.append((l.name, l.value))
        }
        out += added
        return out
    }

    /// The resulting label set.
    package func labels() -> Labels {
        if !isModified { return base }
        var pairs: [(String, String)] = []
        for l in base where !deleted.contains(l.name) && !added.contains(where: { $0.name == l.name }) {
            pairs.append((l.name, l.value))
        }
        for a in added { pairs.append((a.name, a.value)) }
        return Labels(pairs)
    }
}
