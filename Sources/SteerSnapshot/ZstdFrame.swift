// Thin wrappers over libzstd: one frame per section, with content size and content checksum.
internal import CZstd

/// One-shot zstd compression and decompression of whole sections.
enum ZstdFrame {
    // zstd.h defines these as `(0ULL - 1)` and `(0ULL - 2)`, macros Swift does not import.
    private static let contentSizeUnknown = UInt64.max
    private static let contentSizeError = UInt64.max - 1

    /// Compresses `input` into a single frame that records its content size and an XXH64-based
    /// content checksum, so a decoder can size its buffer exactly and detect corrupt payloads.
    static func compress(_ input: [UInt8], level: Int, section: String) throws(SnapshotError) -> [UInt8] {
        guard let cctx = ZSTD_createCCtx() else { throw .zstd(section: section, name: "cannot allocate a compression context") }
        defer { ZSTD_freeCCtx(cctx) }
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, Int32(clamping: level)), section)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1), section)
        try check(ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1), section)
        let bound = ZSTD_compressBound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { src in
                ZSTD_compress2(cctx, out.baseAddress, out.count, src.baseAddress, src.count)
            }
        }
        try check(written, section)
        output.removeSubrange(written...)
        return output
    }

    /// Decompresses exactly one frame whose content size must be `expectedSize`.
    ///
    /// The caller has already checked `expectedSize` against its limits; the frame's own header
    /// must agree, so a forged table cannot make us allocate more than the caller allowed.
    static func decompress(_ frame: UnsafeRawBufferPointer, expectedSize: Int, section: String) throws(SnapshotError) -> [UInt8] {
        let declared = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
        if declared == contentSizeError {
            throw .zstd(section: section, name: "not a valid zstd frame header")
        }
        if declared == contentSizeUnknown {
            throw .sectionChecksumMismatch(section: section, detail: "zstd frame does not record its content size")
        }
        guard declared == UInt64(expectedSize) else {
            throw .sectionChecksumMismatch(
                section: section,
                detail: "zstd frame declares \(declared) bytes, the table \(expectedSize)")
        }
        let frameSize = ZSTD_findFrameCompressedSize(frame.baseAddress, frame.count)
        try check(frameSize, section)
        guard frameSize == frame.count else {
            throw .sectionChecksumMismatch(
                section: section, detail: "zstd frame is \(frameSize) bytes, the table says \(frame.count)")
        }
        guard let dctx = ZSTD_createDCtx() else { throw .zstd(section: section, name: "cannot allocate a decompression context") }
        defer { ZSTD_freeDCtx(dctx) }
        var output = [UInt8](repeating: 0, count: expectedSize)
        let produced = output.withUnsafeMutableBytes { out in
            ZSTD_decompressDCtx(dctx, out.baseAddress, out.count, frame.baseAddress, frame.count)
        }
        if ZSTD_isError(produced) != 0 {
            if ZSTD_getErrorCode(produced) == ZSTD_error_checksum_wrong {
                throw .sectionChecksumMismatch(section: section, detail: "zstd content checksum does not match")
            }
            throw .zstd(section: section, name: errorName(produced))
        }
        guard produced == expectedSize else {
            throw .sectionChecksumMismatch(section: section, detail: "decompressed \(produced) bytes, expected \(expectedSize)")
        }
        return output
    }

    private static func check(_ code: Int, _ section: String) throws(SnapshotError) {
        if ZSTD_isError(code) != 0 { throw .zstd(section: section, name: errorName(code)) }
    }

    private static func errorName(_ code: Int) -> String {
        guard let name = ZSTD_getErrorName(code) else { return "unknown zstd error" }
        return String(cString: name)
    }
}
