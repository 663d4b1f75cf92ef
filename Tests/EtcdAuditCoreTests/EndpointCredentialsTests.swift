@testable import EtcdAuditCore
import Foundation
import Testing

/// Where `check --endpoint` takes its TLS files, user and password from: the command line,
/// else etcdctl's environment variables. Without a server; EndpointTests has the real etcd.
struct EndpointCredentialsTests {
    typealias Given = EndpointCredentials.Given

    static let everyVariable = ["ETCDCTL_CACERT": "env-ca.pem", "ETCDCTL_CERT": "env-cert.pem",
                                "ETCDCTL_KEY": "env-key.pem", "ETCDCTL_USER": "envuser", "ETCDCTL_PASSWORD": "envpw"]

    func resolve(_ given: Given, _ environment: [String: String] = [:]) throws -> EndpointCredentials {
        try EndpointCredentials(given: given, environment: environment)
    }

    func refusal(_ given: Given, _ environment: [String: String] = [:]) -> String {
        do {
            _ = try resolve(given, environment)
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func theEnvironmentFillsWhatTheCommandLineLeavesOut() throws {
        let fromEnvironment = try resolve(Given(), Self.everyVariable)
        #expect(fromEnvironment.caCert == "env-ca.pem" && fromEnvironment.cert == "env-cert.pem"
                && fromEnvironment.key == "env-key.pem")
        #expect(fromEnvironment.user == "envuser" && fromEnvironment.userFrom == "ETCDCTL_USER")
        #expect(fromEnvironment.password == .value("envpw", from: "ETCDCTL_PASSWORD"))
        #expect(fromEnvironment.warnings.isEmpty)

        let mixed = try resolve(Given(caCert: "ca.pem", key: "key.pem"), Self.everyVariable)
        #expect(mixed.caCert == "ca.pem" && mixed.cert == "env-cert.pem" && mixed.key == "key.pem")

        // An empty variable is unset, as in etcdctl; a password without a user is unused.
        let empty = try resolve(Given(), ["ETCDCTL_CACERT": "", "ETCDCTL_USER": "", "ETCDCTL_PASSWORD": "pw"])
        #expect(empty == (try resolve(Given())))
        #expect(empty.caCert == nil && empty.user == nil && empty.password == nil)
    }

    @Test func theCommandLineBeatsTheEnvironment() throws {
        // --user names another user: ETCDCTL_USER's name and its password do not apply,
        // ETCDCTL_PASSWORD does (etcdctl's --password default).
        let otherUser = try resolve(Given(user: "audit"), ["ETCDCTL_USER": "root:rootpw"])
        #expect(otherUser.user == "audit" && otherUser.userFrom == "--user" && otherUser.password == nil)
        let withPassword = try resolve(Given(user: "audit"), Self.everyVariable)
        #expect(withPassword.password == .value("envpw", from: "ETCDCTL_PASSWORD"))
        // --password-file beats ETCDCTL_PASSWORD and a password in ETCDCTL_USER.
        let file = try resolve(Given(passwordFile: "/run/pw"), ["ETCDCTL_USER": "root:rootpw", "ETCDCTL_PASSWORD": "x"])
        #expect(file.user == "root" && file.password == .file("/run/pw"))
        // --user NAME:PASSWORD beats ETCDCTL_PASSWORD.
        let inline = try resolve(Given(user: "root:a:b"), Self.everyVariable)
        #expect(inline.user == "root" && inline.password == .value("a:b", from: "--user"))
    }

    @Test func aPasswordOnTheCommandLineWarnsOneInTheEnvironmentDoesNot() throws {
        let inline = try resolve(Given(user: "root:pw"))
        #expect(inline.warnings.count == 1)
        let warning = inline.warnings.first ?? ""
        #expect(warning.contains("ps") && warning.contains("--password-file") && warning.contains("ETCDCTL_PASSWORD"))
        #expect(!warning.contains("root:pw"))
        let environment = try resolve(Given(), ["ETCDCTL_USER": "root:pw"])
        #expect(environment.user == "root" && environment.password == .value("pw", from: "ETCDCTL_USER"))
        #expect(environment.warnings.isEmpty)
        #expect(try resolve(Given(user: "root", passwordFile: "f")).warnings.isEmpty)
    }

    @Test func contradictionsAreRefusedBeforeAnythingIsRead() {
        #expect(refusal(Given(key: "k.pem")).hasPrefix("--key belongs to a client certificate"))
        #expect(refusal(Given(), ["ETCDCTL_KEY": "k.pem"]).hasPrefix("ETCDCTL_KEY belongs to a client certificate"))
        #expect(refusal(Given(key: "k.pem"), ["ETCDCTL_CERT": "c.pem"]) == "accepted")
        #expect(refusal(Given(passwordFile: "f")).contains("--password-file needs a user"))
        #expect(refusal(Given(user: "root:pw", passwordFile: "f")).contains("both give a password"))
        // Which of the two passwords was meant cannot be told; the error shows neither.
        let twice = refusal(Given(), ["ETCDCTL_USER": "root:secret1", "ETCDCTL_PASSWORD": "secret2"])
        #expect(twice.contains("ETCDCTL_USER holds a password") && twice.contains("ETCDCTL_PASSWORD"))
        #expect(!twice.contains("secret"))
        #expect(refusal(Given(passwordFile: "f"), ["ETCDCTL_USER": "root:secret1", "ETCDCTL_PASSWORD": "secret2"])
                == "accepted")
    }

