import CCurl

/// The calls the tool may make to etcd's v3 JSON gateway. Both only read: there is no
/// case for put, delete, txn or lease, so an audit cannot change the store it audits.
enum GatewayCall: String {
    case range = "/v3/kv/range"
    case authenticate = "/v3/auth/authenticate"
}

/// One etcd member's v3 JSON gateway, spoken over libcurl, which reads the CA, client
/// certificate and key files etcdctl takes. The only file that calls libcurl; one handle
/// per member keeps the connection (and its TLS session) open from page to page.
final class EtcdGateway {
    /// An HTTP answer, whatever its status.
    struct Answer {
        var status: Int
        var body: [UInt8]
    }

    /// The request got no HTTP answer at all (refused, TLS failure, stalled).
    struct TransportError: Error {
        var message: String
    }

    /// Receives the answer's bytes from libcurl's write callback.
    private final class Sink {
        var bytes: [UInt8] = []
    }

    /// The member's base URL, as given (without a trailing slash).
    let url: String
    private let handle: UnsafeMutableRawPointer
    private let errorText: UnsafeMutablePointer<CChar>

    /// libcurl must be set up once per process before any handle exists, and not from
    /// two threads at once: a lazy static gives both.
    private static let globalSetup: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    static let connectTimeoutSeconds = 10
    /// A transfer that sends less than a byte a second for this long is given up.
    static let stallSeconds = 60

    init(url: String, options: EndpointOptions) throws(TransportError) {
        Self.globalSetup
        guard let handle = curl_easy_init() else { throw TransportError(message: "libcurl cannot start a transfer") }
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.handle = handle
        errorText = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorText.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        setLong(CURLOPT_NOSIGNAL, 1)  // timeouts must not raise signals in a threaded process
        setLong(CURLOPT_CONNECTTIMEOUT, Self.connectTimeoutSeconds)
        setLong(CURLOPT_LOW_SPEED_LIMIT, 1)
        setLong(CURLOPT_LOW_SPEED_TIME, Self.stallSeconds)
        _ = etcd_audit_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorText)
        setString(CURLOPT_CAINFO, options.caCert)
        setString(CURLOPT_SSLCERT, options.cert)
        setString(CURLOPT_SSLKEY, options.key)
        _ = etcd_audit_curl_setopt_write(handle) { data, size, count, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            if let data { sink.bytes.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size * count)) }
            return size * count
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        errorText.deallocate()
    }

    /// POSTs `body` (JSON) to one gateway call; `token` goes in the Authorization header,
    /// as the gateway expects it (no scheme).
    func post(_ call: GatewayCall, body: [UInt8], token: String?) throws(TransportError) -> Answer {
        let sink = Sink()
        var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/json")
        if let token { headers = curl_slist_append(headers, "Authorization: \(token)") }
        defer { curl_slist_free_all(headers) }
        setString(CURLOPT_URL, url + call.rawValue)
        _ = etcd_audit_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers)
        setLong(CURLOPT_POSTFIELDSIZE, body.count)
        body.withUnsafeBytes { _ = etcd_audit_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress) }
        _ = etcd_audit_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        errorText[0] = 0
        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        guard code == CURLE_OK else { throw TransportError(message: describe(code)) }
        var status = 0
        _ = etcd_audit_curl_response_code(handle, &status)
        return Answer(status: status, body: sink.bytes)
    }

    /// libcurl's own words, and what to check for the failures people meet.
    private func describe(_ code: CURLcode) -> String {
        let detail = errorText[0] != 0 ? String(cString: errorText) : String(cString: curl_easy_strerror(code))
        let hint: String
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST:
            hint = "is etcd running there, and is this its client URL?"
        case CURLE_OPERATION_TIMEDOUT:
            hint = "the member did not answer in time"
        case CURLE_PEER_FAILED_VERIFICATION:
            hint = "the server's certificate is not trusted: give its CA with --cacert (or ETCDCTL_CACERT)"
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_CACERT_BADFILE:
            hint = "check the files of --cacert, --cert and --key (or ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY)"
        case CURLE_SSL_CONNECT_ERROR, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING:
            hint = url.hasPrefix("https:")
                ? "the TLS handshake failed: does the member speak TLS, and does it want a client certificate (--cert, --key)?"
                : "does the member speak TLS? then use an https:// URL"
        default:
            hint = "check the URL and the network"
        }
        return "\(detail) (\(hint))"
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = etcd_audit_curl_setopt_long(handle, option, value)
    }

    /// libcurl copies string options, so the temporary C string may go.
    private func setString(_ option: CURLoption, _ value: String?) {
        guard let value else { return }
        _ = value.withCString { etcd_audit_curl_setopt_pointer(handle, option, $0) }
    }
}
