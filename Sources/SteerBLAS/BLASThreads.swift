// OpenBLAS's own thread pool, a process-wide setting shared by every module that calls BLAS.
internal import COpenBLAS

public enum BLASThreads {
    /// Sets the threads OpenBLAS uses inside one call, for the whole process.
    ///
    /// steerd serves many requests at once on few cores; OpenBLAS threads that spin while
    /// another request needs the core hurt throughput and tail latency (measured with
    /// `steer bench rpc`: Retrieve over 8 connections went from about 11k to 29k requests/s
    /// with one thread on a 2-core machine). Batch jobs (training, evaluation) may want more.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The threads OpenBLAS currently uses per call.
    public static var count: Int { Int(openblas_get_num_threads()) }
}
