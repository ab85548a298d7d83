// The rule tying a plugin name to its file: `X` ↔ `libSteerBackbone<X>.so`.

/// Plugin names and file names, one rule both ways.
///
/// The file name is what SwiftPM produces for a `.library(name: "SteerBackbone<X>",
/// type: .dynamic)` product on Linux, so a built plugin drops into the directory as is.
/// Names are restricted to `[A-Za-z0-9_]+` so a name can never be a path (`/`, `..`).
enum PluginFileName {
    static let prefix = "libSteerBackbone"
    static let suffix = ".so"

    /// Whether `name` is a valid plugin name (non-empty ASCII letters, digits, `_`).
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
    }

    /// The file name for a (valid) plugin name.
    static func fileName(for name: String) -> String { prefix + name + suffix }

    /// The plugin name a file name stands for, or nil if the file is not a plugin.
    static func name(fromFileName fileName: String) -> String? {
        guard fileName.hasPrefix(prefix), fileName.hasSuffix(suffix),
            fileName.utf8.count > prefix.utf8.count + suffix.utf8.count
        else { return nil }
        let name = String(fileName.dropFirst(prefix.count).dropLast(suffix.count))
        return isValid(name) ? name : nil
    }
}
