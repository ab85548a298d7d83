// Byte-level text scanning shared by the readers: lines, fields, numbers and decoding.
//
// The readers parse bytes rather than Strings: splitting a 1M-line file into Strings first
// costs several times the parse itself, and the files are ASCII in their structure
// (separators, digits) even when titles are UTF-8 or Latin-1.

import Foundation

/// A half-open byte range inside a file's contents.
struct ByteRange: Sendable, Equatable {
    var start: Int32
    var end: Int32
    var isEmpty: Bool { start == end }
}

enum ByteText {
    /// The whole contents of the file at `path`.
    static func readFile(_ path: String) throws -> [UInt8] {
        let name = fileName(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.unreadable("no such file at \(path)", file: name)
        }
        guard !isDirectory.boolValue else { throw DataError.unreadable("\(path) is a directory", file: name) }
        // Foundation's reader keeps (leaks) a 4 KB buffer for an empty file: an empty file is not read.
        if isEmptyReadableFile(path) { return [] }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.unreadable("cannot open \(path) (permissions?)", file: name)
        }
        guard data.count < Int(Int32.max) else {
            throw DataError.unreadable("\(path) is larger than 2 GiB, which the readers do not support", file: name)
        }
        return [UInt8](data)
    }

    /// True for a readable regular file of size 0.
    static func isEmptyReadableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && info.st_size == 0 && access(path, R_OK) == 0
    }

    /// The last path component, used to name files in errors.
    static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    /// Calls `body` with (1-based line number, line range) for each non-blank line, with any
    /// UTF-8 byte-order mark and each line's trailing `\r` (CRLF files) removed.
    static func forEachLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, ByteRange) throws -> Void
    ) rethrows {
        var position = 0
        let count = bytes.count
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
        var lineNumber = 0
        while position < count {
            lineNumber += 1
            let start = position
            var end = start
            // memchr is far faster than a Swift loop for finding the next newline.
            if let found = memchr(bytes.baseAddress! + start, 0x0A, count - start) {
                end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                position = end + 1
            } else {
                end = count
                position = count
            }
            var trimmedEnd = end
            if trimmedEnd > start, bytes[trimmedEnd - 1] == 0x0D { trimmedEnd -= 1 }
            if trimmedEnd == start { continue }  // blank lines, like pandas, are not rows
            try body(lineNumber, ByteRange(start: Int32(start), end: Int32(trimmedEnd)))
        }
    }

    /// Splits `line` on `separator` (one or more bytes) into `fields`, which it clears first.
    static func splitFields(
        _ bytes: UnsafeBufferPointer<UInt8>, _ line: ByteRange, separator: [UInt8], into fields: inout [ByteRange]
    ) {
        fields.removeAll(keepingCapacity: true)
        var fieldStart = Int(line.start)
        var index = fieldStart
        let end = Int(line.end)
        let first = separator[0]
        let width = separator.count
        while index < end {
            if bytes[index] == first, index + width <= end, matches(bytes, at: index, separator) {
                fields.append(ByteRange(start: Int32(fieldStart), end: Int32(index)))
                index += width
                fieldStart = index
            } else {
                index += 1
            }
        }
        fields.append(ByteRange(start: Int32(fieldStart), end: Int32(end)))
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ separator: [UInt8]) -> Bool {
        for offset in 1..<separator.count where bytes[index + offset] != separator[offset] { return false }
        return true
    }

    /// The UTF-8 text of `range` (invalid sequences become U+FFFD).
    static func utf8(_ bytes: UnsafeBufferPointer<UInt8>, _ range: ByteRange) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(range.start)..<Int(range.end)]), as: UTF8.self)
    }

    /// The Latin-1 (ISO 8859-1) text of `range`: each byte is the code point of the same value.
    static func latin1(_ bytes: UnsafeBufferPointer<UInt8>, _ range: ByteRange) -> String {
        var scalars = String.UnicodeScalarView()
        for index in Int(range.start)..<Int(range.end) { scalars.append(Unicode.Scalar(bytes[index])) }
        return String(scalars)
    }

    /// The number in `range`, surrounding spaces allowed; nil when it is not a number.
    ///
    /// Plain decimals (`978300760`, `-3.5`) take a fast path that is correctly rounded (an
    /// integer mantissa below 2^53 divided once by an exact power of ten); anything else
    /// (exponents, `nan`, long mantissas) goes through the standard library's parser.
    static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ range: ByteRange) -> Double? {
        var start = Int(range.start)
        var end = Int(range.end)
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        guard start < end else { return nil }
        var index = start
        var negative = false
        if bytes[index] == 0x2D || bytes[index] == 0x2B { negative = bytes[index] == 0x2D; index += 1 }
        var mantissa: UInt64 = 0
        var digits = 0
        var fractionDigits = 0
        var seenPoint = false
        while index < end {
            let byte = bytes[index]
            if byte >= 0x30, byte <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(byte - 0x30)
                digits += 1
                if seenPoint { fractionDigits += 1 }
            } else if byte == 0x2E, !seenPoint {
                seenPoint = true
            } else {
                return slowNumber(bytes, start, end)
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        guard digits <= 15, fractionDigits <= 22 else { return slowNumber(bytes, start, end) }
        var value = Double(mantissa)
        if fractionDigits > 0 { value /= powersOfTen[fractionDigits] }
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    private static func slowNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
    }
}
