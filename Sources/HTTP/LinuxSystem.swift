import Glibc

/// Linux calls the Swift `Glibc` module does not import: epoll, eventfd, accept4 and
/// pthread_setname_np live behind `_GNU_SOURCE` or in headers outside its module map.
///
/// Rather than add a C shim target to `Package.swift`, they are looked up once with `dlsym` and
/// called through `@convention(c)` pointers, which is the C calling convention (no shim needed,
/// no cost beyond the usual PLT indirection). `struct epoll_event` is read and written as raw
/// bytes because its layout differs by architecture (packed, 12 bytes, on x86-64).
enum LinuxSystem {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
    typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32

    static let epollIn: UInt32 = 0x001
    static let epollOut: UInt32 = 0x004
    static let epollErr: UInt32 = 0x008
    static let epollHup: UInt32 = 0x010
    static let epollRdHup: UInt32 = 0x2000
    static let ctlAdd: Int32 = 1
    static let ctlDel: Int32 = 2
    static let ctlMod: Int32 = 3
    /// `O_CLOEXEC`, shared by `EPOLL_CLOEXEC`, `EFD_CLOEXEC` and `SOCK_CLOEXEC`.
    static let closeOnExec: Int32 = 0o2_000_000
    /// `O_NONBLOCK`, shared by `EFD_NONBLOCK` and `SOCK_NONBLOCK`.
    static let nonBlocking: Int32 = 0o4000

    #if arch(x86_64)
    /// `struct epoll_event` is `__attribute__((packed))` on x86-64 only.
    static let eventStride = 12
    static let eventDataOffset = 4
    #else
    static let eventStride = 16
    static let eventDataOffset = 8
    #endif

    private static func symbol<T>(_ name: String, as type: T.Type) -> T {
        let handle = dlopen(nil, RTLD_NOW)
        guard let pointer = dlsym(handle, name) else {
            // Every symbol here has been in glibc since 2.10; its absence means a broken libc.
            fatalError("HTTP: libc has no \(name)")
        }
        return unsafeBitCast(pointer, to: type)
    }

    static let epollCreate1 = symbol("epoll_create1", as: EpollCreate1.self)
    static let epollCtlFunction = symbol("epoll_ctl", as: EpollCtl.self)
    static let epollWait = symbol("epoll_wait", as: EpollWait.self)
    static let eventFD = symbol("eventfd", as: EventFD.self)
    static let accept4 = symbol("accept4", as: Accept4.self)
    static let setThreadName = symbol("pthread_setname_np", as: SetThreadName.self)

    /// Registers, modifies or removes `fd` in `epfd` with `events`; the event data is the fd.
    @discardableResult
    static func epollCtl(_ epfd: Int32, _ op: Int32, _ fd: Int32, _ events: UInt32) -> Int32 {
        withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            raw.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: UInt64(UInt32(bitPattern: fd)), toByteOffset: eventDataOffset, as: UInt64.self)
            return epollCtlFunction(epfd, op, fd, raw.baseAddress)
        }
    }

    /// The events and fd of entry `index` in an epoll_wait result buffer.
    static func event(in buffer: UnsafeMutableRawPointer, at index: Int) -> (events: UInt32, fd: Int32) {
        let base = buffer + index * eventStride
        let events = base.loadUnaligned(as: UInt32.self)
        let data = (base + eventDataOffset).loadUnaligned(as: UInt64.self)
        return (events, Int32(truncatingIfNeeded: data))
    }

    /// Monotonic time in nanoseconds, for deadlines and latency.
    static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit so thousands of sockets fit.
    static func raiseOpenFileLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The text of `errno` value `code`.
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