    @Test func thePasswordFileGivesItsFirstLine() throws {
        func read(_ bytes: [UInt8]) -> String {
            do {
                return try EndpointCredentials.readPasswordFile(TestSupport.temporaryFile(bytes, name: "pw"))
            } catch {
                return "error: \(error)"
            }
        }
        #expect(read(Array("pw\n".utf8)) == "pw")
        #expect(read(Array("pw".utf8)) == "pw")  // printf '%s', a secrets manager
        #expect(read(Array("pw\r\n".utf8)) == "pw")
        #expect(read(Array(" p w:x \nsecond line\n".utf8)) == " p w:x ")  // spaces and colons are the password's
        #expect(read(Array("pässwört\n".utf8)) == "pässwört")
        #expect(read([]).hasPrefix("error: --password-file") && read([]).contains("the file is empty"))
        #expect(read(Array("\npw\n".utf8)).contains("its first line is empty"))
        #expect(read([0xff, 0xfe, 0x0a]).contains("not UTF-8"))

        let missing = "/nonexistent/etcd-audit-password"
        #expect(throws: CredentialsError.self) { try EndpointCredentials.readPasswordFile(missing) }
        let missingError = Self.error { _ = try EndpointCredentials.readPasswordFile(missing) }
        #expect(missingError.contains(missing) && missingError.contains("No such file"))
        let directory = try TestSupport.temporaryDirectory().path
        #expect(Self.error { _ = try EndpointCredentials.readPasswordFile(directory) }.contains("Is a directory"))
    }

