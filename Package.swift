// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "etcd-audit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "etcd-audit", targets: ["etcd-audit"]),
        .library(name: "EtcdAuditCore", targets: ["EtcdAuditCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/CoreOffice/XMLCoder", from: "0.18.2"),
    ],
    targets: [
        // jansson parses every value; only JSON/Jansson.swift and CJSONWalk call it.
        .systemLibrary(name: "CJansson", pkgConfig: "jansson",
                       providers: [.apt(["libjansson-dev"])]),
        // XXH3-128 makes every digest: value equality, fingerprints, redaction (JSON/JSONDigest.swift).
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash",
                       providers: [.apt(["libxxhash-dev"])]),
        // zlib reads .gz inputs (and plain files, transparently).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // libcurl reads live etcds (--endpoint) through the v3 JSON gateway, TLS included;
        // only Input/EtcdGateway.swift imports it.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        // The per-thread arena jansson allocates from (JSON/Jansson.swift sets it up), and
        // the call that gives the freed record store back to the system (Audit.swift).
        .target(name: "CJSONArena"),
        // The walk that writes what the rules' paths select straight from jansson's tree
        // into the store's layout (Records/KeptSelections.swift compiles the paths for it).
        .target(name: "CJSONWalk", dependencies: ["CJSONArena"]),
        // Base64 32 or 16 characters at a time (AVX2, SSSE3): etcd's JSON output encodes
        // every value so (Input/Base64.swift decodes the rest and checks).
        .target(name: "CBase64"),
        .target(
            name: "EtcdAuditCore",
            dependencies: [
                "CJansson", "CJSONArena", "CJSONWalk", "CBase64", "CXXHash", "CZlib", "CCurl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "XMLCoder", package: "XMLCoder"),
            ],
            resources: [.embedInCode("Catalog")]
        ),
        .executableTarget(
            name: "etcd-audit",
            dependencies: [
                "EtcdAuditCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // libFuzzer target for the readers and the whole pipeline (scripts/fuzz).
        .executableTarget(name: "etcd-audit-fuzz", dependencies: ["EtcdAuditCore"]),
        .testTarget(name: "EtcdAuditCoreTests",
                    dependencies: ["EtcdAuditCore", .product(name: "Yams", package: "Yams")]),
    ]
)
