/// Which members the loaded rules read, so extraction keeps those and no more.
public struct ExtractionPlan: Sendable {
    // No defaults: each check kind names what it reads, and a declared rule's paths say it.
    /// What the rule language's paths select inside each kind of record.
    /// Set through `add`, which keeps `uses` beside it.
    public private(set) var selections: [RecordKind: Set<ValueSelection>] = [:]
    /// How the rules read a selection, when it is not `.read` (the default for any
    /// selection named here without one).
    var uses: [RecordKind: [ValueSelection: SelectionUse]] = [:]

    public init() {}

    /// How the rules read `selection` of `kind`; nil when none does.
    func use(of selection: ValueSelection, in kind: RecordKind) -> SelectionUse? {
        guard selections[kind]?.contains(selection) == true else { return nil }
        return uses[kind]?[selection] ?? .read
    }

    /// Names `selection`, read as `use` says (with any other reader: read as both need).
    mutating func add(_ selection: ValueSelection, of kind: RecordKind, as use: SelectionUse = .read) {
        let combined = self.use(of: selection, in: kind).map { $0.combined(with: use) } ?? use
        selections[kind, default: []].insert(selection)
        uses[kind, default: [:]][selection] = combined == .read ? nil : combined
    }

    public mutating func merge(_ other: ExtractionPlan) {
        for (kind, selections) in other.selections {
            for selection in selections { add(selection, of: kind, as: other.use(of: selection, in: kind)!) }
        }
    }
}

/// Why the rules read a selection. The store keeps a selection's values in every record
/// unless all its readers say they need them only sometimes: the language's `distinct`
/// passes on values that cannot repeat, so a job's param resources lists (nearly all empty
/// or of one element) need not be kept to find the rare list that names a resource twice.
enum SelectionUse: Hashable, Sendable {
    /// Read for any purpose: kept in every record.
    case read
    /// Read only by `distinct` tests that only `all` leads to (their operands): a record
    /// whose values cannot repeat keeps none (such a test finds no failure on no values, as
    /// on these).
    case repeats([DistinctSpec])
    /// Read only to word the findings of rules that fail only when one of `guards` (of the
    /// same record) repeats: kept in a record only when one of those is.
    case wording(guards: Set<ValueSelection>)

    func combined(with other: SelectionUse) -> SelectionUse {
        switch (self, other) {
        case (.repeats(let a), .repeats(let b)): return .repeats(a + b.filter { !a.contains($0) })
        case (.wording(let a), .wording(let b)): return .wording(guards: a.union(b))
        default: return .read
        }
    }
}
