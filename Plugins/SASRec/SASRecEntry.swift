// The plugin's one exported symbol: the SequentialEncoder table serving SASRecModel.
import CSequentialEncoder
import SteerBackboneKit

@_cdecl("steer_sequential_encoder_entry")
public func steerSequentialEncoderEntry() -> UnsafePointer<SteerSequentialEncoder> {
    ABITable.make(for: SASRecModel.self)
}
