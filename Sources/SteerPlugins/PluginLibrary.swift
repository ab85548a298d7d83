// Maps one plugin file into the process and validates its SequentialEncoder table.

import CSequentialEncoder
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SteerSync

/// POSIX `open`, named apart from ``PluginLibrary/open(path:copyDirectory:)``.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Int32 {
    open(path, flags, mode)
}

/// `dlerror` is process-global state: serialise dlopen/dlsym with their dlerror read.
private let dynamicLinkerLock = Locked(())

/// A loaded plugin library: its checked ABI version and a copy of its function table.
///
/// Never unloaded: Swift plugins keep runtime metadata registered, so a
/// `dlclose` would crash the host later; C plugins could be closed but one rule is
/// simpler. The table is copied by value, truncated to the plugin's `struct_size`, so
/// fields a plugin of an older minor does not have read as NULL instead of past its end.
///
/// `@unchecked Sendable`: the table holds C pointers (static strings, function pointers)
/// that Swift cannot check, and nothing here is mutated after `open`.
struct PluginLibrary: @unchecked Sendable {
    /// The plugin file as found in the plugin directory.
    let path: String
    /// Its last path component, used in messages.
    let fileName: String
    /// SHA-256 of the bytes that were mapped (read once, hashed, then copied).
    let sha256: String
    let abiMajor: UInt32
    let abiMinor: UInt32
    let name: String
    let pluginVersion: String
    /// Whether every training entry point is set (the ABI allows all or none).
    let trainable: Bool
    let table: SteerSequentialEncoder

    /// Reads `path`, maps a private copy of it unless `mapped` holds one of the same bytes, and
    /// validates the table.
    ///
    /// - Parameters:
    ///   - path: The plugin file.
    ///   - copyDirectory: Where the private copy is written; it must allow executable
    ///     mappings (not a `noexec` mount). The copy is unlinked right after `dlopen`.
    ///   - mapped: Libraries mapped before, by checksum; a new mapping is added to it.
    /// - Throws: ``PluginError`` naming the file, symbol or versions at fault.
    static func open(path: String, copyDirectory: String, mapped: MappedPlugins? = nil) throws -> PluginLibrary {
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        let bytes = try readFile(path)
        let sha256 = SHA256.hexDigest(bytes)
        guard let mapped else { return try map(bytes, sha256: sha256, path: path, fileName: fileName, copyDirectory: copyDirectory) }
        let library = try mapped.library(sha256: sha256) {
            try map(bytes, sha256: sha256, path: path, fileName: fileName, copyDirectory: copyDirectory)
        }
        // The same bytes may have been mapped from another path; messages name this one.
        return library.path == path ? library : PluginLibrary(
            path: path, fileName: fileName, sha256: sha256, abiMajor: library.abiMajor, abiMinor: library.abiMinor,
            name: library.name, pluginVersion: library.pluginVersion, trainable: library.trainable, table: library.table)
    }

    /// Maps a private copy of `bytes` and validates its table.
    private static func map(_ bytes: [UInt8], sha256: String, path: String, fileName: String,
                            copyDirectory: String) throws -> PluginLibrary {
        let handle = try mapPrivateCopy(of: bytes, path: path, fileName: fileName, in: copyDirectory)
        let symbol = STEER_SE_ENTRY_SYMBOL
        let entryAddress = dynamicLinkerLock.withLock { _ in dlsym(handle, symbol) }
        guard let entryAddress else {
            throw PluginError(.missingEntry(file: fileName, symbol: symbol))
        }
        let entry = unsafeBitCast(entryAddress, to: SteerSEEntryFn.self)
        guard let tablePointer = entry() else {
            throw PluginError(.nullTable(file: fileName, symbol: symbol))
        }
        let table = try checkedTable(UnsafeRawPointer(tablePointer), fileName: fileName)
        return PluginLibrary(
            path: path, fileName: fileName, sha256: sha256,
            abiMajor: table.abi_version_major, abiMinor: table.abi_version_minor,
            name: table.name.map { String(cString: $0) } ?? "",
            pluginVersion: table.plugin_version.map { String(cString: $0) } ?? "",
            trainable: table.set_training != nil, table: table)
    }

    /// Takes ownership of a plugin error: reads its code and message, then frees it.
    func consume(_ error: OpaquePointer) -> (code: Int32, message: String) {
        let code = table.error_code?(error) ?? Int32(STEER_SE_ERROR_UNKNOWN.rawValue)
        let message = table.error_message?(error).map { String(cString: $0) } ?? ""
        table.error_free?(error)
        return (code, message)
    }

