/* MeanPool's weights format, for tools that write MeanPool weights blobs.
 *
 * (Also the reason this target has an include/ directory, which SwiftPM requires of
 * C targets.) The plugin itself exports only steer_sequential_encoder_entry.
 *
 * Weights blob, all little-endian:
 *   offset 0   uint32 magic  = MEAN_POOL_WEIGHTS_MAGIC (the bytes "SMP1")
 *   offset 4   uint32 n_items (V > 0)
 *   offset 8   uint32 dim     (d > 0)
 *   offset 12  float32[V x d] item embeddings, row-major (row i = item id i), finite
 * The blob is exactly MEAN_POOL_WEIGHTS_HEADER + 4 V d bytes.
 *
 * Config (JSON object): {"max_len": <integer in 1...1048576>}, default 200.
 */
#ifndef MEAN_POOL_H
#define MEAN_POOL_H

#define MEAN_POOL_WEIGHTS_MAGIC 0x31504D53u /* "SMP1" read as a little-endian uint32 */
#define MEAN_POOL_WEIGHTS_HEADER 12u

#endif /* MEAN_POOL_H */
