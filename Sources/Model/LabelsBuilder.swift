/// Edits a label set: `set` and `delete` record changes against a base set; `labels()` builds the
/// canonical result. Setting an empty value deletes the label, as in Prometheus.
package struct LabelsBuilder: Sendable {
    private var base: Labels
    private var changes: [String: String] = [:]

    /// A builder over `base` (empty by default).
    package init(_ base: Labels = Labels()) { self.base = base }

    /// Sets `name` to `value`; an empty value deletes the label.
    package mutating func set(_ name: String, _ value: String) {
        changes[name] = value
    }

    /// Removes `name`.
    package mutating func delete(_ name: String) {
        changes[name] = ""
    }

    /// The current value of `name` ("" when absent).
    package func get(_ name: String) -> String {
        if let v = changes[name] { return v }
        return base.get(name)
    }

    /// Starts over from `base`, dropping recorded changes.
    package mutating func reset(_ base: Labels) {
        self.base = base
        changes.removeAll(keepingCapacity: true)
    }

    /// The resulting label set.
    package func labels() -> Labels {
        if changes.isEmpty { return base }
        var pairs: [(String, String)] = []
        for l in base where changes[l.name] == nil { pairs.append((l.name, l.value)) }
        for (n, v) in changes where !v.isEmpty { pairs.append((n, v)) }
        return Labels(pairs)
    }
}
