/// A path's values without where they are: what a test that passes needs. Most paths give
/// one value, kept inline: an array of one cost an allocation and its release for every
/// test of every resource.
struct PlainValues: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case none
        case one(JSONValue)
        case many([JSONValue])
    }

    private var storage: Storage

    init() { storage = .none }

    init(_ value: JSONValue) { storage = .one(value) }

    init(_ values: [JSONValue]) {
        switch values.count {
        case 0: storage = .none
        case 1: storage = .one(values[0])
        default: storage = .many(values)
        }
    }

    var startIndex: Int { 0 }

    var endIndex: Int {
        switch storage {
        case .none: return 0
        case .one: return 1
        case .many(let list): return list.count
        }
    }

    subscript(position: Int) -> JSONValue {
        switch storage {
        case .one(let value):
            precondition(position == 0, "index \(position) of one value")
            return value
        case .many(let list): return list[position]
        case .none: preconditionFailure("index \(position) of no value")
        }
    }

    mutating func append(_ value: JSONValue) {
        switch storage {
        case .none: storage = .one(value)
        case .one(let first): storage = .many([first, value])
        case .many(var list):
            storage = .none  // the list's one reference, so that it grows in place
            list.append(value)
            storage = .many(list)
        }
    }

    mutating func append(contentsOf other: PlainValues) {
        for value in other { append(value) }
    }
}
