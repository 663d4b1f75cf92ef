/// How the join reads a resource in which a key was read more than once (several inputs,
/// concatenated dumps), its records in the order they were read: the value with the
/// highest `mod_revision` is audited, else the last one read, and a key read with
/// different values is a conflict (SPEC §3). The store keeps every read and decides here,
/// each time it reads the resource, so a key read again costs no more than a new one.
struct RereadKeys {
    /// Keys read with more than one distinct value: each value's digest with the record it
    /// was first read in.
    private var conflicts: [ExactText: [(digest: JSONDigest, meta: RecordMeta)]] = [:]
    /// Where each job key stands in the resource's jobs: a resource with thousands of jobs
    /// (marked by one colliding 32-bit key hash) is read in time linear in them.
    private var jobAt: [ExactText: Int] = [:]

    mutating func read(_ record: RecordEntry, as kind: RecordKind, problems: [RecordProblem],
                       into resource: inout ResourceRecords) {
        let key = record.meta.key, digest = record.valueDigest
        guard let held = held(kind, key: key, in: resource) else {
            // A key read first (or one whose 32-bit hash another key has).
            place(record, as: kind, in: &resource)
            resource.problems += problems.map { (record.meta, $0) }
            return
        }
        let known = conflicts[ExactText(key)]
        let seen = known.map { $0.contains { $0.digest == digest } } ?? (digest == held.valueDigest)
        if !seen {
            // Without earlier conflicts every read so far had the held value.
            let values = (known ?? [(held.valueDigest, held.meta)]) + [(digest, record.meta)]
            conflicts[ExactText(key)] = values
            resource.problems.removeAll { entry in
                guard entry.meta.key.sameBytes(key), case .conflictingValues = entry.problem else { return false }
                return true
            }
            resource.problems.append((record.meta, .conflictingValues(values.map(\.meta))))
        }
        // A value read again, even one seen before, may be the newest: A at revision 1,
        // B at 3, A at 5 audits A.
        let newer: Bool
        switch (record.meta.modRevision, held.meta.modRevision) {
        case (let new?, let old?) where new != old: newer = new > old
        default: newer = true  // same or unknown revision: the last read wins
        }
        if newer {
            // The superseded value is no longer audited, but an invalid one was still
            // stored in etcd: its input.invalid-json finding stays.
            resource.problems.removeAll { entry in
                guard entry.meta.key.sameBytes(key) else { return false }
                switch entry.problem {
                case .invalidJSON, .conflictingValues: return false
                default: return true
                }
            }
            place(record, as: kind, in: &resource)
            // input.invalid-json counts each distinct value once.
            resource.problems += problems.compactMap { problem in
                if seen, case .invalidJSON = problem { return nil }
                return (record.meta, problem)
            }
        } else if !seen {
            resource.problems += problems.compactMap { problem in
                if case .invalidJSON = problem { return (record.meta, problem) }
                return nil
            }
        }
    }

    /// The record of `kind` held under `key`, if there is one.
    private func held(_ kind: RecordKind, key: String, in resource: ResourceRecords) -> RecordEntry? {
        if kind == .job { return jobAt[ExactText(key)].map { resource.jobs[$0] } }
        guard let entry = resource.entry(kind, job: nil), entry.meta.key.sameBytes(key) else { return nil }
        return entry
    }

    private mutating func place(_ record: RecordEntry, as kind: RecordKind, in resource: inout ResourceRecords) {
        guard kind == .job else { return resource.place(record, as: kind) }
        let key = ExactText(record.meta.key)
        if let at = jobAt[key] {
            resource.jobs[at] = record
        } else {
            jobAt[key] = resource.jobs.count
            resource.jobs.append(record)
        }
    }
}
