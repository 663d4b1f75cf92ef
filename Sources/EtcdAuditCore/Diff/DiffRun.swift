/// One side of a diff: a file (any input format) and, for a snapshot, the revision to
/// read it at (nil: the newest).
public struct DiffSide: Sendable {
    public var path: String
    public var revision: Int64?

    public init(path: String, revision: Int64? = nil) {
        self.path = path
        self.revision = revision
    }
}

extension Auditor {
    /// Audits OLD, then NEW, each as its own store, keeping only each record's digest
    /// (`StoreDigest`); then reads each side once more for the records whose value
    /// changed, to show the members the rules read of those alone. So memory is the larger
    /// store's audit plus a digest a record, never both sides' values.
    public func diff(old: DiffSide, new: DiffSide, format: InputFormat? = nil, jobs: Int = 1) -> StoreDiff {
        let oldDigest = StoreDigest(), newDigest = StoreDigest()
        let oldResult = audit([.file(old.path)], format: format, revision: old.revision, jobs: jobs, digests: oldDigest)
        let newResult = audit([.file(new.path)], format: format, revision: new.revision, jobs: jobs, digests: newDigest)
        func side(_ result: AuditResult, _ given: DiffSide) -> StoreDiff.Side {
            StoreDiff.Side(inputs: result.inputs, revision: given.revision, resources: result.resources.count,
                           records: result.recordsRead, findings: result.findings.count)
        }
        var diff = StoreDiff(old: side(oldResult, old), new: side(newResult, new))
        (diff.added, diff.removed, diff.changed) = StoreDiff.compareResources(old: oldDigest, new: newDigest)
        (diff.newFindings, diff.resolved, diff.persisting) = StoreDiff.compareFindings(old: oldResult.findings,
                                                                                     new: newResult.findings)
        addMembers(to: &diff, old: old, new: new, format: format)
        return diff
    }

    /// The members the rules read of every changed record, from both sides read again.
    private func addMembers(to diff: inout StoreDiff, old: DiffSide, new: DiffSide, format: InputFormat?) {
        var oldWanted: [String: JSONDigest] = [:], newWanted: [String: JSONDigest] = [:]
        for resource in diff.changed {
            for record in resource.records where record.change == .changed {
                oldWanted[record.key] = record.oldDigest
                newWanted[record.key] = record.newDigest
            }
        }
        guard !oldWanted.isEmpty else { return }
        let oldValues = reread(old, format: format, wanted: oldWanted)
        let newValues = reread(new, format: format, wanted: newWanted)
        var plan = ExtractionPlan()
        for rule in rules { plan.merge(rule.check.plan) }
        for r in diff.changed.indices {
            for i in diff.changed[r].records.indices where diff.changed[r].records[i].change == .changed {
                let record = diff.changed[r].records[i]
                func value(_ values: [String: RawRecord], _ side: String) -> JSONValue? {
                    guard let raw = values[record.key] else {
                        diff.changed[r].records[i].note = "the \(side) value could not be read again"
                        return nil
                    }
                    guard case .success(let parsed) = JSONDocument.parse(raw.value, { $0.value }) else {
                        diff.changed[r].records[i].note = "the \(side) value is not JSON"
                        return nil
                    }
                    return parsed.value
                }
                guard let before = value(oldValues, "old"), let after = value(newValues, "new") else { continue }
                // The same JSON written another way (member order, spacing, a JSON-lines
                // object re-serialised) is the same value: not a change.
                if before.canonicalText == after.canonicalText {
                    diff.changed[r].records[i].change = .unchangedJSON
                    continue
                }
                diff.changed[r].records[i].members = StoreDiff.memberChanges(
                    old: RecordDetail.members(of: record.kind, before, plan: plan),
                    new: RecordDetail.members(of: record.kind, after, plan: plan))
            }
            diff.changed[r].records.removeAll { $0.change == .unchangedJSON }
        }
        diff.changed.removeAll { $0.records.isEmpty }
    }

    /// The records of `side` whose key is wanted, the copy whose value has the digest the
    /// audit kept (the one audited, when a key was read several times). Reading stops where
    /// it stopped the first time (an input error is already in the side's summary).
    private func reread(_ side: DiffSide, format: InputFormat?, wanted: [String: JSONDigest]) -> [String: RawRecord] {
        let layouts = catalog.layouts
        guard let opened = try? AuditInput.file(side.path).open(format: format, revision: side.revision,
                                                                isDeclaredKey: { layouts.match($0) != nil })
        else { return [:] }
        var found: [String: RawRecord] = [:]
        while let next = try? opened.reader.next() {
            guard let digest = wanted[next.key] else { continue }
            var raw = next
            raw.decodeValue()
            if RecordExtractor.valueDigest(raw.value) == digest { found[raw.key] = raw }
        }
        return found
    }
}
