#if canImport(Glibc)
import Glibc
#endif

/// Where a path's walk over jansson's tree hands the values it selects.
protocol ValueSink {
    /// Whether the values need their choices (the walk keeps none for a sink that does not).
    static var locates: Bool { get }
    /// A value the path selects, located by `choices`; `ending` is the `|type` or `|digest`
    /// step that ends the path, if one does.
    mutating func take(_ node: JSONCursor, ending: ValueStep?, choices: [JSONValue])
}

/// Says, on jansson's tree, that a record's values of a selection read only by `distinct`
/// tests cannot repeat: every such test then passes, as it does on no values, and the store
/// keeps none. It answers for the common cases (lists of at most one element, texts that
/// differ) as `Evaluation.noRepeats` would, and for any other "keep them": the rules decide.
struct RepeatProbe: ValueSink {
    /// What the tests reading a selection compare, as the probe needs it.
    struct Tests: Sendable {
        /// The member holding the list, as each test names it (`in`).
        let inMember: String?
        /// True when no test compares by members (`by`): values that are not lists are
        /// then compared as their texts.
        let wholeValues: Bool

        /// Nil when the tests name different `in` members (not probed).
        init?(_ specs: [DistinctSpec]) {
            guard let first = specs.first, specs.allSatisfy({ $0.inMember == first.inMember }) else { return nil }
            inMember = first.inMember
            wholeValues = specs.allSatisfy(\.by.isEmpty)
        }
    }

    private let tests: Tests
    private var count = 0
    private var sawList = false
    /// A list of two or more elements: only the rules can say whether it repeats.
    private var longList = false
    /// A value neither a list nor a text, or texts past `textsCompared`.
    private var notText = false
    private var texts: [JSONCursor] = []
    /// More texts than this are left to the rules (the probe compares them pairwise).
    static let textsCompared = 32

    init(_ tests: Tests) { self.tests = tests }

    static var locates: Bool { false }

    mutating func take(_ node: JSONCursor, ending: ValueStep?, choices: [JSONValue]) {
        count += 1
        guard ending == nil else { return notText = true }
        let list: JSONCursor?
        if let inMember = tests.inMember { list = node.kind == .object ? node[inMember] : nil } else { list = node }
        if let list, list.kind == .array {
            sawList = true
            if list.count > 1 { longList = true }
        } else if node.kind == .string, texts.count < Self.textsCompared {
            texts.append(node)
        } else {
            notText = true
        }
    }

    /// True when every `distinct` test reading these values passes on them.
    var cannotRepeat: Bool {
        // As `noRepeats`: each list on its own (one of at most one element cannot repeat);
        // values that are not lists are compared only when there is no list.
        guard !longList else { return false }
        if sawList || count < 2 { return true }
        guard tests.wholeValues, !notText else { return false }
        for i in texts.indices.dropFirst() {
            for j in 0..<i where Self.sameBytes(texts[i], texts[j]) { return false }
        }
        return true
    }

    private static func sameBytes(_ a: JSONCursor, _ b: JSONCursor) -> Bool {
        a.withStringBytes { x in
            b.withStringBytes { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } ?? false
        } ?? false
    }
}
