// Which kernel family OpenBLAS runs on this machine: the last bits of every BLAS result depend on it.
internal import COpenBLAS

public enum BLASKernels {
    /// The core OpenBLAS chose at start ("Haswell", "SkylakeX", "Cooperlake", ...): the CPU's own,
    /// or the one `OPENBLAS_CORETYPE` names. Benchmarks and the test suite print it.
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
