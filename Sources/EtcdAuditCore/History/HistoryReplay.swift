/// Replays a snapshot's writes, keeping every live record parsed and packed (as the store
/// keeps them) and every resource's findings, and re-checks after each revision only the
/// resources its writes touched: their own rules, and for the rules across resources
/// (uniqueness) only the groups of holders of the values the write removed or added, found
/// in an index value → holders. The cost grows with the writes, not writes × store.
final class HistoryReplay {
    private let layouts: Layouts
    private let extractor: RecordExtractor
    private let context: PackingContext
    private let single: [Rule]
    private let across: [Rule]
    private let path: String

    private struct Held {
        var record: PackedRecord
        var offset: Int?
    }

    /// Per resource: its live keys, its findings from the rules of one resource, and the
    /// values it holds for each rule across resources.
    private struct ResourceState {
        var type: ResourceType
        var keys: Set<String> = []
        var findings: [Finding] = []
        var shared: [Set<String>]
    }

    /// A value of one rule across resources, within one type (uniqueness holds per type).
    private struct Group: Hashable {
        var rule: Int
        var type: String
        var value: String
    }

    private var records: [String: Held] = [:]
    private var resources: [ResourceRef: ResourceState] = [:]
    /// Live resources per type, and the types some rule refers to (`refers_to`): a resource
    /// of such a type that comes or goes changes the findings of the resources naming it.
    private var liveCount: [String: Int] = [:]
    private let referencedTypes: Set<String>
    private var cameOrWent: [ResourceRef] = []
    private lazy var existence = ResourceExistence(
        holds: { [unowned self] type in (self.liveCount[type] ?? 0) > 0 },
        contains: { [unowned self] type, id in
            self.resources[ResourceRef(type: type, id: id)].map { !$0.keys.isEmpty } ?? false
        })
    private var holders: [Group: Set<ResourceRef>] = [:]
    private var groupFindings: [Group: [Finding]] = [:]

    /// Findings holding now, by fingerprint: how many (a fingerprint may repeat), the
    /// finding as it holds, and since when.
    private var holding: [String: (count: Int, finding: Finding, since: WriteRef)] = [:]
    private(set) var cleared: [ClearedFinding] = []
    /// Events by resource, in revision order.
    private var events: [ResourceRef: [ResourceTimeline.Event]] = [:]
    private(set) var writes = 0

    init(catalog: Catalog, rules: [Rule], path: String) {
        layouts = catalog.layouts
        var plan = ExtractionPlan()
        for rule in rules { plan.merge(rule.check.plan) }
        extractor = RecordExtractor(plan: plan)
        context = PackingContext(layouts: catalog.layouts)
        single = rules.filter { !$0.check.acrossResources }
        across = rules.filter { $0.check.acrossResources }
        referencedTypes = Set(rules.compactMap(\.referencedType))
        self.path = path
    }

    /// The findings holding, with when each was introduced.
    var introduced: [String: WriteRef] { holding.mapValues(\.since) }

    var timelines: [ResourceTimeline] {
        events.keys.sorted().map { ResourceTimeline(type: $0.type, id: $0.id, events: events[$0]!) }
    }

    // MARK: the first revision

    /// Builds the store at `revision` from the snapshot and checks all of it once: its
    /// findings are introduced at `revision`, by no known write. Values are parsed on
    /// `jobs` threads, as check parses them (that is most of the cost).
    func start(_ snapshot: EtcdSnapshot, at revision: Int64, jobs: Int) throws {
        var walk = try snapshot.versions(atOrBefore: revision)
        var met = Set<[UInt8]>()
        // The parser hands records back in the order they went in: their keys wait here.
        var waiting: [(key: String, offset: Int)] = []
        var next = 0
        let parser = ParallelExtraction(jobs: jobs, layouts: layouts, extractor: extractor, context: context) { [self] packed in
            let (key, offset) = waiting[next]
            next += 1
            if let packed { store(key, packed, offset: offset) }
        }
        while let version = try walk.next() {
            let key = version.keyBytes()
            guard met.insert(key).inserted, !version.isDeletion else { continue }
            let record = raw(version, key: key)
            waiting.append((record.key, version.offset))
            parser.add(record)
        }
        parser.finish()
        let start = WriteRef(revision: revision, key: nil)
        for ref in resources.keys { recheckOwn(ref) }
        for group in holders.keys { recheckGroup(group) }
        for state in resources.values { for finding in state.findings { add(finding, since: start) } }
        for findings in groupFindings.values { for finding in findings { add(finding, since: start) } }
        // The first store was checked whole: what came while building it is not a write of
        // the first revision replayed (they would be rechecked there and dated by an empty key).
        cameOrWent = []
    }

    // MARK: the writes

