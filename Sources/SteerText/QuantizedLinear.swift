// A linear layer's int8 copy for the encoder's optional int8 path (AVX-512 VNNI).
internal import CSteerKernels
internal import SteerNN

/// The weights of a ``Linear`` quantized per output column to int8, in the byte layout
/// `steer_int8_linear` reads, with each column's scale and sum; the bias stays the Linear's.
///
/// Why per column and per row (and per 128 inputs of a row): one scale for a whole activation
/// matrix (ONNX Runtime's dynamic int8) lets one large value anywhere coarsen every other value;
/// a scale per weight column and per range of a row keeps each error to its own neighbourhood.
///
/// Why input scales (SmoothQuant's migration): a BERT layer norm's output has a few channels
/// tens of times larger than the rest, in every token, so a row's scale is set by them and the
/// other channels keep a few levels. Dividing input channel k by s_k = √(max|x_k| / max_j|W_kj|)
/// and multiplying the weights' row k by it leaves the product unchanged and splits the range
/// between the two quantizations. max|x_k| comes from calibration text (``Calibration``).
final class QuantizedLinear: @unchecked Sendable {
    let weights: UnsafeMutablePointer<Int8>
    let scales: FloatBuffer
    let columnSums: UnsafeMutablePointer<Int32>
    /// s_k per input channel: weights were multiplied by it, activations are divided by it
    /// (multiplied by ``inverseInputScales``).
    let inputScales: FloatBuffer
    let inverseInputScales: FloatBuffer
    let inFeatures: Int
    let outFeatures: Int

    /// - Parameter inputMaxima: max |x_k| per input channel over calibration text.
    init(_ linear: Linear, inputMaxima: [Float]) {
        precondition(inputMaxima.count == linear.inFeatures, "one input maximum per input channel")
        inFeatures = linear.inFeatures
        outFeatures = linear.outFeatures
        // max_j |W[k, j]| per input row k, from the column blocks ([in, width] each).
        var weightMaxima = [Float](repeating: 0, count: inFeatures)
        var first = 0
        while first < outFeatures {
            let width = min(Linear.blockWidth, outFeatures - first)
            let block = linear.blocks.ptr + first * inFeatures
            for k in 0..<inFeatures {
                for j in 0..<width { weightMaxima[k] = max(weightMaxima[k], abs(block[k * width + j])) }
            }
            first += width
        }
        inputScales = FloatBuffer(zip(inputMaxima, weightMaxima).map { x, w in
            x > 0 && w > 0 ? (x / w).squareRoot() : 1
        })
        inverseInputScales = FloatBuffer(inputScales.buffer.map { 1 / $0 })
        let bytes = steer_int8_weight_bytes(inFeatures, outFeatures)
        weights = .allocate(capacity: bytes)
        scales = FloatBuffer(count: outFeatures)
        columnSums = .allocate(capacity: steer_int8_ranges(inFeatures) * outFeatures)
        steer_int8_quantize_weights(linear.blocks.ptr, inFeatures, outFeatures, inputScales.ptr, weights, scales.ptr, columnSums)
    }

    deinit {
        weights.deallocate()
        columnSums.deallocate()
    }

    /// Bytes of one row of quantized activations (inputs padded to a multiple of 4).
    var paddedInputs: Int { steer_int8_padded_inputs(inFeatures) }
    /// Scales (and zero points) per row of activations: one per 128 inputs.
    var ranges: Int { steer_int8_ranges(inFeatures) }
}
