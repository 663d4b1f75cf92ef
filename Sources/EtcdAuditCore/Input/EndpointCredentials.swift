import Foundation

/// The TLS files and the user `check --endpoint` reads a live etcd with: what the command
/// line gives, else what the environment variables etcdctl reads give. A nightly job can
/// then keep the password out of its command line, which every user of the machine sees
/// (`ps`, /proc/PID/cmdline); its environment and a file are the job's own.
///
/// Resolving reads nothing; `apply(to:ask:)` reads the password file (or asks).
public struct EndpointCredentials: Equatable, Sendable {
    /// What the command line gave.
    public struct Given: Equatable, Sendable {
        public var caCert: String?
        public var cert: String?
        public var key: String?
        /// `--user NAME` or `--user NAME:PASSWORD`.
        public var user: String?
        public var passwordFile: String?

        public init(caCert: String? = nil, cert: String? = nil, key: String? = nil, user: String? = nil,
                    passwordFile: String? = nil) {
            self.caCert = caCert
            self.cert = cert
            self.key = key
            self.user = user
            self.passwordFile = passwordFile
        }
    }

    /// Where the password comes from.
    public enum Password: Equatable, Sendable {
        /// Given whole, by the option or variable named.
        case value(String, from: String)
        /// The first line of this file (`--password-file`).
        case file(String)
    }

    public static let variables = (caCert: "ETCDCTL_CACERT", cert: "ETCDCTL_CERT", key: "ETCDCTL_KEY",
                                   user: "ETCDCTL_USER", password: "ETCDCTL_PASSWORD")

    public var caCert: String?
    public var cert: String?
    public var key: String?
    public var user: String?
    /// nil with a user: none was given, `apply` asks for it.
    public var password: Password?
    /// What gave the user: `--user` or `ETCDCTL_USER`.
    public var userFrom: String?
    /// Said on stderr: a password on the command line.
    public var warnings: [String] = []

    /// The command line's values, each one missing taken from its variable (an empty
    /// variable counts as unset, as in etcdctl). Throws for values that contradict
    /// each other, before anything is read.
    public init(given: Given, environment: [String: String]) throws {
        func variable(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        let names = Self.variables
        caCert = given.caCert ?? variable(names.caCert)
        cert = given.cert ?? variable(names.cert)
        key = given.key ?? variable(names.key)
        if key != nil && cert == nil {
            let keyFrom = given.key != nil ? "--key" : names.key
            throw CredentialsError("\(keyFrom) belongs to a client certificate: give --cert (or set \(names.cert)) too")
        }

        // The command line's user beats the environment's, password and all: ETCDCTL_USER's
        // password belongs to ETCDCTL_USER's name.
        var spelled: (name: String, password: String?)?
        if let user = given.user {
            spelled = Self.split(user)
            userFrom = "--user"
        } else if let user = variable(names.user) {
            spelled = Self.split(user)
            userFrom = names.user
        }
        guard let spelled, let userFrom else {
            if given.passwordFile != nil {
                throw CredentialsError("--password-file needs a user: give --user NAME (or set \(names.user))")
            }
            // ETCDCTL_PASSWORD without a user is ignored, as etcdctl does.
            return
        }
        user = spelled.name
        let environmentPassword = variable(names.password)
        if given.user != nil, spelled.password != nil {
            if given.passwordFile != nil {
                throw CredentialsError("--user NAME:PASSWORD and --password-file both give a password: give --user NAME")
            }
            warnings.append("--user NAME:PASSWORD shows the password to every user of this machine (ps, /proc): "
                            + "give --user NAME with --password-file FILE, or set \(names.password), instead")
        }
        if userFrom == names.user, spelled.password != nil, environmentPassword != nil, given.passwordFile == nil {
            // etcdctl would take "NAME:PASSWORD" whole as the name; which was meant cannot be
            // told, and an error naming that user would print the password.
            throw CredentialsError("\(names.user) holds a password (NAME:PASSWORD) and \(names.password) is set too: keep one")
        }
        if let file = given.passwordFile {
            password = .file(file)
        } else if let inline = spelled.password {
            password = .value(inline, from: userFrom)
        } else if let environmentPassword {
            password = .value(environmentPassword, from: names.password)
        }
    }

    /// NAME or NAME:PASSWORD, split at the first colon as etcdctl does.
    private static func split(_ user: String) -> (name: String, password: String?) {
        guard let colon = user.firstIndex(of: ":") else { return (user, nil) }
        return (String(user[..<colon]), String(user[user.index(after: colon)...]))
    }

    /// Fills `options`: the TLS files, the user and their password, from the file when one
    /// is named, else from `ask` (the CLI asks on a terminal; nil when there is none).
    public func apply(to options: inout EndpointOptions, ask: (_ user: String) -> String?) throws {
        options.caCert = caCert
        options.cert = cert
        options.key = key
        guard let user, let userFrom else { return }
        options.user = user
        switch password {
        case .value(let value, let from):
            options.password = value
            options.credentialsFrom = from == userFrom ? from : "\(userFrom) and \(from)"
        case .file(let path):
            options.password = try Self.readPasswordFile(path)
            options.credentialsFrom = "\(userFrom) and --password-file"
        case nil:
            guard let typed = ask(user) else {
                throw CredentialsError("\(userFrom) \(user) has no password and there is no terminal to ask on: "
                                       + "give --password-file FILE or set \(Self.variables.password)")
            }
            options.password = typed
            options.credentialsFrom = "\(userFrom) and the terminal"
        }
    }

    /// The first line of `path`, without its line end: a file written by `echo`, by a
    /// secrets manager (without a newline) or on Windows (CRLF) all give the password.
    public static func readPasswordFile(_ path: String) throws -> String {
        // POSIX calls, so the error says what the system said (no such file, permission
        // denied, is a directory); reading stops at the first line end, so a pipe
        // (/dev/stdin, <(command)) need not be closed.
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CredentialsError("--password-file \(path): cannot open it (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var bytes = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !bytes.contains(UInt8(ascii: "\n")) {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw CredentialsError("--password-file \(path): cannot read it (\(String(cString: strerror(errno))))")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
        }
        var line = bytes.prefix { $0 != UInt8(ascii: "\n") }
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        guard !line.isEmpty else {
            throw CredentialsError("--password-file \(path): \(bytes.isEmpty ? "the file is empty" : "its first line is empty"); "
                                   + "it should hold the password on its first line")
        }
        guard let text = String(data: line, encoding: .utf8) else {
            throw CredentialsError("--password-file \(path): the first line is not UTF-8 text")
        }
        return text
    }
}

/// Credentials that contradict each other or cannot be read: exit status 2.
public struct CredentialsError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