    /// Applies every write after `from` up to `to`, re-checking after each revision.
    func replay(_ snapshot: EtcdSnapshot, after from: Int64, through to: Int64) throws {
        var walk = try snapshot.writes(after: from)
        var pending: [(ref: ResourceRef?, write: RecordWrite)] = []
        var revision: Int64 = from
        while let version = try walk.next() {
            if version.revision.main > to { break }
            if version.revision.main != revision {
                if !pending.isEmpty { settle(revision, pending) }
                pending = []
                revision = version.revision.main
            }
            writes += 1
            let key = version.keyBytes()
            let keyText = String(decoding: key, as: UTF8.self)
            let previous = records[keyText]?.offset
            let ref: ResourceRef?
            if version.isDeletion {
                ref = delete(keyText)
                pending.append((ref, RecordWrite(key: keyText, deleted: true, offset: nil, previousOffset: previous)))
            } else {
                ref = put(raw(version, key: key))
                pending.append((ref, RecordWrite(key: keyText, deleted: false, offset: version.offset, previousOffset: previous)))
            }
        }
        if !pending.isEmpty { settle(revision, pending) }
    }

    private func raw(_ version: EtcdSnapshot.Version, key: [UInt8]) -> RawRecord {
        RawRecord(key: String(decoding: key, as: UTF8.self), value: version.valueBytes(),
                  createRevision: version.kv.createRevision, modRevision: version.kv.modRevision,
                  location: SourceLocation(path: path, offset: version.offset))
    }

    /// Stores a record; the resource it belongs to (nil: a key no layout declares).
    @discardableResult
    private func put(_ raw: RawRecord) -> ResourceRef? {
        // A key no layout declares is not audited (check counts it as skipped).
        guard let parsed = ParallelExtraction.parse(raw, layouts: layouts, extractor: extractor) else { return nil }
        return store(raw.key, PackedRecord(parsed, context: context), offset: raw.location.offset)
    }

    @discardableResult
    private func store(_ key: String, _ record: PackedRecord, offset: Int?) -> ResourceRef {
        let ref = ResourceRef(type: record.match.type.singular, id: record.match.id)
        records[key] = Held(record: record, offset: offset)
        let wasLive = resources[ref].map { !$0.keys.isEmpty } ?? false
        resources[ref, default: ResourceState(type: record.match.type, shared: Array(repeating: [], count: across.count))]
            .keys.insert(key)
        if !wasLive { cameOrGone(ref, by: 1) }
        return ref
    }

    private func delete(_ key: String) -> ResourceRef? {
        guard let held = records.removeValue(forKey: key) else { return nil }
        let ref = ResourceRef(type: held.record.match.type.singular, id: held.record.match.id)
        resources[ref]?.keys.remove(key)
        if resources[ref]?.keys.isEmpty == true { cameOrGone(ref, by: -1) }
        return ref
    }

    private func cameOrGone(_ ref: ResourceRef, by change: Int) {
        liveCount[ref.type, default: 0] += change
        if referencedTypes.contains(ref.type) { cameOrWent.append(ref) }
    }

    /// After one revision's writes: re-checks the resources written, then the groups of
    /// values they left or joined; findings that appeared or stopped become events. A
    /// finding is dated by the first write of the revision to the resource whose re-check
    /// made it (its own, or another holder's for uniqueness), and stopped by the same rule.
    private func settle(_ revision: Int64, _ pending: [(ref: ResourceRef?, write: RecordWrite)]) {
        var order: [ResourceRef] = []
        var writesOf: [ResourceRef: [RecordWrite]] = [:]
        for (ref, write) in pending {
            guard let ref else { continue }
            if writesOf[ref] == nil { order.append(ref) }
            writesOf[ref, default: []].append(write)
        }
        var before: [(Finding, WriteRef)] = [], after: [(Finding, WriteRef)] = []
        var groups: [Group: WriteRef] = [:]
        var groupOrder: [Group] = []
        for ref in order {
            let cause = WriteRef(revision: revision, key: writesOf[ref]![0].key)
            before += (resources[ref]?.findings ?? []).map { ($0, cause) }
            let oldShared = resources[ref]?.shared ?? []
            recheckOwn(ref)
            let newShared = resources[ref]?.shared ?? Array(repeating: [], count: across.count)
            after += (resources[ref]?.findings ?? []).map { ($0, cause) }
            for slot in across.indices {
                let old = slot < oldShared.count ? oldShared[slot] : []
                for value in old.symmetricDifference(newShared[slot]) {
                    let group = Group(rule: slot, type: ref.type, value: value)
                    if groups[group] == nil { groupOrder.append(group) }
                    groups[group] = groups[group] ?? cause
                }
            }
            if resources[ref]?.keys.isEmpty == true { resources[ref] = nil }
        }
        // A resource some rule refers to came or went: the resources that may name it are
        // checked again (rare: networks and subnets come and go far less than ports).
        if !cameOrWent.isEmpty {
            // Each came or went by a write of this revision (start clears what it met).
            let cause = WriteRef(revision: revision, key: cameOrWent.lazy.compactMap { writesOf[$0]?.first?.key }.first)
            let written = Set(order)
            let naming = resources.keys.filter { ref in
                !written.contains(ref) && single.contains { $0.referencedType != nil && $0.applies(to: resources[ref]!.type) }
            }
            for ref in naming.sorted() {
                before += (resources[ref]?.findings ?? []).map { ($0, cause) }
                recheckOwn(ref)
                after += (resources[ref]?.findings ?? []).map { ($0, cause) }
            }
            cameOrWent = []
        }
        for group in groupOrder {
            before += (groupFindings[group] ?? []).map { ($0, groups[group]!) }
            recheckGroup(group)
            after += (groupFindings[group] ?? []).map { ($0, groups[group]!) }
        }
        // Additions first: a finding both before and after never stops.
        var appeared: [Finding] = [], stopped: [Finding] = []
        for (finding, cause) in after where add(finding, since: cause) { appeared.append(finding) }
        for (finding, cause) in before where remove(finding, at: cause) { stopped.append(finding) }
        var touched = Set(order)
        touched.formUnion(appeared.map(\.ref))
        touched.formUnion(stopped.map(\.ref))
        for ref in touched {
            events[ref, default: []].append(ResourceTimeline.Event(
                revision: revision, writes: writesOf[ref] ?? [],
                appeared: appeared.filter { $0.ref == ref }.sorted(by: Finding.reportOrder),
                cleared: stopped.filter { $0.ref == ref }.sorted(by: Finding.reportOrder)))
        }
    }

