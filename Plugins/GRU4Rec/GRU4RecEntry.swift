// The plugin's one exported symbol: the SequentialEncoder table serving GRU4RecModel (Hidasi et al., ICLR 2016).
import CSequentialEncoder
import SteerBackboneKit

@_cdecl("steer_sequential_encoder_entry")
public func steerSequentialEncoderEntry() -> UnsafePointer<SteerSequentialEncoder> {
    ABITable.make(for: GRU4RecModel.self)
}
