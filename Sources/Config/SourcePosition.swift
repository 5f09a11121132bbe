internal import YAML

/// Where a value was written in the file, for validation messages that come after decoding.
///
/// It compares equal to every other position, so that two configurations with the same
/// meaning are equal even when formatted differently (reloads compare configs this way).
struct SourcePosition: Sendable, Equatable {
    var mark: Mark?

    init(_ mark: Mark?) {
        self.mark = mark
    }

    static func == (lhs: SourcePosition, rhs: SourcePosition) -> Bool { true }
}
