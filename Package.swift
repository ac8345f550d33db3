// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ProfileBench",
    products: [
        .executable(name: "profilebench", targets: ["profilebench"]),
    ],
    dependencies: [
        // The command line (subcommands, options, help).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // logGamma / erfc for the statistics.
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // SHA-256 for provenance hashes (spec, dataset, encoder weights).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // C libraries, reached through module maps; only their wrappers import them.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS"]),
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        // Bytes to text: (gzipped) file streams, lines, the CSV reader and writer, byte repair.
        .target(name: "TextFiles", dependencies: ["CZlib"]),
        // The one JSON reader (strict for specs and results, loose and Python literals for importers) and writer.
        .target(name: "JSON", dependencies: ["TextFiles"]),
        .target(name: "AtomicIO"),
        // Paired significance tests, intervals, multiple-testing corrections, the seeded PRNG.
        .target(name: "Statistics", dependencies: [
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        // The built-in encoders' facts (names, architecture, dimension, layers, token limit, weights) and `hash-<d>` names.
        .target(name: "ModelCatalog"),
        .target(name: "Experiments", dependencies: ["JSON", "ModelCatalog", "Retrieval", "Statistics"]),
        .target(name: "FeatureHashing", dependencies: ["ModelCatalog"]),
        .target(name: "Datasets", dependencies: ["HDF5Kit", "AtomicIO", "Statistics"]),
        // Streaming importers (CSV, JSON lines, Amazon, RecBole, MovieLens, RetailRocket, benchmark case files) into a Dataset.
        .target(name: "Importers", dependencies: ["Datasets", "JSON", "Statistics", "TextFiles"]),
        .target(name: "Profiles"),
        .target(name: "Retrieval"),
        // The encoding stage: a spec encoder's item vectors, read from the dataset or computed and stored.
        .target(name: "Embeddings", dependencies: ["Datasets", "Experiments", "FeatureHashing", "Encoders", "ModelCatalog"]),
        .target(name: "Runner", dependencies: ["Datasets", "Experiments", "JSON", "Learning", "LinearAlgebra", "Profiles",
                                               "Results", "Retrieval", "Statistics", "AtomicIO",
                                               .product(name: "Crypto", package: "swift-crypto")]),
        // The typed model of a results folder, written and read by the same code.
        .target(name: "Results", dependencies: ["Experiments", "JSON", "AtomicIO", "TextFiles"]),
        // Paired comparisons, segments, split traffic, the regression check — over Results.
        .target(name: "Comparisons", dependencies: ["Results", "Statistics", "JSON"]),
        .target(name: "Reports", dependencies: ["Runner", "Results", "Experiments", "JSON", "AtomicIO", "Comparisons", "Statistics",
                                                .product(name: "Crypto", package: "swift-crypto")]),
        .executableTarget(name: "profilebench", dependencies: [
            "Embeddings", "Runner", "Reports", "Results", "Learning", "Comparisons", "Datasets", "Importers", "AtomicIO", "Experiments", "Retrieval", "JSON",
            "LinearAlgebra", "Statistics", "Encoders", "ModelCatalog",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Sentence encoders: BERT tokenization, safetensors weights, BERT/MPNet forward passes.
        .target(name: "Tokenizers", dependencies: ["JSON"]),
        .target(name: "SafeTensors", dependencies: ["JSON"]),
        .target(name: "Encoders", dependencies: [
            "Tokenizers", "SafeTensors", "JSON", "LinearAlgebra", "ModelCatalog", "Statistics",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Learned profile updaters: layers with analytic gradients, losses, AdamW, the trainer.
        // Its layers and trainer are generic over Float/Double (the gradient checks run in Double);
        // callers in other modules (the runner) use Float. A generic function called across a
        // module boundary runs unspecialised — through witness tables, about 7× slower here — so
        // the module's bodies are made available for specialisation in its callers.
        .target(name: "Learning", dependencies: ["LinearAlgebra", "Statistics", "SafeTensors"],
                swiftSettings: [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "LinearAlgebra", "Statistics", "SafeTensors"]),
        .testTarget(name: "RetrievalTests", dependencies: ["Retrieval", "Experiments", "Statistics"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Datasets", "Experiments", "Profiles", "Statistics"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "JSON"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "HDF5Kit", "FeatureHashing"]),
        .testTarget(name: "CLITests", dependencies: ["Datasets", "HDF5Kit"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Experiments", "JSON"]),
        .testTarget(name: "ComparisonsTests", dependencies: ["Comparisons", "Results", "Experiments", "Statistics", "JSON"]),
        .testTarget(name: "ImportersTests", dependencies: ["Importers", "Datasets", "JSON", "TextFiles"],
                    exclude: ["Fixtures"]),  // read from disk by path
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"],
                    exclude: ["Fixtures"]),  // JSON read from disk, see FixtureLoading.swift
        .testTarget(name: "EncoderTests", dependencies: ["Encoders", "Tokenizers", "SafeTensors", "ModelCatalog"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
