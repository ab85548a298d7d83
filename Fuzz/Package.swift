// swift-tools-version: 6.1
// libFuzzer targets for Steer's decoders. Not part of the main build: run them with Scripts/fuzz,
// which builds this package with -sanitize=fuzzer,address (release) into .build-fuzz.
//
//   FuzzWire       bytes of a connection → FrameDecoder (as steerd's pipeline) → RequestEnvelope →
//                  the method's request message; the same bytes as a client's ResponseEnvelope
//                  and every response message
//   FuzzSnapshot   Snapshot(decoding:) on the bytes, and on the bytes with every CRC repaired;
//                  ItemIndex(snapshot:) on whatever decodes
//   FuzzItemIndex  ItemIndex(snapshot:) on section sets built straight from the bytes (no zstd,
//                  no CRC in the way), then a filtered retrieval over the index
//   FuzzCheckpoint the tensor archive (backbone weights, DPR head), DPRHead(archive:), and
//                  BackboneCheckpoint(snapshot:) on section sets built straight from the bytes
//   FuzzRouterModel the prompt router's model file (JSON with base64 float32 arrays), and a
//                  prompt routed by whatever decodes
//   FuzzAdapters   a fine-tuned router's low-rank adapters (a safetensors file: its header, dtypes
//                  and spans), and each loaded pair added to a layer of its shape
import PackageDescription

let package = Package(
    name: "SteerFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        // The Steer package (the repository root) exports its decoders as the SteerFuzzable library.
        .package(name: "Steer", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "FuzzWire", dependencies: [
            .product(name: "SteerFuzzable", package: "Steer"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ], path: "FuzzWire"),
        .executableTarget(name: "FuzzSnapshot", dependencies: [
            .product(name: "SteerFuzzable", package: "Steer"),
        ], path: "FuzzSnapshot"),
        .executableTarget(name: "FuzzItemIndex", dependencies: [
            .product(name: "SteerFuzzable", package: "Steer"),
        ], path: "FuzzItemIndex"),
        .executableTarget(name: "FuzzCheckpoint", dependencies: [
            .product(name: "SteerFuzzable", package: "Steer"),
        ], path: "FuzzCheckpoint"),
        .executableTarget(name: "FuzzRouterModel", dependencies: [
            .product(name: "SteerFuzzable", package: "Steer"),
        ], path: "FuzzRouterModel"),
        .executableTarget(name: "FuzzAdapters", dependencies: [
            .product(name: "SteerFuzzable", package: "Steer"),
        ], path: "FuzzAdapters"),
    ],
    swiftLanguageModes: [.v6]
)
