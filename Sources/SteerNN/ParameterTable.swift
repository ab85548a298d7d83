// ParameterTable: a model's parameters and gradients in two flat buffers, addressed by name.

/// Owns every trainable tensor of a model (a backbone, the DPR head): values and gradients in two
/// contiguous buffers, each tensor a named slice. The optimizer sees one ``Parameter`` per slice; saving writes the
/// slices in declaration order.
public final class ParameterTable {
    /// One named slice.
    public struct Slot: Sendable, Hashable {
        /// Tensor name, e.g. `pos.attn.wq`.
        public let name: String
        /// First float of the slice in ``values`` and ``grads``.
        public let offset: Int
        /// Number of floats.
        public let count: Int
        /// Whether AdamW's weight decay applies (matrices yes; biases, LN gains, gates no).
        public let decays: Bool
    }

    /// Slices in declaration order.
    public let slots: [Slot]
    /// All values.
    public let values: FloatBuffer
    /// All gradients, same layout as ``values``.
    public let grads: FloatBuffer
    private let byName: [String: Int]

    /// A zero-filled table for `tensors` (name, float count, decays) in order.
    public init(_ tensors: [(name: String, count: Int, decays: Bool)]) {
        var slots: [Slot] = []
        var byName: [String: Int] = [:]
        var offset = 0
        for t in tensors {
            precondition(byName[t.name] == nil, "parameter \(t.name) declared twice")
            byName[t.name] = slots.count
            slots.append(Slot(name: t.name, offset: offset, count: t.count, decays: t.decays))
            offset += t.count
        }
        self.slots = slots
        self.byName = byName
        values = FloatBuffer(count: offset)
        grads = FloatBuffer(count: offset)
    }

    /// Total number of floats.
    public var total: Int { values.count }

    /// Whether a tensor called `name` exists.
    public func contains(_ name: String) -> Bool { byName[name] != nil }

    /// The slot called `name` (a programming error if absent).
    public func slot(_ name: String) -> Slot {
        guard let i = byName[name] else { preconditionFailure("no parameter named \(name)") }
        return slots[i]
    }

    /// The values of tensor `name`.
    public func value(_ name: String) -> UnsafeMutablePointer<Float> { values.ptr + slot(name).offset }
    /// The gradient of tensor `name`.
    public func grad(_ name: String) -> UnsafeMutablePointer<Float> { grads.ptr + slot(name).offset }

    /// Clears every gradient.
    public func zeroGrad() { grads.zero() }

    /// One ``Parameter`` per slice, for `AdamW` / `clipGradNorm` / `zeroGrad`.
    public var parameters: [Parameter] { parameters(where: { _ in true }) }

    /// The slices whose name satisfies `include` (e.g. a separate learning rate for the projector).
    public func parameters(where include: (String) -> Bool) -> [Parameter] {
        slots.filter { include($0.name) }.map {
            Parameter(value: values.ptr + $0.offset, grad: grads.ptr + $0.offset, count: $0.count, decay: $0.decays)
        }
    }

    /// The tensors in declaration order, for ``TensorArchive/encode(_:config:tensors:)`` (valid while the table lives).
    public var tensors: [(name: String, values: UnsafeBufferPointer<Float>)] {
        slots.map { ($0.name, UnsafeBufferPointer(start: values.ptr + $0.offset, count: $0.count)) }
    }

    /// Copies saved tensors in, all or nothing. `label` names them in errors ("SASRec weights").
    /// - Throws: ``WeightsError`` naming the first missing, extra, misshapen or non-finite tensor.
    public func load(_ saved: [String: [Float]], label: String) throws(WeightsError) {
        // Check everything before writing anything, so bad weights leave the table untouched.
        for slot in slots {
            guard let v = saved[slot.name] else { throw WeightsError("\(label) lack tensor \(slot.name)") }
            guard v.count == slot.count else {
                throw WeightsError("\(label): tensor \(slot.name) has \(v.count) values, the config needs \(slot.count)")
            }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw WeightsError("\(label): tensor \(slot.name) value \(bad) is not finite")
            }
        }
        if let extra = Set(saved.keys).subtracting(slots.map(\.name)).sorted().first {
            throw WeightsError("\(label) hold tensor \(extra), which this config does not have")
        }
        for slot in slots { (values.ptr + slot.offset).update(from: saved[slot.name]!, count: slot.count) }
    }
}
