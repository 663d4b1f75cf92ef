/// A live etcd to audit through its v3 JSON gateway (`check --endpoint`): the client URLs
/// of its members, TLS files and user as etcdctl takes them, and how to page.
public struct EndpointOptions: Sendable {
    /// Client URLs of members of one cluster; the first that answers is read.
    public var urls: [String]
    /// CA that signed the server's certificate (`--cacert`); else the system's CAs.
    public var caCert: String?
    /// Client certificate and key (`--cert`, `--key`), for `--client-cert-auth` servers.
    public var cert: String?
    public var key: String?
    /// User and password, when etcd's auth is enabled (EndpointCredentials fills them).
    public var user: String?
    public var password: String?
    /// What gave them ("--user and --password-file"), for the error when etcd refuses them.
    public var credentialsFrom = "--user"
    /// Keys asked for per request (the range's `limit`).
    public var pageSize: Int
    /// Revision to audit; nil audits the current one (pinned from the first answer).
    public var revision: Int64?
    /// Called after each page's answer arrives, with the number of pages read so far.
    /// The tests write to the store here to show the pinned revision hides those writes.
    public var pageRead: (@Sendable (_ pages: Int) -> Void)?

    public static let defaultPageSize = 1000

    public init(urls: [String], pageSize: Int = defaultPageSize, revision: Int64? = nil) {
        self.urls = urls
        self.pageSize = pageSize
        self.revision = revision
    }

    /// What an input summary calls this endpoint before one has answered.
    var label: String { urls.joined(separator: ",") }
}
