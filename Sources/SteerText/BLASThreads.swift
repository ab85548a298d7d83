// Process-wide control of OpenBLAS's worker threads, which every sgemm in the encoders uses.
internal import COpenBLAS

/// OpenBLAS's thread count. It is a process-wide setting shared with every other OpenBLAS user
/// (the item index, training), so the daemon sets it once at start-up.
public enum BLASThreads {
    /// The number of threads OpenBLAS currently uses per call.
    public static var count: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads OpenBLAS uses per call (1 keeps single-prompt latency
    /// predictable when several requests run in parallel; more helps big batches).
    public static func set(_ threads: Int) { openblas_set_num_threads(Int32(max(1, threads))) }
}
