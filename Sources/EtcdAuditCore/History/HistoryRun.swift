#if canImport(Glibc)
import Glibc
#endif

/// `history SNAPSHOT`: what to replay.
public struct HistoryRequest: Sendable {
    public var path: String
    /// The first revision replayed (nil: the compaction, the oldest the file holds).
    public var since: Int64?
    /// The last (nil: the newest).
    public var revision: Int64?
    public var jobs: Int

    public init(path: String, since: Int64? = nil, revision: Int64? = nil, jobs: Int = 1) {
        self.path = path
        self.since = since
        self.revision = revision
        self.jobs = jobs
    }
}

extension Auditor {
    /// Replays the snapshot's writes from `since` to `revision` and dates every finding.
    /// The final revision's result is `check SNAPSHOT --revision N`'s, audited again from
    /// the file, so the report is that document to the byte (and the replay is checked
    /// against it: every finding of it must be holding at the end of the replay).
    /// Throws an `InputError` for a file that is not a snapshot, or revisions outside it.
    public func history(_ request: HistoryRequest) throws -> History {
        let source = try ByteSource(path: request.path)
        // A dump holds one revision: say so, rather than call it a corrupt snapshot. (Markdown
        // and binary data go to the snapshot reader, which says what is amiss.)
        _ = try? source.fill(atLeast: InputFormat.headSize)
        if case .format(let format) = source.detection, format != .snapshot, format != .markdown {
            throw InputError(path: request.path, offset: nil, message: "history replays an etcd snapshot (`etcdctl snapshot "
                             + "save`), and this looks like \(format.rawValue), which holds one revision of the store: "
                             + "audit it with check, or give the snapshot")
        }
        let descriptor = try source.randomAccessDescriptor()
        var st = stat()
        let size = fstat(descriptor, &st) == 0 ? Int(st.st_size) : 0
        let snapshot = try EtcdSnapshot(path: request.path, descriptor: descriptor, fileSize: size)
        let held = try snapshot.heldRevisions()
        let last = request.revision ?? held.upperBound
        if let refusal = try snapshot.refusal(of: last) { throw refusal }
        let first = request.since ?? held.lowerBound
        if request.since != nil, first < held.lowerBound || first > held.upperBound {
            throw InputError(path: request.path, offset: nil, message: "--since \(first) is outside the history: this "
                             + "snapshot holds revisions \(held.lowerBound) to \(held.upperBound); give --since in that range")
        }
        if first > last {
            throw InputError(path: request.path, offset: nil, message: "--since \(first) is after the last revision "
                             + "replayed (\(last)): nothing to replay")
        }
        let replay = HistoryReplay(catalog: catalog, rules: rules, path: request.path)
        try replay.start(snapshot, at: first, jobs: request.jobs)
        try replay.replay(snapshot, after: first, through: last)

        let result = audit([.file(request.path)], revision: last, jobs: request.jobs)
        if let error = result.inputs.first?.error {
            throw InputError(path: request.path, offset: nil, message: error)
        }
        let locator = FindingLocator(inputs: result.inputs) { layouts.match($0) != nil }
        let cleared = replay.cleared.map { entry in
            var located = entry
            located.finding = locator.locate([entry.finding])[0]
            return located
        }.sorted { a, b in
            a.cleared.revision != b.cleared.revision ? a.cleared.revision < b.cleared.revision
                : Finding.reportOrder(a.finding, b.finding)
        }
        return History(result: result, revisions: first...last, held: held, writes: replay.writes,
                       introduced: replay.introduced, cleared: cleared, timelines: replay.timelines)
    }

    var layouts: Layouts { catalog.layouts }
}

extension History {
    /// The findings of `result` the replay did not end with (none, unless the replay and
    /// the check disagree: a bug the tests look for).
    public var undated: [Finding] { result.findings.filter { introduced[$0.fingerprint] == nil } }

    /// Only the resources named: findings, cleared findings and timelines (the summary's
    /// counts of resources and records stay the store's).
    public func limited(to refs: Set<ResourceRef>) -> History {
        var out = self
        out.result.findings = result.findings.filter { refs.contains($0.ref) }
        out.cleared = cleared.filter { refs.contains($0.finding.ref) }
        out.timelines = timelines.filter { refs.contains($0.ref) }
        return out
    }

    /// Every resource the history knows: in the final store, or written during the replay.
    public var knownResources: [ResourceRef] {
        Array(Set(result.resources).union(timelines.map(\.ref))).sorted()
    }
}

extension History {
    /// The resources `queries` name, among those the history knows (a resource deleted
    /// during the replay included): each must name exactly one.
    public func resolve(_ queries: [ResourceQuery]) throws(ExplainError) -> Set<ResourceRef> {
        let known = knownResources
        var out = Set<ResourceRef>()
        for query in queries {
            let candidates = known.filter { $0.id == query.id && (query.type == nil || $0.type == query.type!.singular) }
            if candidates.count > 1 {
                throw ExplainError("\(query.text) is the id of a resource of several types (\(candidates.map(\.type).joined(separator: ", "))): "
                                   + "name one as TYPE/ID or with --type")
            }
            guard let ref = candidates.first else {
                var message = "no \(query.type.map { "\($0.singular) " } ?? "resource ")\(query.id) in revisions "
                    + "\(revisions.lowerBound) to \(revisions.upperBound) of the snapshot"
                let close = query.suggestions(in: known)
                if !close.isEmpty { message += "; did you mean " + close.map { "\($0.type):\($0.id)" }.joined(separator: ", ") + "?" }
                throw ExplainError(message)
            }
            out.insert(ref)
        }
        return out
    }
}
