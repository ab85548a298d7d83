// Finds backbone plugins in a directory and loads them by name.

import Foundation

/// The plugin directory: lists backbone plugins and loads them as ``Backbone``s.
///
/// A plugin named `X` is the file `libSteerBackbone<X>.so` in ``directory`` (what
/// SwiftPM builds for a `SteerBackbone<X>` dynamic library product). Each load maps
/// a private, uniquely named copy of the file the first time its bytes are seen, so a
/// new version of the file (hot swap) gets a library of its own; loading bytes seen
/// before reuses their mapping (``MappedPlugins``). Every load creates its own model.
public struct PluginHost: Sendable {
    /// The directory holding `libSteerBackbone<X>.so` files.
    public let directory: String
    /// Where private copies are written before `dlopen`; they are unlinked right after.
    public let copyDirectory: String
    /// This host's mapped libraries, by checksum (shared by copies of the host).
    let mapped = MappedPlugins()

    /// Creates a host over a plugin directory.
    ///
    /// - Parameters:
    ///   - directory: The plugin directory; it is read at each call, not now.
    ///   - copyDirectory: A directory for the transient private copies; it must allow
    ///     executable mappings (not mounted `noexec`). Defaults to the temporary directory.
    public init(directory: String, copyDirectory: String? = nil) {
        self.directory = directory
        var temporary = copyDirectory ?? NSTemporaryDirectory()
        while temporary.count > 1 && temporary.hasSuffix("/") { temporary.removeLast() }
        self.copyDirectory = temporary
    }

    /// The names of the plugins in ``directory``, sorted; empty if it cannot be read.
    public func availablePlugins() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return entries.compactMap(PluginFileName.name(fromFileName:)).sorted()
    }

    /// The file a plugin name stands for.
    ///
    /// - Parameter name: A plugin name, `^[A-Za-z0-9_]+$`, case-sensitive.
    /// - Throws: ``PluginError`` of kind `invalidName` for anything else (paths, `..`).
    /// - Returns: `directory/libSteerBackbone<name>.so`, whether or not it exists.
    public func path(forPlugin name: String) throws -> String {
        guard PluginFileName.isValid(name) else { throw PluginError(.invalidName(name)) }
        return (directory as NSString).appendingPathComponent(PluginFileName.fileName(for: name))
    }

    /// Loads a plugin and creates its model.
    ///
    /// - Parameters:
    ///   - name: The plugin name (`MeanPool` for `libSteerBackboneMeanPool.so`).
    ///   - config: A JSON object for the plugin's `create`; `""` for its defaults.
    ///   - weights: The plugin-defined weights blob, borrowed for the call.
    /// - Throws: ``PluginError``: `invalidName`, `notFound` (listing the available names),
    ///   `loadFailed`, `incompatibleABI` (naming both versions), `badPlugin` or
    ///   `createFailed` (with the plugin's own message).
    /// - Returns: The created backbone; the library stays loaded for the process lifetime, and
    ///   later loads of the same file bytes through this host reuse it.
    public func load(name: String, config: String = "", weights: [UInt8]) throws -> Backbone {
        let path = try path(forPlugin: name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw PluginError(.notFound(name: name, path: path, available: availablePlugins()))
        }
        let library = try PluginLibrary.open(path: path, copyDirectory: copyDirectory, mapped: mapped)
        return try Backbone(library: library, config: config, weights: weights)
    }
}
