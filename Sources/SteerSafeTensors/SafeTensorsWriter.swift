// Writes float32 tensors and string metadata as a safetensors file (what PyTorch's
// `safetensors.torch.load_file` reads); the reader in this module reads it back.
import Foundation

/// One tensor to write: its name, shape and row-major values (as many as the shape holds).
public struct SafeTensorsTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        self.name = name
        self.shape = shape
        self.values = values
    }
}

public enum SafeTensorsWriter {
    /// The file's bytes: the header lists the tensors in the given order with consecutive
    /// spans, all F32, and `metadata` as `__metadata__`. The header is padded with spaces to a
    /// multiple of 8 bytes, as the reference implementation does, so the data area is aligned.
    /// - Throws: ``SafeTensorsError/Code/malformed`` for a repeated or reserved name, or values
    ///   that do not fill the shape.
    public static func encode(_ tensors: [SafeTensorsTensor], metadata: [String: String] = [:]) throws -> [UInt8] {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for tensor in tensors {
            guard tensor.name != "__metadata__", header[tensor.name] == nil else {
                throw SafeTensorsError.malformed("(output)", tensor: tensor.name, "the name is repeated or reserved")
            }
            guard tensor.shape.allSatisfy({ $0 >= 0 }), tensor.shape.reduce(1, *) == tensor.values.count else {
                throw SafeTensorsError.malformed("(output)", tensor: tensor.name,
                                                 "shape \(tensor.shape) does not hold its \(tensor.values.count) values")
            }
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + 4 * tensor.values.count]]
            offset += 4 * tensor.values.count
        }
        // Sorted keys: the same tensors give the same bytes, so exports can be compared by checksum.
        var json = Array(try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes]))
        while json.count % 8 != 0 { json.append(0x20) }
        var out = withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init)
        out.reserveCapacity(8 + json.count + offset)
        out += json
        for tensor in tensors {
            for value in tensor.values { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        }
        return out
    }

    /// Writes ``encode(_:metadata:)``'s bytes to `path`, through a temporary file renamed into
    /// place, so a reader never sees half a file.
    /// - Throws: as `encode`, or ``SafeTensorsError/Code/io`` when the file cannot be written.
    public static func write(_ tensors: [SafeTensorsTensor], metadata: [String: String] = [:], to path: String) throws {
        let bytes = try encode(tensors, metadata: metadata)
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw SafeTensorsError(.io, "cannot write \(path): \(error.localizedDescription)")
        }
    }
}
