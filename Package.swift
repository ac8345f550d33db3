// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ProfileBench",
    products: [
        .executable(name: "profilebench", targets: ["profilebench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // SHA-256 of the encoder weights (provenance stamped next to stored embeddings).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries, reached through module maps; only their wrappers import them.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS"]),
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        .executableTarget(name: "profilebench", dependencies: [
            "LinearAlgebra", "HDF5Kit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Sentence encoders: BERT tokenization, safetensors weights, BERT/MPNet forward passes.
        .target(name: "Tokenizers"),
        .target(name: "SafeTensors"),
        .target(name: "Encoders", dependencies: [
            "Tokenizers", "SafeTensors", "LinearAlgebra",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .executableTarget(name: "encoder-bench", dependencies: ["Encoders"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "EncoderTests", dependencies: ["Encoders", "Tokenizers", "SafeTensors"],
                    exclude: ["Fixtures"]),
    ]
)
