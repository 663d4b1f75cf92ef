import Foundation

/// A live etcd read through its v3 JSON gateway, one `/v3/kv/range` page at a time. The
/// first page asks for the whole keyspace (`key` and `range_end` both "\0") at the
/// revision given, or the current one; every later page starts after the last key read
/// and asks for the revision of the first answer, so writes made while the audit runs
/// never show (SPEC §2). Each page's answer is read by `EtcdctlJSONReader` from memory:
/// a page holds at most `pageSize` records, which bounds what is held at once.
final class EndpointReader: RecordReader {
    /// The URL of the member that answered: where findings point.
    let endpoint: String
    private let options: EndpointOptions
    private let gateway: EtcdGateway
    private var token: String?
    private var page: EtcdctlJSONReader
    private var pagesRead = 1
    /// The last key of the page before (each page must end past it).
    private var lastKeyBefore: [UInt8] = []
    /// The revision every page after the first asks for; nil until the first is read.
    private var pinned: Int64?
    private var problems: [InputProblem] = []

    /// Finds the first member that answers and reads the first page from it.
    init(options: EndpointOptions) throws {
        let (gateway, token, answer) = try Self.connect(options)
        endpoint = gateway.url
        self.options = options
        self.gateway = gateway
        self.token = token
        page = try Self.pageReader(answer, call: "reading page 1", endpoint: gateway.url, options: options, offset: 0)
        options.pageRead?(1)
    }

    /// The first member, in the order given, that answers the first page (an answer of
    /// a member without quorum, HTTP 5xx, does not count).
    private static func connect(_ options: EndpointOptions) throws
        -> (gateway: EtcdGateway, token: String?, first: EtcdGateway.Answer)
    {
        var failures: [(url: String, message: String)] = []
        for url in options.urls {
            do {
                let gateway = try EtcdGateway(url: url, options: options)
                let token = try authenticate(gateway, options: options)
                let answer = try range(gateway, options: options, token: token, from: [0], revision: options.revision)
                if answer.status < 500 { return (gateway, token, answer) }
                failures.append((url, "HTTP \(answer.status): \(etcdMessage(answer))"))
            } catch let failure as EtcdGateway.TransportError {
                failures.append((url, failure.message))
            }
        }
        if failures.count == 1 { throw InputError(path: failures[0].url, offset: nil, message: failures[0].message) }
        throw InputError(path: options.label, offset: nil,
                         message: "no member answered: " + failures.map { "\($0.url): \($0.message)" }.joined(separator: "; "))
    }

    var info: InputInfo {
        var info = page.info
        info.revision = pinned ?? options.revision ?? page.info.revision
        info.problems = problems + page.info.problems
        return info
    }

    var bytesRead: Int { page.bytesRead }

    func next() throws -> RawRecord? {
        while true {
            if let record = try page.next() { return record }
            if pinned == nil {
                guard let revision = options.revision ?? page.info.revision else {
                    throw InputError(path: endpoint, offset: nil,
                                     message: "the first answer has no header.revision to pin the next pages to: is this etcd?")
                }
                pinned = revision
            }
            guard page.more else { return nil }
            // More keys said to follow, but none after the last page's: going on would
            // ask for the same page again, and stopping would pass on part of the store.
            guard !page.lastKey.isEmpty, lastKeyBefore.lexicographicallyPrecedes(page.lastKey) else {
                throw InputError(path: endpoint, offset: nil, message: "page \(pagesRead) says more keys follow, but "
                                 + "holds none after the last key of the page before: etcd's answers are inconsistent")
            }
            lastKeyBefore = page.lastKey
            let answer = try request(from: page.lastKey + [0])
            problems += page.info.problems
            pagesRead += 1
            page = try Self.pageReader(answer, call: "reading page \(pagesRead)", endpoint: endpoint, options: options,
                                       offset: page.bytesRead, pinned: pinned)
            options.pageRead?(pagesRead)
        }
    }

    /// One later page; a token that expired while the audit ran is renewed once.
    private func request(from key: [UInt8]) throws -> EtcdGateway.Answer {
        let answer = try transport { try Self.range(gateway, options: options, token: token, from: key, revision: pinned) }
        if answer.status == 401, options.user != nil,
           Self.etcdMessage(answer).contains("invalid auth token") {
            token = try transport { try Self.authenticate(gateway, options: options) }
            return try transport { try Self.range(gateway, options: options, token: token, from: key, revision: pinned) }
        }
        return answer
    }

