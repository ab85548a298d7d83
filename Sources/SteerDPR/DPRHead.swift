// DPRHead: the promptable head of paper §3.2 (projector + polarity-routed fusion towers) as a flat model API.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SteerNN

/// The DPR head: `z = Tower_r(h_u, Projector(s))`, `r` the prompt's polarity.
///
/// llm.c-style flat API: ``init(config:seed:)``, ``forward(out:user:prompt:promptLength:lengths:polarities:batch:workspace:)``,
/// ``zeroGrad()``, ``backward(dZ:dUser:workspace:)`` (accumulates), ``parameters`` for `AdamW`,
/// ``archived()`` / ``init(archive:)``. Shapes: B rows, d backbone dim, E encoder dim, L prompt slots.
///
/// Threading: forwards with distinct workspaces may run concurrently while nothing trains or loads;
/// everything else (training passes, ``isTraining`` forwards that draw dropout masks, loading,
/// the optimizer) needs exclusive access.
public final class DPRHead: @unchecked Sendable {
    /// The shape and options.
    public let config: DPRConfig
    /// Every parameter and gradient, by name (`proj.*`, then `pos.*`/`neg.*` or `fuse.*`).
    public let table: ParameterTable
    /// Whether forwards apply dropout (like `set_training`); false after init.
    public var isTraining = false
    /// The workspace used when a call passes none.
    public let defaultWorkspace: DPRWorkspace
    private var rng: RNG
    private let projector: (value: ProjectorTensors, grad: ProjectorTensors)
    private let towers: [(value: TowerTensors, grad: TowerTensors)]

    /// Tower name prefixes in tower-index order.
    static func towerPrefixes(_ c: DPRConfig) -> [String] { c.towers == .two ? ["pos", "neg"] : ["fuse"] }

    /// A freshly initialised head (Xavier-uniform matrices, zero biases, unit LN gains, γ = gate's initial value).
    /// - Throws: ``DPRError`` when `config` is invalid.
    public init(config: DPRConfig, seed: UInt64 = 0) throws {
        try config.validate()
        self.config = config
        var decl = ProjectorTensors.declarations(config)
        for p in Self.towerPrefixes(config) { decl += TowerTensors.declarations(prefix: p, config) }
        let table = ParameterTable(decl)
        var rng = RNG(seed: seed)
        ProjectorTensors.initialise(table, config, rng: &rng)
        for p in Self.towerPrefixes(config) { TowerTensors.initialise(table, prefix: p, config, rng: &rng) }
        self.table = table
        self.rng = rng
        projector = (ProjectorTensors(table, grads: false), ProjectorTensors(table, grads: true))
        towers = Self.towerPrefixes(config).map {
            (TowerTensors(table, prefix: $0, grads: false), TowerTensors(table, prefix: $0, grads: true))
        }
        defaultWorkspace = DPRWorkspace(config: config)
    }

    /// A head restored from ``archived()`` bytes (config and weights).
    /// - Throws: ``DPRError`` for a malformed archive, an invalid config or mismatched tensors.
    public convenience init(archive bytes: [UInt8]) throws {
        let json: String, tensors: [String: [Float]]
        do {
            (json, tensors) = try bytes.withUnsafeBytes { try TensorArchive.decode($0, .dprHead, label: "DPR archive") }
        } catch let error as WeightsError { throw DPRError(error.description) }
        let config: DPRConfig
        do { config = try JSONDecoder().decode(DPRConfig.self, from: Data(json.utf8)) } catch {
            throw DPRError("DPR archive config is not a valid DPRConfig: \(error)")
        }
        try self.init(config: config)
        do { try table.load(tensors, label: "DPR weights") } catch { throw DPRError(error.description) }
    }

