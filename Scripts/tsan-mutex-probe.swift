// Why steerd's shared state is behind SteerSync.Locked (a pthread mutex) and not
// Synchronization.Mutex: this program is correct either way (every access is inside the lock),
// yet with `Mutex` ThreadSanitizer reports "Swift access race" once the lock is contended. On
// Linux a contended Mutex is handed over by the kernel (a futex) inside the standard library,
// which is not built with TSan, so TSan never sees the synchronisation. A pthread mutex it
// intercepts, and the same program reports nothing.
//
//   swiftc -sanitize=thread -Onone Scripts/tsan-mutex-probe.swift -o /tmp/tsan-mutex-probe
//   /tmp/tsan-mutex-probe mutex 2>&1 | grep -c "WARNING: ThreadSanitizer"     # > 0 on this machine
//   /tmp/tsan-mutex-probe pthread 2>&1 | grep -c "WARNING: ThreadSanitizer"   # 0
import Foundation
import Synchronization

protocol IntListLock: Sendable { func withLock(_ body: (inout [Int]) -> Void) }

final class MutexBox: IntListLock {
    let values = Mutex<[Int]>([0])
    func withLock(_ body: (inout [Int]) -> Void) { values.withLock { body(&$0) } }
}

final class PthreadBox: IntListLock, @unchecked Sendable {
    private var values = [0]
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    init() { pthread_mutex_init(mutex, nil) }
    func withLock(_ body: (inout [Int]) -> Void) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        body(&values)
    }
}

let box: any IntListLock = CommandLine.arguments.dropFirst().first == "pthread" ? PthreadBox() : MutexBox()
let finished = PthreadBox()
for t in 0..<4 {
    Thread {
        for i in 0..<300_000 { box.withLock { $0[0] &+= i &+ t; if $0.count < 64 { $0.append(i) } } }
        finished.withLock { $0[0] += 1 }
    }.start()
}
var done = 0
while done < 4 {
    usleep(1_000)
    finished.withLock { done = $0[0] }
}
var count = 0
box.withLock { count = $0.count }
print("done:", count, "values")