    static func error(_ body: () throws -> Void) -> String {
        do {
            try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func applyReadsTheFileAndAsksOnlyWhenNothingGaveAPassword() throws {
        let file = try TestSupport.temporaryFile("from-file\n", name: "pw")
        var asked: [String] = []
        func apply(_ credentials: EndpointCredentials, answer: String? = nil) throws -> EndpointOptions {
            var options = EndpointOptions(urls: ["http://127.0.0.1:2379"])
            try credentials.apply(to: &options) { user in
                asked.append(user)
                return answer
            }
            return options
        }
        let fromFile = try apply(resolve(Given(user: "root", passwordFile: file), Self.everyVariable))
        #expect(fromFile.user == "root" && fromFile.password == "from-file")
        #expect(fromFile.credentialsFrom == "--user and --password-file")
        #expect(fromFile.caCert == "env-ca.pem" && fromFile.cert == "env-cert.pem" && fromFile.key == "env-key.pem")
        let fromEnvironment = try apply(resolve(Given(), Self.everyVariable))
        #expect(fromEnvironment.password == "envpw" && fromEnvironment.credentialsFrom == "ETCDCTL_USER and ETCDCTL_PASSWORD")
        #expect(try apply(resolve(Given(user: "root:pw"))).credentialsFrom == "--user")
        #expect(asked.isEmpty)

        let typed = try apply(resolve(Given(user: "root")), answer: "typed")
        #expect(typed.password == "typed" && typed.credentialsFrom == "--user and the terminal")
        #expect(asked == ["root"])
        let noTerminal = Self.error { _ = try apply(resolve(Given(), ["ETCDCTL_USER": "root"])) }
        #expect(noTerminal.contains("ETCDCTL_USER root has no password and there is no terminal"))
        #expect(noTerminal.contains("--password-file") && noTerminal.contains("ETCDCTL_PASSWORD"))

        let anonymous = try apply(resolve(Given(), ["ETCDCTL_PASSWORD": "pw"]))
        #expect(anonymous.user == nil && anonymous.password == nil)
    }
}

/// The same through the executable, still without a server: the environment never fails an
/// audit of files, and credentials that cannot be used stop the run before any connection.
struct EndpointCredentialsCommandLineTests {
    static let fixture = "Samples/fixtures/seeds.etcdctl.json"
    /// Port 9 (discard) on loopback: nothing answers, so reaching it says "no member answered".
    static let nowhere = "http://127.0.0.1:9"

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (code: Int32, out: String, err: String) {
        try CommandLineTests().run(["check", "--no-config"] + arguments, environment: environment)
    }

    @Test func etcdctlsVariablesNeverFailAnAuditOfFiles() throws {
        let plain = try run([Self.fixture])
        // A key without a certificate and missing files: refused with --endpoint, unused without.
        let environment = ["ETCDCTL_KEY": "/nonexistent/key.pem", "ETCDCTL_CACERT": "/nonexistent/ca.pem",
                           "ETCDCTL_USER": "root:pw", "ETCDCTL_PASSWORD": "other", "ETCDCTL_ENDPOINTS": Self.nowhere]
        let withVariables = try run([Self.fixture], environment: environment)
        #expect(plain.code == 1 && withVariables.code == 1)
        #expect(withVariables.out == plain.out)
        #expect(withVariables.err == plain.err)
        let refused = try run(["--endpoint", Self.nowhere], environment: environment)
        #expect(refused.code == 2 && refused.err.contains("ETCDCTL_KEY belongs to a client certificate"))
    }

    @Test func passwordFileIsAnEndpointOption() throws {
        let file = try TestSupport.temporaryFile("pw\n", name: "pw")
        let result = try run([Self.fixture, "--password-file", file])
        #expect(result.code == 2)
        #expect(result.err.contains("--password-file only apply with --endpoint"))
        let noUser = try run(["--endpoint", Self.nowhere, "--password-file", file])
        #expect(noUser.code == 2 && noUser.err.contains("--password-file needs a user"))
    }

    @Test func anUnusablePasswordFileStopsTheRunBeforeAnyConnection() throws {
        let empty = try TestSupport.temporaryFile("", name: "empty")
        for (file, says) in [("/nonexistent/pw", "No such file"), (empty, "the file is empty")] {
            let result = try run(["--endpoint", Self.nowhere, "--user", "root", "--password-file", file],
                                 environment: ["ETCDCTL_PASSWORD": "unused"])
            #expect(result.code == 2)
            #expect(result.err.contains("--password-file \(file)") && result.err.contains(says))
            #expect(!result.err.contains("no member answered"))
        }
    }

    @Test func withoutAPasswordOrATerminalTheErrorNamesTheWaysToGiveOne() throws {
        for (arguments, environment) in [(["--user", "root"], [:]), ([], ["ETCDCTL_USER": "root"])] {
            let result = try run(["--endpoint", Self.nowhere] + arguments, environment: environment)
            #expect(result.code == 2)
            #expect(result.err.contains("root has no password and there is no terminal"))
            #expect(result.err.contains("--password-file") && result.err.contains("ETCDCTL_PASSWORD"))
            #expect(!result.err.contains("no member answered"))
        }
    }
}
