// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ProfileBench",
    products: [
        .executable(name: "profilebench", targets: ["profilebench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
    ],
    targets: [
        // C libraries, reached through module maps; only their wrappers import them.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                       providers: [.apt(["libhdf5-dev"])]),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS"]),
        .target(name: "HDF5Kit", dependencies: ["CHDF5"]),
        // Paired significance tests, intervals and multiple-testing corrections (pure Swift).
        .target(name: "Statistics", dependencies: [
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .executableTarget(name: "profilebench", dependencies: [
            "LinearAlgebra", "HDF5Kit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"],
                    exclude: ["Fixtures"]),  // JSON read from disk, see FixtureLoading.swift
    ]
)