    /// After the first answer, a member that stops answering ends the input (exit 2).
    private func transport<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let failure as EtcdGateway.TransportError {
            throw InputError(path: endpoint, offset: nil,
                             message: "stopped answering after \(pagesRead) pages: \(failure.message)")
        }
    }

    private static func range(_ gateway: EtcdGateway, options: EndpointOptions, token: String?, from key: [UInt8],
                              revision: Int64?) throws -> EtcdGateway.Answer {
        // "\0" as range_end means every key from `key` on.
        var body = "{\"key\":\"\(Data(key).base64EncodedString())\",\"range_end\":\"AA==\",\"limit\":\(options.pageSize)"
        if let revision { body += ",\"revision\":\(revision)" }
        body += "}"
        return try gateway.post(.range, body: Array(body.utf8), token: token)
    }

    /// The token for `options.user`, or nil when no user is given or etcd's auth is off
    /// (etcdctl goes on in that case too).
    private static func authenticate(_ gateway: EtcdGateway, options: EndpointOptions) throws -> String? {
        guard let user = options.user else { return nil }
        let body = "{\"name\":\(JSONText.quoted(user)),\"password\":\(JSONText.quoted(options.password ?? ""))}"
        let answer = try gateway.post(.authenticate, body: Array(body.utf8), token: nil)
        let parsed = try? JSONDocument.parse(answer.body) { cursor in cursor.value }.get().value
        if answer.status == 200, let token = parsed?["token"]?.stringValue { return token }
        let message = etcdMessage(answer)
        if message.contains("authentication is not enabled") { return nil }
        if message.contains("authentication failed") {
            throw InputError(path: gateway.url, offset: nil,
                             message: "etcd refused user \(user) (\(message)): check the name and password "
                                      + "(from \(options.credentialsFrom))")
        }
        throw answerError(answer, call: "authenticating as \(user)", endpoint: gateway.url, options: options)
    }

    /// A reader over one page's answer, or the error etcd answered, said for a user.
    private static func pageReader(_ answer: EtcdGateway.Answer, call: String, endpoint: String, options: EndpointOptions,
                                   offset: Int, pinned: Int64? = nil) throws -> EtcdctlJSONReader {
        guard answer.status == 200 else {
            throw answerError(answer, call: call, endpoint: endpoint, options: options, pinned: pinned)
        }
        return EtcdctlJSONReader(source: ByteSource(path: endpoint, bytes: answer.body, offset: offset), pagedByCaller: true)
    }

    /// What etcd said (its `error` member), or the start of the body when it is not JSON.
    private static func etcdMessage(_ answer: EtcdGateway.Answer) -> String {
        let parsed = try? JSONDocument.parse(answer.body) { cursor in cursor.value }.get().value
        if let message = parsed?["error"]?.stringValue ?? parsed?["message"]?.stringValue { return message }
        return String(decoding: answer.body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func answerError(_ answer: EtcdGateway.Answer, call: String, endpoint: String,
                                    options: EndpointOptions, pinned: Int64? = nil) -> InputError {
        let message = etcdMessage(answer)
        let advice: String
        if message.contains("required revision has been compacted") {
            if let revision = options.revision {
                advice = "revision \(revision) has been compacted: give a later --revision, or none for the current one"
            } else {
                advice = "revision \(pinned ?? 0) was compacted while the audit read it: run the audit again"
            }
        } else if message.contains("required revision is a future revision") {
            advice = "--revision \(options.revision ?? 0) is newer than the store: give an older one, or none"
        } else if message.contains("user name is empty") || message.contains("invalid auth token") {
            advice = "etcd's auth is enabled: give --user NAME with --password-file FILE, "
                + "or set ETCDCTL_USER and ETCDCTL_PASSWORD"
        } else if message.contains("permission denied") {
            advice = "user \(options.user ?? "") may not read every key: use a user with read on the whole keyspace"
        } else if answer.status == 404 {
            advice = "no v3 JSON gateway here: give an etcd client URL (etcd 3.4 or later)"
        } else {
            advice = "etcd answered HTTP \(answer.status)"
        }
        return InputError(path: endpoint, offset: nil, message: "\(call): \(advice) (etcd: \(message))")
    }
}