    /// The head as archive bytes: config JSON plus every tensor by name.
    public func archived() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // A Codable struct of Ints, Floats, Strings and enums always encodes.
        let json = String(decoding: try! encoder.encode(config), as: UTF8.self)
        return TensorArchive.encode(.dprHead, config: json, tensors: table.tensors)
    }

    /// Replaces the weights with those of an archive written for the same config.
    /// - Throws: ``DPRError`` when the archive is malformed or its config differs (nothing changes then).
    public func load(archive bytes: [UInt8]) throws {
        let other = try DPRHead(archive: bytes)
        guard other.config == config else { throw DPRError("DPR archive config \(other.config) differs from this head's \(config)") }
        // The same config declares the same slots in the same order: one copy moves every tensor.
        table.values.ptr.update(from: other.table.values.ptr, count: table.total)
    }

    /// Every tensor for the optimizer (decay off for biases, LN gains and gates).
    public var parameters: [Parameter] { table.parameters }
    /// Number of trainable floats.
    public var parameterCount: Int { table.total }
    /// Clears every gradient (backward only accumulates).
    public func zeroGrad() { table.zeroGrad() }

    /// Fuses a batch: `out[b] = Tower_{r_b}(user[b], Projector(prompt[b]))`.
    ///
    /// - Parameters:
    ///   - out: z [B, d], overwritten.
    ///   - user: h_u [B, d] (copied; need not outlive the call).
    ///   - prompt: [B, L, E] sentence-encoder output (copied): L = 1 pooled embedding per row for
    ///     `.pooled`, token states for `.tokens`, RIGHT-padded (slot j of row b is real iff j < lengths[b]).
    ///   - promptLength: L (must be 1 for `.pooled`).
    ///   - lengths: [B] real slots per row (`.tokens` only, ignored for `.pooled`; nil = all L). A row with 0 slots gets no
    ///     attention update (only the biases act).
    ///   - polarities: [B] routing of each row (ignored with a single tower).
    ///   - batch: B.
    ///   - workspace: where activations are saved for ``backward(dZ:dUser:workspace:)``; nil = ``defaultWorkspace``.
    /// - Complexity: projector 2·B·L·(E·P + P·d) flops; each row's tower ≈ 2·(L·(1 + 2·[tokens])·d² + 2d² + 2·d·F).
    public func forward(
        out: UnsafeMutablePointer<Float>, user: UnsafePointer<Float>, prompt: UnsafePointer<Float>, promptLength lk: Int,
        lengths: UnsafePointer<Int32>?, polarities: [PromptPolarity], batch b: Int, workspace: DPRWorkspace? = nil
    ) {
        let ws = workspace ?? defaultWorkspace
        precondition(ws.config == config, "workspace was made for another config")
        precondition(polarities.count == b, "polarities has \(polarities.count) entries for a batch of \(b)")
        precondition(lk >= 1 && (config.keyValue == .tokens || lk == 1), "promptLength must be 1 for pooled prompts, ≥ 1 for tokens; got \(lk)")
        let lengths = config.keyValue == .tokens ? lengths : nil   // a pooled prompt is always one real slot
        ws.reserve(batch: b, keys: lk, projector: true)
        // e[B·L, d] = Projector(prompt)
        projectorForward(projector.value, ws.projector, input: prompt, rows: b * lk, config: config)
        fuseProjected(out: out, user: user, e: ws.projector.e.ptr, keys: lk, lengths: lengths, polarities: polarities, batch: b, workspace: ws)
        ws.batch = b
        ws.keys = lk
        ws.promptOf = nil
    }

    /// ``forward(out:user:prompt:promptLength:lengths:polarities:batch:workspace:)`` for a batch
    /// whose rows share few distinct prompts (training: thousands of tasks, a few hundred
    /// phrasings): each distinct prompt goes through the projector once, and row b fuses with
    /// prompt `promptOf[b]`. The result and the gradients of ``backward(dZ:dUser:workspace:)`` equal
    /// those of the per-row forward with each row's prompt copied in; the projector's work falls
    /// from B·L rows to U·L.
    ///
    /// - Parameters:
    ///   - prompts: [U, L, E], right-padded like `prompt` in the per-row forward.
    ///   - promptLengths: [U] real slots of each distinct prompt (`.tokens` only; nil = all L).
    ///   - promptOf: [B] the distinct prompt of each row, in 0..<U.
    public func forward(
        out: UnsafeMutablePointer<Float>, user: UnsafePointer<Float>, prompts: UnsafePointer<Float>, distinct u: Int,
        promptLength lk: Int, promptLengths: [Int32]?, promptOf: [Int32], polarities: [PromptPolarity], batch b: Int,
        workspace: DPRWorkspace? = nil
    ) {
        let ws = workspace ?? defaultWorkspace
        precondition(ws.config == config, "workspace was made for another config")
        precondition(polarities.count == b && promptOf.count == b, "polarities and promptOf need one entry per row of \(b)")
        precondition(promptOf.allSatisfy { $0 >= 0 && Int($0) < u }, "promptOf must index the \(u) distinct prompts")
        precondition(lk >= 1 && (config.keyValue == .tokens || lk == 1), "promptLength must be 1 for pooled prompts, ≥ 1 for tokens; got \(lk)")
        ws.reserve(batch: b, keys: lk, projector: false)
        ws.reserveProjector(rows: u * lk)
        projectorForward(projector.value, ws.projector, input: prompts, rows: u * lk, config: config)
        var rowLengths: [Int32]? = nil
        if config.keyValue == .tokens, let promptLengths {
            precondition(promptLengths.count == u, "promptLengths needs one entry per distinct prompt")
            rowLengths = promptOf.map { promptLengths[Int($0)] }
        }
        rowLengths.withOptionalBuffer { lengths in
            fuseProjected(out: out, user: user, e: ws.projector.e.ptr, keys: lk, lengths: lengths, polarities: polarities,
                          batch: b, workspace: ws, source: promptOf)
        }
        ws.batch = b
        ws.keys = lk
        ws.promptOf = promptOf
        ws.distinct = u
    }

    /// The projector's output for prompts given alone: `Projector(prompt)` for `rows` rows of E
    /// floats (a prompt's token states, or pooled embeddings), rows × d floats. A server keeps this
    /// per prompt so a repeated prompt skips the projector, the largest part of a head pass
    /// (2·L·(E·P + P·d) flops against the tower's few d² per row); see
    /// ``forward(out:user:projected:promptLength:lengths:polarities:batch:workspace:)``.
    public func project(_ prompt: [Float], rows: Int) -> [Float] {
        precondition(rows >= 1 && prompt.count == rows * config.encoderDim, "project needs rows × \(config.encoderDim) floats")
        let acts = ProjectorActivations(rows: rows, config: config)
        prompt.withUnsafeBufferPointer { projectorForward(projector.value, acts, input: $0.baseAddress!, rows: rows, config: config) }
        return Array(UnsafeBufferPointer(start: acts.e.ptr, count: rows * config.dim))
    }

    /// ``forward(out:user:prompt:promptLength:lengths:polarities:batch:workspace:)`` with the
    /// projector already applied: `projected` is [B, L, d], right-padded like `prompt` there, each
    /// row's real slots as ``project(_:rows:)`` returned them. Inference only: gives the same result
    /// bit for bit, but saves nothing for ``backward(dZ:dUser:workspace:)``.
    public func forward(
        out: UnsafeMutablePointer<Float>, user: UnsafePointer<Float>, projected: UnsafePointer<Float>, promptLength lk: Int,
        lengths: UnsafePointer<Int32>?, polarities: [PromptPolarity], batch b: Int, workspace: DPRWorkspace? = nil
    ) {
        let ws = workspace ?? defaultWorkspace
        precondition(ws.config == config, "workspace was made for another config")
        precondition(!isTraining, "a forward from projected prompts saves nothing to train on")
        precondition(polarities.count == b, "polarities has \(polarities.count) entries for a batch of \(b)")
        precondition(lk >= 1 && (config.keyValue == .tokens || lk == 1), "promptLength must be 1 for pooled prompts, ≥ 1 for tokens; got \(lk)")
        ws.reserve(batch: b, keys: lk, projector: false)
        fuseProjected(out: out, user: user, e: projected, keys: lk, lengths: config.keyValue == .tokens ? lengths : nil,
                      polarities: polarities, batch: b, workspace: ws)
        ws.batch = 0   // nothing to run backward on
        ws.keys = 0
        ws.promptOf = nil
    }

    /// The towers' part of a forward: routes each row to its polarity's tower and fuses it with its
    /// projected prompt `e` [B, L, d] (row r's prompt is `e`'s row `source[r]` when given, else row r).
    /// Padded slots (j ≥ lengths[r]) reach the towers as exact zeros, whatever `e` holds there, so
    /// garbage never leaks.
    private func fuseProjected(
        out: UnsafeMutablePointer<Float>, user: UnsafePointer<Float>, e: UnsafePointer<Float>, keys lk: Int,
        lengths: UnsafePointer<Int32>?, polarities: [PromptPolarity], batch b: Int, workspace ws: DPRWorkspace,
        source: [Int32]? = nil
    ) {
        let d = config.dim
        func length(_ r: Int) -> Int { lengths.map { min(lk, max(0, Int($0[r]))) } ?? lk }
        for t in 0..<ws.routes.count { ws.routes[t].removeAll(keepingCapacity: true) }
        for r in 0..<b { ws.routes[config.tower(for: polarities[r])].append(r) }
        let p: Float = isTraining ? config.dropout : 0
        for (t, rows) in ws.routes.enumerated() where !rows.isEmpty {
            let acts = ws.towers[t]
            // Gather the tower's rows: h, memory, lengths.
            for (i, r) in rows.enumerated() {
                (acts.h.ptr + i * d).update(from: user + r * d, count: d)
                let real = length(r)
                let from = source.map { Int($0[r]) } ?? r
                (acts.mem.ptr + i * lk * d).update(from: e + from * lk * d, count: real * d)
                (acts.mem.ptr + (i * lk + real) * d).update(repeating: 0, count: (lk - real) * d)
                acts.lens[i] = Int32(real)
            }
            if p > 0 {
                towerForward(towers[t].value, acts, rows: rows.count, keys: lk, config: config, dropout: p, rng: &rng)
            } else {
                // Inference never touches the head's RNG, so forwards on distinct workspaces can run concurrently.
                var unused = RNG(seed: 0)
                towerForward(towers[t].value, acts, rows: rows.count, keys: lk, config: config, dropout: 0, rng: &unused)
            }
            for (i, r) in rows.enumerated() { (out + r * d).update(from: acts.z.ptr + i * d, count: d) }
        }
    }

    /// Backward of the last forward on `workspace`: accumulates parameter gradients and, when
    /// `dUser` is given, `dUser[B, d] += ∂L/∂h_u` (to fine-tune the backbone through the head).
    ///
    /// - Parameters:
    ///   - dZ: [B, d], the loss gradient with respect to `out`.
    ///   - dUser: [B, d] accumulated into, or nil.
    ///   - workspace: the one the forward used; nil = ``defaultWorkspace``.
    public func backward(dZ: UnsafePointer<Float>, dUser: UnsafeMutablePointer<Float>?, workspace: DPRWorkspace? = nil) {
        let ws = workspace ?? defaultWorkspace
        let d = config.dim, b = ws.batch, lk = ws.keys
        precondition(b > 0, "backward without a forward on this workspace")
        let de = ws.projector.de.ptr
        let promptOf = ws.promptOf
        let projectedRows = (promptOf == nil ? b : ws.distinct) * lk   // B·L, or U·L after a shared-prompt forward
        zero(de, count: projectedRows * d)
        for (t, rows) in ws.routes.enumerated() where !rows.isEmpty {
            let acts = ws.towers[t], n = rows.count
            for (i, r) in rows.enumerated() { (acts.dz.ptr + i * d).update(from: dZ + r * d, count: d) }
            zero(acts.dh.ptr, count: n * d)
            zero(acts.dmem.ptr, count: n * lk * d)
            towerBackward(towers[t].value, towers[t].grad, acts, rows: n, keys: lk, config: config)
            // Scatter: each batch row belongs to exactly one tower, so the memory gradient is a copy.
            for (i, r) in rows.enumerated() {
                if let dUser { accumulate(dUser + r * d, acts.dh.ptr + i * d, count: d) }
                if let promptOf {
                    // Rows sharing a prompt add up their gradients on it.
                    accumulate(de + Int(promptOf[r]) * lk * d, acts.dmem.ptr + i * lk * d, count: lk * d)
                } else {
                    (de + r * lk * d).update(from: acts.dmem.ptr + i * lk * d, count: lk * d)
                }
            }
        }
        projectorBackward(projector.value, projector.grad, ws.projector, rows: projectedRows, config: config)
    }

    /// One-row convenience for callers holding arrays (the daemon's single request path).
    ///
    /// - Parameters:
    ///   - user: h_u, d floats.
    ///   - prompt: L·E floats (E for `.pooled`).
    ///   - polarity: the router's decision.
    /// - Returns: z, d floats.
    public func fuse(user: [Float], prompt: [Float], polarity: PromptPolarity, workspace: DPRWorkspace? = nil) -> [Float] {
        precondition(user.count == config.dim, "user vector has \(user.count) floats, the head needs \(config.dim)")
        precondition(prompt.count > 0 && prompt.count % config.encoderDim == 0, "prompt must hold L × \(config.encoderDim) floats")
        var z = [Float](repeating: 0, count: config.dim)
        z.withUnsafeMutableBufferPointer { zp in
            forward(out: zp.baseAddress!, user: user, prompt: prompt, promptLength: prompt.count / config.encoderDim,
                    lengths: nil, polarities: [polarity], batch: 1, workspace: workspace)
        }
        return z
    }
}

extension Optional where Wrapped == [Int32] {
    /// Calls `body` with a pointer to the array's elements, or nil.
    func withOptionalBuffer<R>(_ body: (UnsafePointer<Int32>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

extension TensorArchiveFormat {
    /// The DPR head's archive: "SDPR", format version 1.
    public static let dprHead = TensorArchiveFormat(magic: "SDPR", version: 1, name: "DPR head archive")
}
