/// etcd's v2 API recursive GET (`/v2/keys/?recursive=true`): one JSON document whose
/// `node` holds directories (`"dir": true`, children in `nodes`) and keys (`value`, a
/// string holding the etcd value's text). Walked token by token with `JSONFramer`, one
/// open node per level of nesting, so memory holds one value at a time, never the tree.
///
/// `modifiedIndex`/`createdIndex` become the mod/create revisions. The answer carries no
/// store-wide index (etcd sends it in the `X-Etcd-Index` header), so `info.revision`
/// stays unknown. An error answer (`{"errorCode": 100, ...}`) is an input error.
final class EtcdV2Reader: RecordReader {
    /// Deeper nesting than any key path has: a damaged or hostile document.
    static let maxDepth = 512

    private struct Node {
        var offset: Int
        var key: [UInt8]?
        var value: [UInt8]?
        var isDir = false
        var createdIndex: Int64?
        var modifiedIndex: Int64?
    }

    /// What the next token may be.
    private enum Step {
        case documentStart, documentMember, afterDocumentMember
        case nodeMember, afterNodeMember
        /// After a child of the innermost open node: ',' and the next child, or ']'.
        case afterChild
    }

    private let framer: JSONFramer
    private(set) var info = InputInfo()
    private var step = Step.documentStart
    /// The node objects open around the current token, outermost first.
    private var nodes: [Node] = []
    private var documentOffset = 0
    private var answerError: (code: Int64?, message: String, cause: String) = (nil, "", "")

    init(source: ByteSource) {
        framer = JSONFramer(source: source)
    }

    var bytesRead: Int { framer.offset }

    func next() throws -> RawRecord? {
        while true {
            switch step {
            case .documentStart:
                guard let token = try framer.next() else { return nil }
                guard token == .beginObject else {
                    throw framer.error("expected '{' starting an etcd v2 answer, found \(JSONFramer.describe(token))")
                }
                documentOffset = framer.tokenOffset
                if try framer.peek() == .endObject {
                    _ = try framer.next()
                } else {
                    step = .documentMember
                }
            case .documentMember:
                try readDocumentMember()
            case .afterDocumentMember:
                if try framer.continues(closing: .endObject) {
                    step = .documentMember
                } else {
                    try finishDocument()
                }
            case .nodeMember:
                try readNodeMember()
            case .afterNodeMember:
                if try framer.continues(closing: .endObject) {
                    step = .nodeMember
                } else if let record = closeNode() {
                    return record
                }
            case .afterChild:
                if try framer.continues(closing: .endArray) {
                    try openNode()
                } else {
                    step = .afterNodeMember
                }
            }
        }
    }

    private func readDocumentMember() throws {
        let name = try memberName()
        step = .afterDocumentMember
        switch name {
        case "node": try openNode()
        case "errorCode": answerError.code = try framer.integerValue() ?? -1
        case "message": answerError.message = try text()
        case "cause": answerError.cause = try text()
        default: try framer.skipValue()  // action, prevNode (not part of the store)
        }
    }

    private func readNodeMember() throws {
        let name = try memberName()
        step = .afterNodeMember
        let last = nodes.count - 1
        switch name {
        case "key": nodes[last].key = try framer.expectString("a key")
        case "value":
            switch try framer.next() {
            case .string(let bytes)?: nodes[last].value = bytes
            case .scalar("null")?: nodes[last].value = nil
            case let other: throw framer.error("expected a string value, found \(JSONFramer.describe(other))")
            }
        case "dir": nodes[last].isDir = try framer.next() == .scalar("true")
        case "createdIndex": nodes[last].createdIndex = try framer.integerValue()
        case "modifiedIndex": nodes[last].modifiedIndex = try framer.integerValue()
        case "nodes":
            try framer.expect(.beginArray, "'[' starting nodes")
            if try framer.peek() == .endArray {
                _ = try framer.next()
            } else {
                try openNode()
            }
        default: try framer.skipValue()  // ttl, expiration
        }
    }

    /// The node whose `{` is the next token (the locator re-reads a record at its offset).
    func readNode() throws -> RawRecord? {
        try openNode()
        return try next()
    }

    private func openNode() throws {
        try framer.expect(.beginObject, "'{' starting a node")
        guard nodes.count < Self.maxDepth else {
            throw framer.error("nodes nested more than \(Self.maxDepth) deep")
        }
        nodes.append(Node(offset: framer.tokenOffset))
        if try framer.peek() == .endObject {
            _ = try framer.next()
            _ = closeNode()
        } else {
            step = .nodeMember
        }
    }

    /// Pops the innermost node; a key (not a directory) becomes a record.
    private func closeNode() -> RawRecord? {
        let node = nodes.removeLast()
        step = nodes.isEmpty ? .afterDocumentMember : .afterChild
        let location = SourceLocation(path: framer.path, offset: node.offset)
        // A root directory, even without children, is a GET of a whole (maybe empty) store.
        if nodes.isEmpty && node.isDir { info.isStoreExport = true }
        guard !node.isDir else { return nil }
        guard let key = node.key else {
            // The root of a GET of "/" is a directory; a key node without a key is damage.
            info.problems.append(InputProblem(location: location, message: "a node that is no directory has no key"))
            return nil
        }
        return RawRecord(key: String(decoding: key, as: UTF8.self), value: node.value ?? [],
                         createRevision: node.createdIndex, modRevision: node.modifiedIndex, location: location)
    }

    private func finishDocument() throws {
        step = .documentStart
        if let code = answerError.code {
            let cause = answerError.cause.isEmpty ? "" : " (\(answerError.cause))"
            throw InputError(path: framer.path, offset: documentOffset,
                             message: "etcd answered with error \(code): \(answerError.message)\(cause)")
        }
    }

    private func memberName() throws -> String {
        let name = try framer.expectName("a member name")
        try framer.expect(.colon, "':'")
        return name
    }

    private func text() throws -> String {
        switch try framer.next() {
        case .string(let bytes)?: return String(decoding: bytes, as: UTF8.self)
        case .scalar(let s)?: return s
        case let other: throw framer.error("expected a string, found \(JSONFramer.describe(other))")
        }
    }
}