    // MARK: - Steps

    /// Checks versions and sizes in the header fields before trusting the rest.
    private static func checkedTable(
        _ raw: UnsafeRawPointer, fileName: String
    ) throws -> SteerSequentialEncoder {
        let layout = MemoryLayout<SteerSequentialEncoder>.self
        let major = raw.loadUnaligned(
            fromByteOffset: layout.offset(of: \.abi_version_major)!, as: UInt32.self)
        let minor = raw.loadUnaligned(
            fromByteOffset: layout.offset(of: \.abi_version_minor)!, as: UInt32.self)
        let structSize = raw.loadUnaligned(
            fromByteOffset: layout.offset(of: \.struct_size)!, as: Int.self)
        let hostMajor = UInt32(STEER_SE_ABI_VERSION_MAJOR)
        let hostMinor = UInt32(STEER_SE_ABI_VERSION_MINOR)
        guard steer_se_abi_compatible(hostMajor, hostMinor, major, minor) != 0 else {
            throw PluginError(
                .incompatibleABI(file: fileName, plugin: (major, minor), host: (hostMajor, hostMinor)))
        }
        let required = steer_se_table_size(minor)
        guard structSize >= required else {
            throw PluginError(
                .tableTooSmall(file: fileName, structSize: structSize, required: required, minor: minor))
        }
        var table = SteerSequentialEncoder()
        withUnsafeMutableBytes(of: &table) { destination in
            destination.copyMemory(
                from: UnsafeRawBufferPointer(start: raw, count: min(structSize, layout.size)))
        }
        let required10: [(String, Bool)] = [
            ("error_code", table.error_code != nil), ("error_message", table.error_message != nil),
            ("error_free", table.error_free != nil), ("create", table.create != nil),
            ("destroy", table.destroy != nil), ("dim", table.dim != nil),
            ("max_len", table.max_len != nil), ("n_items", table.n_items != nil),
            ("encode", table.encode != nil), ("item_embeddings", table.item_embeddings != nil),
        ]
        if let missing = required10.first(where: { !$0.1 }) {
            throw PluginError(.missingFunction(file: fileName, function: missing.0))
        }
        let training: [(String, Bool)] = [
            ("set_training", table.set_training != nil),
            ("forward_train", table.forward_train != nil), ("backward", table.backward != nil),
            ("parameters", table.parameters != nil), ("zero_grad", table.zero_grad != nil),
            ("item_embedding_grad", table.item_embedding_grad != nil),
            ("save", table.save != nil), ("free_bytes", table.free_bytes != nil),
        ]
        let absent = training.filter { !$0.1 }.map(\.0)
        guard absent.isEmpty || absent.count == training.count else {
            throw PluginError(.partialTraining(file: fileName, missing: absent))
        }
        return table
    }

    /// Writes `bytes` to a uniquely named file, `dlopen`s it and unlinks it.
    ///
    /// A fresh name gives a fresh handle even when a new version replaces the same
    /// plugin file (glibc would return the already-loaded object for a path or inode
    /// it knows): the seam for hot swap.
    private static func mapPrivateCopy(
        of bytes: [UInt8], path: String, fileName: String, in copyDirectory: String
    ) throws -> UnsafeMutableRawPointer {
        let copy = "\(copyDirectory)/steer-\(getpid())-\(UUID().uuidString)-\(fileName)"
        let fd = openFile(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o700)
        guard fd >= 0 else {
            throw PluginError(.copyFailed(path: path, copy: copy, reason: errnoText()))
        }
        defer { unlink(copy) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = errnoText()
                close(fd)
                throw PluginError(.copyFailed(path: path, copy: copy, reason: reason))
            }
            written += n
        }
        close(fd)
        let opened: Result<UnsafeMutableRawPointer, PluginError> = dynamicLinkerLock.withLock { _ in
            if let handle = dlopen(copy, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) {
                return .success(handle)
            }
            let message = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            return .failure(PluginError(.dlopenFailed(path: path, message: message)))
        }
        return try opened.get()
    }

    /// Reads a whole file with POSIX calls, for an errno-precise message.
    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = openFile(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PluginError(.unreadable(path: path, reason: errnoText())) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw PluginError(.unreadable(path: path, reason: errnoText())) }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
