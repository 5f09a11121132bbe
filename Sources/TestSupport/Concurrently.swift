import Foundation

/// Runs `body(0..<count)` on `count` separate OS threads and waits for all of them.
///
/// Blocking socket clients must not run on the cooperative pool, which has one thread per core
/// (two here): 50 "concurrent" tasks would really run two at a time.
package func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    group.wait()
}
