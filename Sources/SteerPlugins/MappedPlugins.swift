// The plugin files one host has mapped, by checksum, so loading the same file again maps nothing new.

import Foundation
import SteerSync

/// Plugin libraries already mapped, by the SHA-256 of the file's bytes.
///
/// A library is never unloaded (Swift plugins cannot be, see ``PluginLibrary``), so each fresh
/// mapping of a private copy stayed for the life of the process: measured in steerd, every
/// LoadBackbone kept some 230 KB and 4 memory mappings (1,000 loads: RSS 240 → 472 MB, against a
/// limit of 65,530 mappings). A file whose bytes were mapped before is served from that mapping
/// instead; a changed file (another checksum, the hot-swap case) still gets a fresh copy. Models
/// stay independent: each load calls the plugin's `create` anew.
final class MappedPlugins: Sendable {
    private let bySHA256 = Locked<[String: PluginLibrary]>([:])

    init() {}

    /// The library mapped from bytes with checksum `sha256`, else `map()`'s, remembered.
    ///
    /// Holds the lock across `map()`, so two concurrent loads of one new file map it once.
    func library(sha256: String, orMap map: () throws -> PluginLibrary) rethrows -> PluginLibrary {
        try bySHA256.withLock { mapped in
            if let known = mapped[sha256] { return known }
            let library = try map()
            mapped[sha256] = library
            return library
        }
    }

    /// Distinct files mapped so far.
    var count: Int {
        bySHA256.withLock { $0.count }
    }
}
