// swift-tools-version: 6.1
// Symmetree: a CatBoost-compatible gradient-boosted oblivious-tree regressor for SageMaker.
//
// Module graph (points one way): Model depends on nothing of ours; Train → Model;
// Serve → Model + IOUring; IOUring → liburing only. The `symmetree` executable is thin.
import PackageDescription

// x86-64-v2 (SSSE3, SSE4.2, POPCNT; every x86 server CPU since 2009–2011, every SageMaker
// instance type): the single-row evaluator gathers quantized bytes with SSSE3's byte shuffle,
// which Swift reaches only through clang's intrinsics, and those need the feature enabled for
// the whole module. Every target but the two kernel modules below gets it; `symmetree` checks
// the CPU before anything else runs. The kernel modules' entry points are `@inline(never)`
// and take only pointers and integers, so no wider code is inlined into the other modules
// (checked on the release binary: AVX and AVX-512 instructions appear only in those entry points). Swift's `-target-cpu` takes
// CPU names, not "x86-64-v2": Nehalem is the first with all three features.
//
// The evaluator's tree pass is also built for AVX2 (Haswell) and AVX-512 (Skylake-SP) in modules
// of its own (EvaluatorAVX2, EvaluatorAVX512), which Model calls only on CPUs that run them.
func targetCPU(_ name: String) -> [SwiftSetting] {
    #if arch(x86_64)
    [.unsafeFlags(["-target-cpu", name])]
    #else
    []
    #endif
}
let cpuBaseline = targetCPU("nehalem")

let commonSwiftSettings: [SwiftSetting] = [
    // SE-0335: spell existential types `any P`, so their cost is visible.
    .enableUpcomingFeature("ExistentialAny"),
    // SE-0444: a file sees only the members of modules it imports itself.
    .enableUpcomingFeature("MemberImportVisibility"),
    // SE-0409: imports are internal unless marked otherwise, so no module leaks its dependencies.
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Release builds skip the run-time exclusivity checks (debug builds, which run the tests,
    // keep them): on the serving path they cost ~3% of a 1-row request's CPU, through a
    // thread-local access set, on every access to a class's stored property.
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]
let swiftSettings = commonSwiftSettings + cpuBaseline
// `Double.squareRoot()` reaches the C shim `__builtin_sqrt`, which clang compiles as libm's
// `sqrt` with its errno contract: a compare and a branch around every square root, and no
// vector square roots. Results are the same (IEEE square roots are exact); only errno, which
// nothing reads, is left alone. The trainer's bootstrap takes a square root per row.
let noMathErrno: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"])]

let package = Package(
    name: "Symmetree",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "symmetree", targets: ["symmetree"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Train", targets: ["Train"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Operational logging through the Swift server ecosystem's logging API.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        // SageMaker's RecordIO-protobuf payloads (Serve only). No traits: the default
        // BinaryDelimitedStreams trait imports all of Foundation, which nothing else links.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0", traits: []),
    ],
    targets: [
        // The evaluator's tree pass built for wider instruction sets, each its own module because
        // Swift applies -target-cpu per module; Model calls the one InstructionLevel chose. Leaf
        // modules (pointers in, sums out), so the graph still points one way. CCPUID holds the
        // CPUID and XGETBV instructions that choice reads.
        .target(name: "EvaluatorAVX2", swiftSettings: commonSwiftSettings + targetCPU("haswell")),
        .target(name: "EvaluatorAVX512", swiftSettings: commonSwiftSettings + targetCPU("skylake-avx512")),
        .systemLibrary(name: "CCPUID", path: "Sources/CCPUID"),
        .target(name: "Model", dependencies: ["CCPUID", "EvaluatorAVX2", "EvaluatorAVX512"], swiftSettings: swiftSettings),
        // zlib's gzread reads plain and gzip-compressed training files alike.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // Open MPI's mpi.h for multi-host training, types only: no library is linked (Train
        // opens libmpi.so.40 at run time, under mpirun only), so one host needs no Open MPI.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", providers: [.apt(["libopenmpi-dev"])]),
        .target(
            name: "Train", dependencies: ["Model", "CZlib", "CMalloc", "CMPI", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings + noMathErrno),
        // liburing (Debian's liburing-dev) linked statically, so the binary starts where the shared
        // library is missing and can still fall back to epoll; CSys adds what SwiftGlibc lacks.
        .systemLibrary(name: "CURing", path: "Sources/CURing", providers: [.apt(["liburing-dev"])]),
        .systemLibrary(name: "CSys", path: "Sources/CSys"),
        .target(
            name: "IOUring", dependencies: ["CURing", "CSys"], swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary(":liburing.a")]),
        .target(
            name: "Serve",
            dependencies: [
                "Model", "IOUring", .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            // The schema the hand-written Protobuf/record.pb.swift follows; not compiled.
            exclude: ["Protobuf/record.proto"],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "symmetree",
            dependencies: [
                "Model",
                "Train",
                "Serve",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TrainTests",
            dependencies: ["Train", "Model", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServeTests",
            dependencies: [
                "Serve", "Model", "IOUring", "CSys", .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // The event loop alone, on both backends; imports CURing to hand the ring a completion
        // of its own making.
        .testTarget(
            name: "IOUringTests",
            dependencies: ["IOUring", "CURing"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModelTests",
            dependencies: ["Model"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks stay out of the product graph: they are added only when asked for
// (`SYMMETREE_BENCHMARKS=1 swift build -c release --product ModelBenchmarks`).
if Context.environment["SYMMETREE_BENCHMARKS"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "ModelBenchmarks",
            dependencies: ["Model"],
            path: "Benchmarks/ModelBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    package.targets.append(
        .executableTarget(
            name: "CategoricalBenchmarks",
            dependencies: ["Model"],
            path: "Benchmarks/CategoricalBenchmarks",
            swiftSettings: swiftSettings
        )
    )
    package.targets.append(
        .executableTarget(
            name: "ServeBenchmarks",
            dependencies: ["Model", "Serve", "IOUring", "Train"],
            path: "Benchmarks/ServeBenchmarks",
            swiftSettings: swiftSettings
        )
    )
}

// libFuzzer targets (scripts/fuzz): `SYMMETREE_FUZZ=1 swift build -c release --product SymmetreeFuzz
// -Xswiftc -sanitize=fuzzer,address`. libFuzzer provides main, hence -parse-as-library.
if Context.environment["SYMMETREE_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "SymmetreeFuzz",
            dependencies: ["Model", "Serve"],
            path: "Fuzz/SymmetreeFuzz",
            swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]
        )
    )
}
