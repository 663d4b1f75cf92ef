#if canImport(Glibc)
import Glibc
#endif

/// Says, on jansson's tree, that a record's values of a selection read only by `distinct`
/// tests (under `all`) cannot repeat: each such test then finds no failure, as it does on
/// no values, and the store keeps none. It answers for the common cases (lists of at most
/// one element, texts that differ) as `Evaluation.noRepeats` would, and for any other
/// "keep them": the rules decide.
struct RepeatProbe: ValueSink {
    /// What the tests reading a selection compare, as the probe needs it.
    struct Tests: Sendable {
        /// True when no test compares by members (`by`): values that are not lists are
        /// then compared as their texts.
        let wholeValues: Bool

        /// Nil when a test looks for its list in a member (`in`): the evaluator finds that
        /// member as Swift compares names, not by bytes as jansson does, so those are left
        /// to it.
        init?(_ specs: [DistinctSpec]) {
            guard !specs.isEmpty, specs.allSatisfy({ $0.inMember == nil }) else { return nil }
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
    /// The texts so far, their bytes one after another: copied, since a value inside a
    /// string the walk decodes is freed before the probe answers.
    private var textBytes: [UInt8] = []
    private var texts: [Range<Int>] = []
    /// More texts than this are left to the rules (the probe compares them pairwise).
    static let textsCompared = 32

    init(_ tests: Tests) { self.tests = tests }

    static var locates: Bool { false }

    mutating func take(_ node: JSONCursor, ending: ValueStep?, choices: [JSONValue]) {
        count += 1
        guard ending == nil else { return notText = true }
        if node.kind == .array {
            sawList = true
            if node.count > 1 { longList = true }
        } else if node.kind == .string, texts.count < Self.textsCompared {
            let start = textBytes.count
            node.withStringBytes { textBytes.append(contentsOf: $0) }
            texts.append(start..<textBytes.count)
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
        return textBytes.withUnsafeBufferPointer { bytes in
            for i in texts.indices.dropFirst() {
                for j in 0..<i where texts[i].count == texts[j].count
                    && (texts[i].isEmpty || memcmp(bytes.baseAddress! + texts[i].lowerBound,
                                                   bytes.baseAddress! + texts[j].lowerBound, texts[i].count) == 0) {
                    return false
                }
            }
            return true
        }
    }
}