    /// Counts a finding in; true when it starts to hold.
    @discardableResult
    private func add(_ finding: Finding, since: WriteRef) -> Bool {
        let fingerprint = finding.fingerprint
        if var entry = holding[fingerprint] {
            entry.count += 1
            entry.finding = finding
            holding[fingerprint] = entry
            return false
        }
        holding[fingerprint] = (1, finding, since)
        return true
    }

    /// Counts a finding out; true when it stops holding (it goes to `cleared`).
    private func remove(_ finding: Finding, at write: WriteRef) -> Bool {
        let fingerprint = finding.fingerprint
        guard var entry = holding[fingerprint] else { return false }
        entry.count -= 1
        if entry.count > 0 {
            holding[fingerprint] = entry
            return false
        }
        holding[fingerprint] = nil
        cleared.append(ClearedFinding(finding: entry.finding, introduced: entry.since, cleared: write))
        return true
    }

    // MARK: checks

    /// The resource as the rules read it, from its live records.
    private func resource(_ ref: ResourceRef) -> Resource? {
        guard let state = resources[ref], !state.keys.isEmpty else { return nil }
        var gathered = ResourceRecords()
        for key in state.keys.sorted() {
            guard let held = records[key] else { continue }
            let (kind, entry, problems) = held.record.read(context: context)
            gathered.place(entry, as: kind, problems: problems)
        }
        gathered.sortJobs()
        return Resource(type: state.type, id: ref.id, records: gathered, existence: existence)
    }

    /// The rules of one resource, and the values it holds for the rules across resources.
    /// A resource left without records holds nothing and has no findings.
    private func recheckOwn(_ ref: ResourceRef) {
        guard resources[ref] != nil else { return }
        let resource = resource(ref)
        var findings: [Finding] = []
        for rule in single {
            guard let resource, rule.applies(to: resource.type) else { continue }
            var sink = FindingSink(rule: rule.id, severity: rule.severity)
            rule.check.check(resource, &sink)
            findings += sink.findings
        }
        var shared: [Set<String>] = []
        for (slot, rule) in across.enumerated() {
            var values: Set<String> = []
            if let resource, rule.applies(to: resource.type) { values = rule.check.sharedValues(resource)?.values ?? [] }
            let old = resources[ref]!.shared[slot]
            for value in old.subtracting(values) {
                let group = Group(rule: slot, type: ref.type, value: value)
                holders[group]?.remove(ref)
                if holders[group]?.isEmpty == true { holders[group] = nil }
            }
            for value in values.subtracting(old) { holders[Group(rule: slot, type: ref.type, value: value), default: []].insert(ref) }
            shared.append(values)
        }
        resources[ref]!.findings = findings
        resources[ref]!.shared = shared
    }

    /// One value's findings of a rule across resources: the check sees every holder of the
    /// value, and only the findings about that value are kept (other values those holders
    /// share are their own groups). Across kinds report the shared value as `actual`.
    private func recheckGroup(_ group: Group) {
        guard let refs = holders[group], refs.count > 1 else {
            groupFindings[group] = nil
            return
        }
        let rule = across[group.rule]
        var sink = FindingSink(rule: rule.id, severity: rule.severity)
        rule.check.checkAcross(refs.sorted().compactMap(resource), &sink)
        let findings = sink.findings.filter { $0.actual == group.value }
        groupFindings[group] = findings.isEmpty ? nil : findings
    }
}

extension Finding {
    var ref: ResourceRef { ResourceRef(type: resourceType, id: resourceID) }
}
