// The machinery under SteerAsyncClient: one socket, a writer thread that batches frames, a reader
// thread that hands each response to the call waiting for its id, and the calls' bookkeeping.
import Dispatch
import Foundation
import SteerSync
import SteerWire
#if canImport(Glibc)
import Glibc
#endif

/// One connection's state. The threads hold this object, not the public client, so releasing
/// the client closes the connection (its `deinit` calls ``close(reason:)``).
final class AsyncConnectionCore: Sendable {
    /// A request id's life: allocated (a slot is held, nothing sent yet), waiting (sent, a caller
    /// waits), cancelled before it was sent, or orphaned (its caller gave up; steerd still owes
    /// the answer, which frees the slot when it comes).
    private enum Call {
        case allocated
        case cancelledEarly(any Error)
        case waiting(Pending)
        case orphaned
    }

    private struct Pending {
        var continuation: CheckedContinuation<ResponseEnvelope, any Error>
        var method: Method
        /// Monotonic nanoseconds after which the call fails on its own; 0 for never.
        var expiry: UInt64
        var timeoutNanos: UInt64
    }

    /// A task waiting for an in-flight slot: not yet queued, queued, or cancelled before queuing.
    private enum Waiter {
        case allocated
        case cancelledEarly
        case waiting(CheckedContinuation<Void, any Error>)
    }

    private struct State {
        var nextID: UInt64 = 1
        var calls: [UInt64: Call] = [:]
        /// Slots taken: calls allocated, waiting or orphaned.
        var slotsTaken = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Queued waiter tokens, first come first served (cancelled ones are skipped).
        var waiterQueue: [UInt64] = []
        var waiterHead = 0
        var outbox: [UInt8] = []
        var writerIdle = false
        /// Set once, when the connection closes; every later call fails with it.
        var closeReason: String?
        /// A connection-level error steerd sent with id 0 (refused peer, oversized frame).
        var notice: RPCError?
        /// The earliest expiry of a waiting call (may be stale-early, never late).
        var nextExpiry = UInt64.max
        var unmatchedResponses = 0
        var liveThreads = 2
        var descriptorClosed = false
    }

    private typealias Resumption = (continuation: CheckedContinuation<ResponseEnvelope, any Error>, result: Result<ResponseEnvelope, any Error>)

    let socketPath: String
    let maxFrameSize: Int
    let maxInFlight: Int
    private let fd: Int32
    private let state = Locked(State())
    private let writerWake = DispatchSemaphore(value: 0)

    init(fd: Int32, socketPath: String, maxFrameSize: Int, maxInFlight: Int) {
        self.fd = fd
        self.socketPath = socketPath
        self.maxFrameSize = maxFrameSize
        self.maxInFlight = maxInFlight
    }

    func start() {
        let reader = Thread { [self] in readLoop(); threadExited() }
        reader.name = "steer-client-reader"
        reader.start()
        let writer = Thread { [self] in writeLoop(); threadExited() }
        writer.name = "steer-client-writer"
        writer.start()
    }

    var isClosed: Bool { state.withLock { $0.closeReason != nil } }
    var unmatchedResponses: Int { state.withLock { $0.unmatchedResponses } }
    var inFlight: Int { state.withLock { $0.slotsTaken } }

    // MARK: Calls

