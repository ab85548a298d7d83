"""Steer's model files read from Python, for the benchmark peers: snapshot containers
(Sources/SteerSnapshot/SnapshotFormat.swift) and the tensor archives inside a checkpoint
(Sources/SteerNN/TensorArchive.swift: "STA1" backbone weights, "SDPR" DPR head)."""
import ctypes
import ctypes.util
import struct


def _zstd_decompressor():
    """zstandard when installed, else the system libzstd (which Steer itself links)."""
    try:
        import zstandard
        d = zstandard.ZstdDecompressor()
        return "zstandard " + zstandard.__version__, lambda frame, size: d.decompress(frame, max_output_size=size)
    except ImportError:
        pass
    name = ctypes.util.find_library("zstd") or "libzstd.so.1"
    try:
        lib = ctypes.CDLL(name)
    except OSError as e:
        raise RuntimeError(f"neither python zstandard nor libzstd ({e}); install zstandard in the peers venv or libzstd1")
    lib.ZSTD_decompress.restype = ctypes.c_size_t
    lib.ZSTD_decompress.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t]
    lib.ZSTD_isError.restype = ctypes.c_uint
    lib.ZSTD_isError.argtypes = [ctypes.c_size_t]

    def decompress(frame, size):
        out = ctypes.create_string_buffer(size)
        n = lib.ZSTD_decompress(out, size, frame, len(frame))
        if lib.ZSTD_isError(n) or n != size:
            raise RuntimeError("zstd frame does not decompress to its declared size")
        return out.raw
    return "libzstd via ctypes", decompress


def read_snapshot(path):
    """{section name: bytes} of a STEERSNP v1 file: magic, version, header, S zstd frames."""
    with open(path, "rb") as f:
        b = f.read()
    if b[:8] != b"STEERSNP":
        raise RuntimeError(f"{path} is not a Steer snapshot (magic STEERSNP missing)")
    version, header = struct.unpack_from("<II", b, 8)
    if version != 1:
        raise RuntimeError(f"{path}: snapshot format {version}, this reader knows 1")
    kind_len, = struct.unpack_from("<H", b, 16)
    o = 18 + kind_len
    count, = struct.unpack_from("<I", b, o)
    o += 4
    entries = []
    for _ in range(count):
        n, = struct.unpack_from("<H", b, o)
        name = b[o + 2:o + 2 + n].decode()
        o += 2 + n
        c, u, _crc = struct.unpack_from("<QQI", b, o)
        o += 20
        entries.append((name, c, u))
    how, decompress = _zstd_decompressor()
    o = header + 4
    sections = {}
    for name, c, u in entries:
        sections[name] = decompress(b[o:o + c], u) if u else b""
        o += c
    return b[18:18 + kind_len].decode(), sections, how


def read_tensor_archive(b, magic):
    """(config JSON text, {name: float32 array}) of a "STA1" (backbone) or "SDPR" (DPR head) archive."""
    import numpy as np
    if b[:4] != magic:
        raise RuntimeError(f"not a {magic.decode()} archive")
    o = 4
    if magic == b"SDPR":
        o += 4  # format version
    n, = struct.unpack_from("<I", b, o)
    config = b[o + 4:o + 4 + n].decode()
    o += 4 + n
    count, = struct.unpack_from("<I", b, o)
    o += 4
    tensors = {}
    for _ in range(count):
        n, = struct.unpack_from("<I", b, o)
        name = b[o + 4:o + 4 + n].decode()
        o += 4 + n
        size, = struct.unpack_from("<Q", b, o)
        o += 8
        tensors[name] = np.frombuffer(b, dtype="<f4", count=size, offset=o).copy()
        o += 4 * size
    return config, tensors
