import Synchronization

/// Per-request state shared between the event loop and the handler's thread.
///
/// The loop sets `isClientGone` when the client closes or resets the connection while the
/// handler runs, so a long query can poll it and stop early (like Go's `Request.Context()`).
package final class RequestContext: Sendable {
    private let gone = Atomic<Bool>(false)

    /// A context for a request that has not been abandoned.
    package init() {}

    /// Whether the client closed its side of the connection (EOF, reset or shutdown cut-off).
    package var isClientGone: Bool { gone.load(ordering: .acquiring) }

    /// Marks the client gone; called by the event loop.
    func markClientGone() { gone.store(true, ordering: .releasing) }
}