    /// Sends one request and waits for its response, whatever its status.
    /// - Parameters:
    ///   - deadlineMicros: sent in the envelope; 0 for none.
    ///   - timeoutNanos: the client-side limit; 0 for none.
    func call(_ method: Method, payload: [UInt8], deadlineMicros: UInt64, timeoutNanos: UInt64) async throws -> ResponseEnvelope {
        try Task.checkCancellation()
        try await acquireSlot()
        let id: UInt64 = state.withLock { s in
            let id = s.nextID
            s.nextID += 1
            s.calls[id] = .allocated
            return id
        }
        let frame = Framing.frame(RequestEnvelope(id: id, method: method, deadlineUnixMicros: deadlineMicros, payload: payload).encoded())
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ResponseEnvelope, any Error>) in
                let expiry = timeoutNanos == 0 ? 0 : UnixSocket.monotonicNanos() &+ timeoutNanos
                var failure: (any Error)?
                var grant: CheckedContinuation<Void, any Error>?
                var wakeWriter = false
                state.withLock { s in
                    if let reason = s.closeReason {
                        s.calls[id] = nil
                        failure = Self.closedError(method, id, reason, notice: s.notice)
                        return
                    }
                    if case .cancelledEarly(let error)? = s.calls[id] {
                        s.calls[id] = nil
                        grant = Self.releaseSlot(&s)
                        failure = error
                        return
                    }
                    s.calls[id] = .waiting(Pending(continuation: continuation, method: method, expiry: expiry, timeoutNanos: timeoutNanos))
                    if expiry != 0 { s.nextExpiry = min(s.nextExpiry, expiry) }
                    s.outbox.append(contentsOf: frame)
                    wakeWriter = s.writerIdle
                    s.writerIdle = false
                }
                if wakeWriter { writerWake.signal() }
                grant?.resume()
                if let failure { continuation.resume(throwing: failure) }
            }
        } onCancel: {
            abandon(id, with: CancellationError())
        }
    }

    /// The caller stops waiting for `id` (cancelled); its slot is freed when steerd answers.
    private func abandon(_ id: UInt64, with error: any Error) {
        let continuation: CheckedContinuation<ResponseEnvelope, any Error>? = state.withLock { s in
            switch s.calls[id] {
            case .allocated?:
                s.calls[id] = .cancelledEarly(error)
                return nil
            case .waiting(let pending)?:
                s.calls[id] = .orphaned
                return pending.continuation
            default:
                return nil
            }
        }
        continuation?.resume(throwing: error)
    }

    // MARK: In-flight slots

    /// Takes one of the `maxInFlight` slots, waiting (first come, first served) while all are taken.
    private func acquireSlot() async throws {
        let token: UInt64? = try state.withLock { s in
            if let reason = s.closeReason { throw Self.closedError(nil, nil, reason, notice: s.notice) }
            if s.slotsTaken < maxInFlight && s.waiterHead == s.waiterQueue.count {
                s.slotsTaken += 1
                return nil
            }
            s.nextWaiter += 1
            s.waiters[s.nextWaiter] = .allocated
            return s.nextWaiter
        }
        guard let token else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Bool, any Error> = state.withLock { s in
                    if let reason = s.closeReason {
                        s.waiters[token] = nil
                        return .failure(Self.closedError(nil, nil, reason, notice: s.notice))
                    }
                    if case .cancelledEarly? = s.waiters[token] {
                        s.waiters[token] = nil
                        return .failure(CancellationError())
                    }
                    if s.slotsTaken < maxInFlight && s.waiterHead == s.waiterQueue.count {
                        s.waiters[token] = nil
                        s.slotsTaken += 1
                        return .success(true)
                    }
                    s.waiters[token] = .waiting(continuation)
                    s.waiterQueue.append(token)
                    return .success(false)
                }
                switch outcome {
                case .success(true): continuation.resume()
                case .success(false): break
                case .failure(let error): continuation.resume(throwing: error)
                }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Void, any Error>? = state.withLock { s in
                switch s.waiters[token] {
                case .allocated?:
                    s.waiters[token] = .cancelledEarly
                    return nil
                case .waiting(let continuation)?:
                    s.waiters[token] = nil   // its queue entry is skipped
                    return continuation
                default:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Frees a slot, or hands it to the first queued waiter (returned, to resume outside the lock).
    private static func releaseSlot(_ s: inout State) -> CheckedContinuation<Void, any Error>? {
        defer {
            if s.waiterHead > 1_024 && s.waiterHead * 2 > s.waiterQueue.count {
                s.waiterQueue.removeFirst(s.waiterHead)
                s.waiterHead = 0
            }
        }
        while s.waiterHead < s.waiterQueue.count {
            let token = s.waiterQueue[s.waiterHead]
            s.waiterHead += 1
            if case .waiting(let continuation)? = s.waiters.removeValue(forKey: token) { return continuation }
        }
        s.slotsTaken -= 1
        return nil
    }

    // MARK: Closing

    /// Closes the connection: every waiting call and slot waiter fails at once with `reason`.
    func close(reason: String) {
        fail(reason: reason)
    }

    /// Marks the connection closed (first reason wins), fails everyone waiting and wakes both threads.
    private func fail(reason: String) {
        var resumptions: [Resumption] = []
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var wakeWriter = false
        var slotError: (any Error)?
        state.withLock { s in
            if s.closeReason == nil { s.closeReason = reason }
            let reason = s.closeReason!
            for (id, call) in s.calls {
                if case .waiting(let pending) = call {
                    resumptions.append((pending.continuation, .failure(Self.closedError(pending.method, id, reason, notice: s.notice))))
                }
            }
            // Allocated calls find the reason when they register.
            s.calls = s.calls.filter { if case .allocated = $0.value { true } else { false } }
            for case .waiting(let continuation) in s.waiters.values { waiters.append(continuation) }
            s.waiters = s.waiters.filter { if case .allocated = $0.value { true } else { false } }
            s.waiterQueue = []
            s.waiterHead = 0
            s.outbox = []
            wakeWriter = s.writerIdle
            s.writerIdle = false
            slotError = Self.closedError(nil, nil, reason, notice: s.notice)
            // Unblocks the reader's poll and a writer stuck in send; the descriptor stays open until both threads leave.
            if !s.descriptorClosed { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        if wakeWriter { writerWake.signal() }
        for continuation in waiters { continuation.resume(throwing: slotError!) }
        for r in resumptions { r.continuation.resume(with: r.result) }
    }

    private static func closedError(_ method: Method?, _ id: UInt64?, _ reason: String, notice: RPCError?) -> any Error {
        // steerd's own word for the connection (e.g. PERMISSION_DENIED for a refused peer) says the most.
        if let notice { return notice }
        let call = method.map { "\($0) (request \(id ?? 0)): " } ?? ""
        return AsyncClientError(.connectionClosed, call + reason)
    }

    private func threadExited() {
        let last = state.withLock { s in
            s.liveThreads -= 1
            if s.liveThreads == 0 { s.descriptorClosed = true }
            return s.liveThreads == 0
        }
        if last { Glibc.close(fd) }
    }

    // MARK: Writer

    /// Sends whatever frames callers queued, many per `send` when they pile up.
    private func writeLoop() {
        var batch: [UInt8] = []
        while true {
            let closed: Bool = state.withLock { s in
                if s.closeReason != nil { return true }
                if s.outbox.isEmpty {
                    s.writerIdle = true
                } else {
                    swap(&batch, &s.outbox)
                }
                return false
            }
            if closed { return }
            if batch.isEmpty {
                writerWake.wait()
                continue
            }
            var offset = 0
            while offset < batch.count {
                // MSG_NOSIGNAL: a daemon that hung up is an error to report, not a SIGPIPE that kills the caller.
                let n = batch.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, batch.count - offset, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else {
                    fail(reason: "write to \(socketPath) failed: \(String(cString: strerror(errno)))")
                    return
                }
                offset += n
            }
            batch.removeAll(keepingCapacity: true)
        }
    }

    // MARK: Reader

    /// Reads frames, completes the call each one answers, and fails calls whose timeout passed.
    private func readLoop() {
        var inbox: [UInt8] = []
        var start = 0
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            if isClosed { return }
            expireCalls()
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            // Wakes at least every 50 ms to notice timeouts; data and shutdown wake it at once.
            let ready = poll(&pfd, 1, pollTimeoutMillis())
            if ready < 0 && errno != EINTR {
                fail(reason: "poll on \(socketPath) failed: \(String(cString: strerror(errno)))")
                return
            }
            guard ready > 0 else { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else {
                let reason = n == 0 ? "steerd closed the connection before answering"
                    : "read from \(socketPath) failed: \(String(cString: strerror(errno)))"
                fail(reason: reason)
                return
            }
            inbox.append(contentsOf: chunk[0..<n])
            var responses: [ResponseEnvelope] = []
            while inbox.count - start >= Framing.headerSize {
                let length = Int(Framing.readLength(inbox[start...]))
                guard length <= maxFrameSize else {
                    violation("steerd sent a frame of \(length) bytes, above the limit of \(maxFrameSize)")
                    return
                }
                guard inbox.count - start >= Framing.headerSize + length else { break }
                let body = Array(inbox[(start + Framing.headerSize)..<(start + Framing.headerSize + length)])
                start += Framing.headerSize + length
                do {
                    responses.append(try ResponseEnvelope(decoding: body))
                } catch {
                    violation("steerd sent a frame that is not a steer.v1.Response: \(error)")
                    return
                }
            }
            if start == inbox.count {
                inbox.removeAll(keepingCapacity: true)
                start = 0
            } else if start > 1 << 16 {
                inbox.removeFirst(start)
                start = 0
            }
            if !responses.isEmpty { deliver(responses) }
        }
    }

    private func violation(_ message: String) {
        fail(reason: "closed after a protocol violation: \(message)")
    }

    private func pollTimeoutMillis() -> Int32 {
        let next = state.withLock { $0.nextExpiry }
        guard next != .max else { return 50 }
        let now = UnixSocket.monotonicNanos()
        return next <= now ? 0 : Int32(min(50, (next - now) / 1_000_000 + 1))
    }

    /// Completes the calls `responses` answer; an id no call waits for is counted, not fatal.
    private func deliver(_ responses: [ResponseEnvelope]) {
        var resumptions: [Resumption] = []
        var grants: [CheckedContinuation<Void, any Error>] = []
        state.withLock { s in
            for response in responses {
                if response.id == 0 && response.status != .ok {
                    // steerd speaking for the connection; it usually closes it next.
                    s.notice = RPCError(response.status, response.message)
                    continue
                }
                switch s.calls[response.id] {
                case .waiting(let pending)?:
                    s.calls[response.id] = nil
                    resumptions.append((pending.continuation, .success(response)))
                    if let grant = Self.releaseSlot(&s) { grants.append(grant) }
                case .orphaned?:
                    s.calls[response.id] = nil
                    if let grant = Self.releaseSlot(&s) { grants.append(grant) }
                default:
                    // Never sent, or already answered: not a response to anything of ours.
                    s.unmatchedResponses += 1
                }
            }
        }
        for grant in grants { grant.resume() }
        for r in resumptions { r.continuation.resume(with: r.result) }
    }

    /// Fails the waiting calls whose client-side timeout has passed; their slots stay taken until steerd answers.
    private func expireCalls() {
        let now = UnixSocket.monotonicNanos()
        var resumptions: [Resumption] = []
        state.withLock { s in
            guard now >= s.nextExpiry else { return }
            var next = UInt64.max
            for (id, call) in s.calls {
                guard case .waiting(let pending) = call, pending.expiry != 0 else { continue }
                if pending.expiry <= now {
                    s.calls[id] = .orphaned
                    let seconds = Double(pending.timeoutNanos) / 1e9
                    resumptions.append((pending.continuation, .failure(AsyncClientError(.timedOut,
                        "\(pending.method) (request \(id)): no answer from steerd within \(seconds) s"))))
                } else {
                    next = min(next, pending.expiry)
                }
            }
            s.nextExpiry = next
        }
        for r in resumptions { r.continuation.resume(with: r.result) }
    }
}
