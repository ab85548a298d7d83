// A read-only, memory-mapped safetensors file: validated on open, tensors copied out as Float.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A safetensors file (8-byte little-endian header length, a JSON header, then raw
/// little-endian tensor data), memory-mapped and validated when opened.
///
/// Validation covers what a corrupt or hostile file could get wrong: a header length larger
/// than the file or than 100 MB, invalid JSON, unknown dtypes, a shape whose byte size differs
/// from its data span, spans outside the data area, and overlapping spans. Every error names
/// the file and, where one is at fault, the tensor.
///
/// Thread-safe: immutable after `init`; the mapping lives until the object is released.
public final class SafeTensorsFile: @unchecked Sendable {
    /// The path the file was opened from.
    public let path: String
    /// The tensors by name (the `__metadata__` entry is not a tensor and is left out).
    public let entries: [String: SafeTensorsEntry]
    /// The header's `__metadata__` (string to string; empty when the file has none).
    public let metadata: [String: String]
    private let mapping: UnsafeRawBufferPointer
    private let dataStart: Int

    /// Maps and validates the file at `path`.
    /// - Throws: ``SafeTensorsError/Code/io`` when it cannot be opened or mapped,
    ///   ``SafeTensorsError/Code/malformed`` when its layout is invalid.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SafeTensorsError.io(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeTensorsError.io(path, String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard size >= 8 else {
            throw SafeTensorsError.malformed(path, "file is \(size) bytes, too short for the 8-byte header length")
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw SafeTensorsError.io(path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        let mapping = UnsafeRawBufferPointer(start: base, count: size)
        do {
            let headerLength = UInt64(littleEndian: mapping.loadUnaligned(as: UInt64.self))
            guard headerLength <= UInt64(SafeTensorsHeader.maxHeaderLength) else {
                throw SafeTensorsError.malformed(
                    path, "header length \(headerLength) exceeds the \(SafeTensorsHeader.maxHeaderLength)-byte limit")
            }
            guard headerLength >= 2, Int(headerLength) <= size - 8 else {
                throw SafeTensorsError.malformed(
                    path, "header length \(headerLength) does not fit the \(size - 8) bytes after the length field (truncated file?)")
            }
            let dataStart = 8 + Int(headerLength)
            let json = UnsafeRawBufferPointer(rebasing: mapping[8..<dataStart])
            (self.entries, self.metadata) = try SafeTensorsHeader.parse(json, dataLength: size - dataStart, path: path)
            self.dataStart = dataStart
            self.mapping = mapping
        } catch {
            munmap(base, size)
            throw error
        }
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count) }

    /// The entry for `name`.
    /// - Throws: ``SafeTensorsError/Code/missingTensor``.
    public func entry(_ name: String) throws -> SafeTensorsEntry {
        guard let entry = entries[name] else { throw SafeTensorsError.missingTensor(path, name) }
        return entry
    }

    /// The raw bytes of tensor `name`, valid while this object lives.
    public func bytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let entry = try entry(name)
        return UnsafeRawBufferPointer(rebasing: mapping[(dataStart + entry.span.lowerBound)..<(dataStart + entry.span.upperBound)])
    }

    /// Tensor `name` as Float (F32 copied; F16 and BF16 widened), row-major.
    /// - Parameters:
    ///   - name: the tensor name.
    ///   - shape: when given, the shape the caller needs; a different shape is an error.
    /// - Throws: ``SafeTensorsError/Code/missingTensor``; ``SafeTensorsError/Code/tensorMismatch``
    ///   for another shape or a non-floating dtype.
    public func floats(_ name: String, shape: [Int]? = nil) throws -> [Float] {
        let entry = try entry(name)
        if let shape, shape != entry.shape {
            throw SafeTensorsError.tensorMismatch(path, name, "expected shape \(shape), found \(entry.shape)")
        }
        let raw = try bytes(name)
        let count = entry.elementCount
        switch entry.dtype {
        case .f32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: raw)
                #if _endian(big)
                for i in 0..<count { buffer[i] = Float(bitPattern: UInt32(littleEndian: buffer[i].bitPattern)) }
                #endif
                initialized = count
            }
        case .f16:
            return (0..<count).map { i in
                Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .bf16:
            return (0..<count).map { i in
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                return Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            throw SafeTensorsError.tensorMismatch(
                path, name, "dtype \(entry.dtype.rawValue) is not a floating type (need F32, F16 or BF16)")
        }
    }
}
