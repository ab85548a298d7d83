// What a loaded backbone is: identity, ABI version, fingerprint and shapes.

/// A description of a loaded ``Backbone``, fixed at load.
public struct BackboneInfo: Hashable, Sendable {
    /// The backbone's own name from its function table (e.g. `MeanPool`).
    public let name: String
    /// The plugin's version string from its function table.
    public let pluginVersion: String
    /// The SequentialEncoder ABI major version the plugin was built against (= the host's).
    public let abiMajor: UInt32
    /// The SequentialEncoder ABI minor version the plugin was built against (≤ the host's).
    public let abiMinor: UInt32
    /// The plugin file that was loaded (its path in the plugin directory).
    public let path: String
    /// SHA-256 of the loaded file's bytes, 64 lowercase hex digits.
    public let sha256: String
    /// `d`: the size of user vectors and item embeddings.
    public let dim: Int
    /// The longest history the backbone looks at; longer ones keep their most recent items.
    public let maxLen: Int
    /// `V`: item ids are `0..<nItems`.
    public let nItems: Int
    /// Whether the plugin exposes training entry points (otherwise it is served frozen).
    public let trainable: Bool
}
