// Row-major sgemm with Int arguments: the one matmul every op in this module goes through.
internal import COpenBLAS

/// C[M,N] = alpha · op(A)[M,K] · op(B)[K,N] + beta · C, all row-major with explicit leading
/// dimensions, so strided views (one head of a [B,T,3C] qkv, one time step of [B,T,H]) need no copy.
@inline(__always)
func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    if k == 0 {
        // BLAS would leave C untouched for k == 0 only when beta == 1; make it exact.
        if beta != 1 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : c[i * ldc + j] * beta } }
        }
        return
    }
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c, blasint(ldc))
}

/// y[0..<n] += alpha · x[0..<n].
@inline(__always)
func saxpy(_ n: Int, _ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
    guard n > 0 else { return }
    cblas_saxpy(blasint(n), alpha, x, 1, y, 1)
}

/// Sets the threads OpenBLAS uses inside one call (training on 2 cores wants 2).

