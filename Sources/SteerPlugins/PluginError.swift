// Errors from finding, loading and calling backbone plugins.

/// An error from ``PluginHost`` or ``Backbone``.
///
/// A public struct over a private enum, so new failure modes can be added
/// without breaking callers' `switch`es; match on ``kind`` and show
/// ``description``, which names the file, symbol or versions involved.
public struct PluginError: Error, CustomStringConvertible, Sendable {
    /// The broad class of a failure, for mapping to status codes.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// The kind's name, e.g. `incompatibleABI`.
        public var description: String { raw }

        /// A plugin name that is not `^[A-Za-z0-9_]+$`.
        public static let invalidName = Kind("invalidName")
        /// No plugin file with that name in the directory.
        public static let notFound = Kind("notFound")
        /// The file could not be read, copied or `dlopen`ed.
        public static let loadFailed = Kind("loadFailed")
        /// The plugin speaks an ABI version this host cannot load.
        public static let incompatibleABI = Kind("incompatibleABI")
        /// The plugin broke the ABI contract (missing symbol, NULL entry, bad table or shapes).
        public static let badPlugin = Kind("badPlugin")
        /// The plugin's `create` refused the config or weights.
        public static let createFailed = Kind("createFailed")
        /// The caller passed input the backbone cannot encode (e.g. an item id out of range).
        public static let invalidInput = Kind("invalidInput")
        /// A call into a loaded model returned an error.
        public static let callFailed = Kind("callFailed")
    }

    enum Base: Sendable {
        case invalidName(String)
        case notFound(name: String, path: String, available: [String])
        case unreadable(path: String, reason: String)
        case copyFailed(path: String, copy: String, reason: String)
        case dlopenFailed(path: String, message: String)
        case missingEntry(file: String, symbol: String)
        case nullTable(file: String, symbol: String)
        case incompatibleABI(file: String, plugin: (UInt32, UInt32), host: (UInt32, UInt32))
        case tableTooSmall(file: String, structSize: Int, required: Int, minor: UInt32)
        case missingFunction(file: String, function: String)
        case partialTraining(file: String, missing: [String])
        case createFailed(file: String, code: Int32, message: String)
        case badShape(file: String, detail: String)
        case itemOutOfRange(backbone: String, id: UInt32, history: Int, position: Int, nItems: Int)
        case historyTooLong(backbone: String, history: Int, count: Int)
        case callFailed(backbone: String, function: String, code: Int32, message: String)
    }

    let base: Base

    init(_ base: Base) { self.base = base }

    /// The broad class of this failure.
    public var kind: Kind {
        switch base {
        case .invalidName: .invalidName
        case .notFound: .notFound
        case .unreadable, .copyFailed, .dlopenFailed: .loadFailed
        case .incompatibleABI: .incompatibleABI
        case .missingEntry, .nullTable, .tableTooSmall, .missingFunction, .partialTraining,
            .badShape:
            .badPlugin
        case .createFailed: .createFailed
        case .itemOutOfRange, .historyTooLong: .invalidInput
        case .callFailed: .callFailed
        }
    }

    /// A one-line message naming the plugin file, symbol, versions or item at fault.
    public var description: String {
        switch base {
        case .invalidName(let name):
            return "invalid plugin name \"\(name)\": names match ^[A-Za-z0-9_]+$ (no paths)"
        case .notFound(let name, let path, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "no plugin named \"\(name)\": \(path) does not exist (available: \(list))"
        case .unreadable(let path, let reason):
            return "cannot read plugin \(path): \(reason)"
        case .copyFailed(let path, let copy, let reason):
            return "cannot make a private copy of plugin \(path) at \(copy): \(reason)"
        case .dlopenFailed(let path, let message):
            return "dlopen failed for plugin \(path): \(message)"
        case .missingEntry(let file, let symbol):
            return "plugin \(file) does not export the entry symbol \(symbol)"
        case .nullTable(let file, let symbol):
            return "plugin \(file): \(symbol)() returned NULL"
        case .incompatibleABI(let file, let plugin, let host):
            return "plugin \(file) speaks SequentialEncoder ABI \(plugin.0).\(plugin.1), "
                + "this host speaks \(host.0).\(host.1) (majors must match and the "
                + "plugin's minor must not exceed the host's)"
        case .tableTooSmall(let file, let structSize, let required, let minor):
            return "plugin \(file) reports a function table of \(structSize) bytes, "
                + "ABI minor \(minor) needs at least \(required)"
        case .missingFunction(let file, let function):
            return "plugin \(file) leaves the required function \(function) NULL"
        case .partialTraining(let file, let missing):
            return "plugin \(file) sets some training entry points but not "
                + "\(missing.joined(separator: ", ")) (set all of them or none)"
        case .createFailed(let file, let code, let message):
            return "plugin \(file) failed to create its model (code \(code)): \(message)"
        case .badShape(let file, let detail):
            return "plugin \(file): \(detail)"
        case .itemOutOfRange(let backbone, let id, let history, let position, let nItems):
            return "item id \(id) in history \(history) at position \(position) is out of "
                + "range: backbone \(backbone) has \(nItems) items (ids 0..<\(nItems))"
        case .historyTooLong(let backbone, let history, let count):
            return "history \(history) has \(count) items, more than backbone \(backbone) "
                + "can take in one call (\(UInt32.max))"
        case .callFailed(let backbone, let function, let code, let message):
            return "backbone \(backbone): \(function) failed (code \(code)): \(message)"
        }
    }
}
