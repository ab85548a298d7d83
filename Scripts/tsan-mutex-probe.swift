// Why `swift test --sanitize=thread` reports races on state behind Synchronization.Mutex here:
// this program is correct (every access is inside withLock), yet ThreadSanitizer reports "Swift
// access race" on it once the lock is contended. On Linux a contended Mutex is handed over by the
// kernel (a priority-inheritance futex), which TSan does not see as a synchronisation.
//
//   swiftc -sanitize=thread -Onone Scripts/tsan-mutex-probe.swift -o /tmp/tsan-mutex-probe
//   /tmp/tsan-mutex-probe 2>&1 | grep -c "WARNING: ThreadSanitizer"     # > 0 on this machine
import Foundation
import Synchronization

final class Box: Sendable { let values = Mutex<[Int]>([0]) }
let box = Box()
let finished = Mutex(0)
for t in 0..<4 {
    Thread {
        for i in 0..<300_000 { box.values.withLock { $0[0] &+= i &+ t; if $0.count < 64 { $0.append(i) } } }
        finished.withLock { $0 += 1 }
    }.start()
}
while finished.withLock({ $0 }) < 4 { usleep(1_000) }
print("done:", box.values.withLock { $0.count }, "values")
