import Foundation

/// A real etcd for the endpoint tests: one member on 127.0.0.1 with free ports and a
/// temporary data dir. Whoever starts one calls `stop()` in a `defer`, which ends the
/// process and removes the dir, whether the test passed or not.
final class EtcdServer: @unchecked Sendable {  // immutable once started; stop() runs once
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    let clientURL: String
    let dir: URL
    let certificates: TestCertificates?
    private let process: Process
    private let etcdctlPath: String

    /// Starts etcd (with TLS and client-certificate auth when `tls`) and waits until it
    /// answers. Throws, naming the package to install, when etcd or etcdctl is missing.
    static func start(tls: Bool = false) throws -> EtcdServer {
        guard let etcd = TestSupport.which("etcd") else {
            throw Failure("etcd is not installed: apt-get install etcd-server (scripts/install-deps does); CI runs these tests")
        }
        guard let etcdctl = TestSupport.which("etcdctl") else {
            throw Failure("etcdctl is not installed: apt-get install etcd-client (scripts/install-deps does)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("etcd-audit-etcd-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        do {
            let certificates = tls ? try TestCertificates(in: dir) : nil
            // A port taken between asking and etcd's bind makes etcd exit: try again.
            var lastFailure: Error?
            for attempt in 1...3 {
                do {
                    return try EtcdServer(etcd: etcd, etcdctl: etcdctl, dir: dir, certificates: certificates, attempt: attempt)
                } catch {
                    lastFailure = error
                }
            }
            throw lastFailure!
        } catch {
            try? FileManager.default.removeItem(at: dir)
            throw error
        }
    }

    private init(etcd: String, etcdctl: String, dir: URL, certificates: TestCertificates?, attempt: Int) throws {
        let scheme = certificates == nil ? "http" : "https"
        let clientPort = try Self.freePort(), peerPort = try Self.freePort()
        clientURL = "\(scheme)://127.0.0.1:\(clientPort)"
        self.dir = dir
        self.certificates = certificates
        etcdctlPath = etcdctl
        let peerURL = "http://127.0.0.1:\(peerPort)"
        var arguments = ["--name", "audit-test", "--data-dir", dir.appendingPathComponent("data-\(attempt)").path,
                         "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
                         "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
                         "--initial-cluster", "audit-test=\(peerURL)", "--log-outputs", "stderr"]
        if let certificates {
            arguments += ["--cert-file", certificates.serverCert, "--key-file", certificates.serverKey,
                          "--trusted-ca-file", certificates.ca, "--client-cert-auth"]
        }
        let log = dir.appendingPathComponent("etcd-\(attempt).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: etcd)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while true {
            if (try? self.etcdctl(["endpoint", "health"])) != nil { return }
            let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if !process.isRunning || Date() > deadline {
                stop(removingDir: false)
                throw Failure("etcd did not start on \(clientURL); its log ends:\n\(logText.suffix(2000))")
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    /// Ends etcd and removes its data dir (and certificates).
    func stop() {
        stop(removingDir: true)
    }

    private func stop(removingDir: Bool) {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if removingDir { try? FileManager.default.removeItem(at: dir) }
    }

    /// The TLS options etcd-audit and etcdctl both take, for this server.
    var tlsArguments: [String] {
        guard let c = certificates else { return [] }
        return ["--cacert", c.ca, "--cert", c.clientCert, "--key", c.clientKey]
    }

    /// Runs etcdctl against this server; its standard output, or a failure with its error.
    @discardableResult
    func etcdctl(_ arguments: [String], stdin: Data? = nil, stdoutFile: String? = nil) throws -> String {
        let all = ["--endpoints", clientURL, "--command-timeout", "20s"] + tlsArguments + arguments
        let result = try TestSupport.run(etcdctlPath, all, stdin: stdin, stdoutFile: stdoutFile)
        guard result.code == 0 else {
            throw Failure("etcdctl \(arguments.prefix(2).joined(separator: " ")) failed (\(result.code)): \(result.err)")
        }
        return result.out
    }

    /// Puts one key with etcdctl; the value goes on standard input, so any bytes work.
    func put(_ key: String, _ value: Data) throws {
        try etcdctl(["put", key], stdin: value)
    }

    /// The store's current revision.
    func revision() throws -> Int64 {
        let out = try etcdctl(["endpoint", "status", "-w", "json"])
        guard let status = (try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])?.first,
              let header = (status["Status"] as? [String: Any])?["header"] as? [String: Any],
              let revision = (header["revision"] as? NSNumber)?.int64Value else {
            throw Failure("etcdctl endpoint status gave no revision: \(out)")
        }
        return revision
    }

    /// Puts many keys through the gateway's txn, 100 to a transaction (etcd allows 128):
    /// one etcdctl run per key would take minutes for a few thousand. One python3 process
    /// posts them all; URLSession is not used because FoundationNetworking leaks its curl
    /// handles, which would hide a leak of our own gateway client under LeakSanitizer.
    /// Plain-HTTP servers only.
    func putMany(_ records: [(key: String, value: [UInt8])]) throws {
        var bodies: [String] = []
        for start in stride(from: 0, to: records.count, by: 100) {
            let puts = records[start..<min(start + 100, records.count)].map { record in
                ["request_put": ["key": Data(record.key.utf8).base64EncodedString(),
                                 "value": Data(record.value).base64EncodedString()]]
            }
            let body = try JSONSerialization.data(withJSONObject: ["success": puts])
            bodies.append(String(decoding: body, as: UTF8.self))
        }
        guard let python = TestSupport.which("python3") else { throw Failure("python3 is not installed") }
        let poster = """
            import sys, urllib.request
            for line in sys.stdin:
                request = urllib.request.Request(sys.argv[1], data=line.encode(), method="POST")
                with urllib.request.urlopen(request, timeout=30) as response:
                    if response.status != 200:
                        sys.exit("txn put failed: %d %s" % (response.status, response.read()[:200]))
            """
        let result = try TestSupport.run(python, ["-c", poster, clientURL + "/v3/kv/txn"],
                                         stdin: Data(bodies.joined(separator: "\n").utf8))
        guard result.code == 0 else { throw Failure("txn puts failed: \(result.err)") }
    }

    /// A free TCP port on 127.0.0.1, as the kernel hands them out.
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw Failure("cannot find a free port: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
