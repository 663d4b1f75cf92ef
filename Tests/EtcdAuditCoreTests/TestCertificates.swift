import Foundation

/// A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, made
/// with openssl in `dir`, for the TLS endpoint tests.
struct TestCertificates {
    let ca: String
    let serverCert: String
    let serverKey: String
    let clientCert: String
    let clientKey: String

    init(in dir: URL) throws {
        guard let tool = TestSupport.which("openssl") else {
            throw EtcdServer.Failure("openssl is not installed: apt-get install openssl (scripts/install-deps does)")
        }
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func openssl(_ arguments: [String]) throws {
            let result = try TestSupport.run(tool, arguments)
            if result.code != 0 { throw EtcdServer.Failure("openssl \(arguments.joined(separator: " ")): \(result.err)") }
        }
        // P-256 keys: quick to make, and etcd's Go TLS takes them.
        let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        let ca = file("ca.pem")
        try openssl(["req", "-x509"] + newKey + ["-keyout", file("ca.key"), "-out", ca, "-days", "2",
                                                 "-subj", "/CN=etcd-audit test CA"])
        func issue(_ name: String, subject: String, extensions: String) throws -> (cert: String, key: String) {
            let ext = file("\(name).ext")
            try Data(extensions.utf8).write(to: URL(fileURLWithPath: ext))
            try openssl(["req"] + newKey + ["-keyout", file("\(name).key"), "-out", file("\(name).csr"),
                                            "-subj", subject])
            try openssl(["x509", "-req", "-in", file("\(name).csr"), "-CA", ca, "-CAkey", file("ca.key"),
                         "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2",
                         "-extfile", ext, "-out", file("\(name).pem")])
            return (file("\(name).pem"), file("\(name).key"))
        }
        // etcd 3.4's gateway dials its own gRPC port with the server certificate as a
        // client certificate, so the server's must allow both uses.
        let server = try issue("server", subject: "/CN=127.0.0.1", extensions: """
            subjectAltName = IP:127.0.0.1
            extendedKeyUsage = serverAuth, clientAuth
            keyUsage = digitalSignature, keyEncipherment

            """)
        let client = try issue("client", subject: "/CN=etcd-audit", extensions: """
            extendedKeyUsage = clientAuth
            keyUsage = digitalSignature, keyEncipherment

            """)
        (self.ca, serverCert, serverKey, clientCert, clientKey) = (ca, server.cert, server.key, client.cert, client.key)
    }
}
