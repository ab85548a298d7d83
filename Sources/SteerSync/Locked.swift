// A value behind a pthread mutex: the lock of every piece of shared state in the daemon and clients.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value only reachable while holding its lock.
///
/// Used instead of `Synchronization.Mutex` so that ThreadSanitizer can check this code:
/// TSan intercepts `pthread_mutex_lock`/`unlock` and knows what they order, but the
/// standard library's `Mutex` (not built with TSan; on Linux a futex whose contended hand-over
/// happens in the kernel) is invisible to it, so every contended access to state behind one
/// was reported as a race (`Scripts/tsan-mutex-probe.swift` shows it on a correct program).
/// The cost is the same: glibc's mutex is a futex too, with an atomic fast path.
public final class Locked<Value>: @unchecked Sendable {
    @usableFromInline var value: Value
    @usableFromInline let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock; keep it short and never call back into
    /// code that may take the same lock.
    @inlinable
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
