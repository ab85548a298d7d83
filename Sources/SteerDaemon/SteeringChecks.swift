// What Fuse and Recommend check before a prompt may steer: a DPR head, and an encoder of its width.
import SteerDPR
import SteerWire

extension SteerService {
    static let headFix = "load a checkpoint written by steer train-dpr (steer load-backbone NAME --checkpoint FILE)"

    /// The active backbone's head, or FAILED_PRECONDITION saying how to get one.
    func steeringHead(_ model: ServingModel) throws -> DPRHead {
        guard let backbone = model.backbone else {
            throw RPCError(.failedPrecondition, "no backbone is loaded, so there is no DPR head to fuse with: \(Self.headFix)")
        }
        guard let head = model.head else {
            throw RPCError(.failedPrecondition,
                           "backbone \(backbone.info.name) was loaded without a DPR head, so prompts cannot steer it: \(Self.headFix)")
        }
        return head
    }

    /// The encoder services, checked against the head's prompt width.
    func promptServices(for head: DPRHead) throws -> PromptServices {
        guard let services = prompts else {
            throw RPCError(.failedPrecondition,
                           "no sentence encoder is loaded to embed prompts: \(promptProblem ?? "start steerd with --encoder DIR")")
        }
        guard services.encoder.dimension == head.config.encoderDim else {
            throw RPCError(.failedPrecondition, "the DPR head reads \(head.config.encoderDim)-d prompts but encoder "
                + "\(services.encoder.name) gives \(services.encoder.dimension)-d ones")
        }
        return services
    }

}
