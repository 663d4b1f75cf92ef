/// A map of a few named members, kept as a flat array: a record keeps thousands of
/// these alive at once, and a Dictionary's hash table costs far more than the members.
public struct SmallMap<Value: Sendable>: Sendable, ExpressibleByDictionaryLiteral {
    private(set) var entries: [(name: String, value: Value)]

    public init(_ entries: [(name: String, value: Value)] = []) {
        self.entries = entries
    }

    public init(dictionaryLiteral elements: (String, Value)...) {
        entries = elements.map { (name: $0.0, value: $0.1) }
    }

    public subscript(name: String) -> Value? {
        entries.first { $0.name == name }?.value
    }
}
