@testable import EtcdAuditCore
import Testing

/// `SelectedValues.sameStoredValues` lets a check (params-drift) settle "the param holds
/// the body's value" on the stored bytes. It must never call two different values the
/// same, and it must call the same value the same in the common shapes, or the check
/// decodes every param again.
struct SameStoredValuesTests {
    static let id = "aaaaaaaa-0000-4000-8000-000000000001"
    static let body = ValueSelection(steps: [.member("body"), .member("field")])
    static let param = ValueSelection(steps: [.index(1), .member("params"), .select(member: "param", value: "p"),
                                              .member("value")])

    /// Values in the shapes the stores hold: the resource's id, texts around it, words,
    /// UUIDs, MACs, hex ids, texts named twice, numbers, lists and objects.
    static let values: [String] = [
        #""\#(id)""#, #""port:\#(id):2""#, #""compute:nova""#, #""compute:novb""#, #""ACTIVE""#,
        #""ffffffff-0000-4000-8000-000000000009""#, #""ffffffff-0000-4000-8000-00000000000a""#,
        #""fa:16:3e:84:84:13""#, #""fa:16:3e:84:84:14""#, #""e4b06ce60741c7a87ce42c8218072e8c""#,
        #""E4B06CE60741C7A87CE42C8218072E8C""#, #""x1""#, #""""#, "true", "false", "null", "0", "1", "-1", "1.0", "1.5",
        "[]", "{}", #"["a1", "a1"]"#, #"["a1", "b1"]"#, #"["b1", "a1"]"#,
        #"[{"subnet_id": "ffffffff-0000-4000-8000-000000000009", "ip_address": "10.0.0.3"}]"#,
        #"[{"ip_address": "10.0.0.3", "subnet_id": "ffffffff-0000-4000-8000-000000000009"}]"#,
        #"{"a": "\#(id)", "b": ["\#(id)", "x1"]}"#, #"{"a": "\#(id)", "b": ["x1", "\#(id)"]}"#,
    ]

    static func selected(_ json: String, _ selection: ValueSelection) throws -> SelectedValues {
        try JSONDocument.parse(Array(json.utf8)) { PathSelection.select([selection], in: $0, resourceID: id) }.get().value
    }

    @Test func sameBytesOnlyForTheSameValues() throws {
        for a in Self.values {
            let config = try Self.selected(#"{"body": {"field": \#(a)}}"#, Self.body)
            let configValues = try #require(config.plainValues(Self.body, resourceID: Self.id))
            for b in Self.values {
                let job = try Self.selected(#"["h", {"params": [{"param": "p", "value": \#(b)}]}, 0]"#, Self.param)
                let jobValues = try #require(job.plainValues(Self.param, resourceID: Self.id))
                let same = job.sameStoredValues(Self.param, as: Self.body, in: config)
                // Equal bytes: the same values, in order (never two values called the same).
                if same { #expect(jobValues.map(show) == configValues.map(show), "\(b) stored as \(a)") }
                // The same JSON text: the same bytes (the check's common case needs no decoding).
                if a == b { #expect(same, "\(a) stored two ways") }
            }
        }
    }

    /// A param named twice, a body field absent, a selection the record does not keep:
    /// nothing to settle on the bytes.
    @Test func otherShapesAreLeftToTheDecodedValues() throws {
        let config = try Self.selected(#"{"body": {"field": "x1"}}"#, Self.body)
        let twice = try Self.selected(#"["h", {"params": [{"param": "p", "value": "x1"}, {"param": "p", "value": "x1"}]}, 0]"#, Self.param)
        #expect(!twice.sameStoredValues(Self.param, as: Self.body, in: config))
        let absent = try Self.selected(#"{"body": {}}"#, Self.body)
        let once = try Self.selected(#"["h", {"params": [{"param": "p", "value": "x1"}]}, 0]"#, Self.param)
        #expect(!once.sameStoredValues(Self.param, as: Self.body, in: absent))
        #expect(!once.sameStoredValues(Self.param, as: Self.body, in: SelectedValues()))
        #expect(once.sameStoredValues(Self.param, as: Self.body, in: config))
    }

    /// The identity rules compare selections with the resource's id: settled on the bytes
    /// only when every value is the id itself.
    @Test func onlyTheIdItselfIsTheId() throws {
        let each = ValueSelection(steps: [.member("ids"), .each])
        let cases: [(String, Bool)] = [
            (#"["\#(Self.id)"]"#, true), (#"["\#(Self.id)", "\#(Self.id)"]"#, true), ("[]", true),
            (#"["\#(Self.id)", "ffffffff-0000-4000-8000-000000000009"]"#, false), (#"["port:\#(Self.id)"]"#, false),
            (#"["\#(Self.id.uppercased())"]"#, false), (#"[["\#(Self.id)"]]"#, false), ("[10]", false),
        ]
        for (list, isTheID) in cases {
            let selected = try Self.selected(#"{"ids": \#(list)}"#, each)
            #expect(selected.holdsOnlyResourceID(each) == isTheID, "\(list)")
        }
        #expect(!SelectedValues().holdsOnlyResourceID(each))
    }
}
