// A model's parameters and gradients in two flat buffers, addressed by name.

/// Owns every trainable tensor of a model: values and gradients side by side, so the
/// optimizer sees one contiguous list and `save` writes them in a fixed order.
public final class ParameterStore {
    public struct Slot {
        public let name: String
        public let offset: Int
        public let count: Int
        public let decays: Bool
    }

    public private(set) var slots: [Slot] = []
    private var byName: [String: Int] = [:]
    public private(set) var values: UnsafeMutablePointer<Float>
    public private(set) var grads: UnsafeMutablePointer<Float>
    public let total: Int

    /// - Parameter tensors: name, element count and whether weight decay applies, in order.
    public init(_ tensors: [(name: String, count: Int, decays: Bool)]) {
        var offset = 0
        for t in tensors {
            precondition(byName[t.name] == nil, "parameter \(t.name) declared twice")
            byName[t.name] = slots.count
            slots.append(Slot(name: t.name, offset: offset, count: t.count, decays: t.decays))
            offset += t.count
        }
        total = offset
        values = .allocate(capacity: max(1, total))
        values.initialize(repeating: 0, count: max(1, total))
        grads = .allocate(capacity: max(1, total))
        grads.initialize(repeating: 0, count: max(1, total))
    }

    deinit {
        values.deallocate()
        grads.deallocate()
    }

    /// The values of tensor `name`.
    public func value(_ name: String) -> UnsafeMutablePointer<Float> { values + slot(name).offset }
    /// The gradient of tensor `name`.
    public func grad(_ name: String) -> UnsafeMutablePointer<Float> { grads + slot(name).offset }

    private func slot(_ name: String) -> Slot {
        guard let i = byName[name] else { preconditionFailure("no parameter named \(name)") }
        return slots[i]
    }

    public func zeroGrad() { grads.update(repeating: 0, count: max(1, total)) }

    public var parameters: [NamedParameter] {
        slots.map { NamedParameter(name: $0.name, value: values + $0.offset, grad: grads + $0.offset, count: $0.count, decays: $0.decays) }
    }

    /// The tensors for a `TensorArchive`.
    public var tensors: [(name: String, values: UnsafeBufferPointer<Float>)] {
        slots.map { ($0.name, UnsafeBufferPointer(start: values + $0.offset, count: $0.count)) }
    }

    /// Copies saved tensors in, checking that every tensor is present with its size and finite.
    /// - Throws: `BackboneError` naming the first missing, extra, misshapen or non-finite tensor.
    public func load(_ saved: [String: [Float]], model: String) throws {
        for slot in slots {
            guard let values = saved[slot.name] else { throw BackboneError("\(model) weights lack tensor \(slot.name)") }
            guard values.count == slot.count else {
                throw BackboneError("\(model) weights: tensor \(slot.name) has \(values.count) values, the config needs \(slot.count)")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw BackboneError("\(model) weights: tensor \(slot.name) value \(bad) is not finite")
            }
            (self.values + slot.offset).update(from: values, count: slot.count)
        }
        if let extra = Set(saved.keys).subtracting(slots.map(\.name)).sorted().first {
            throw BackboneError("\(model) weights hold tensor \(extra), which this config does not have")
        }
    }
}
