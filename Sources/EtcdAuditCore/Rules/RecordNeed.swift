/// What a check kind needs of a resource to have anything to compare: the record kinds it
/// reads (present, and readable: valid JSON of the required shape) and the few conditions
/// beyond them. Each kind declares its list (`Check.needs`); `explain` says a rule that
/// did not fire "could not run" when one is missing, and names it, rather than "passed".
public indirect enum RecordNeed: Sendable, Hashable {
    /// A readable record of this kind (for jobs: at least one readable job).
    case record(RecordKind)
    /// Readable records of at least `count` of these kinds.
    case atLeast(Int, of: [RecordKind])
    /// Any one of these needs.
    case either([RecordNeed])
    /// All of these needs.
    case all([RecordNeed])
    /// A readable job whose key names the config's version: the job the config's current
    /// body was made into (what the drift checks compare with).
    case jobForConfigVersion
    /// A `mod_revision` on each of these records (inputs with revisions only).
    case revisions(of: [RecordKind])
    /// Resources of this type in the store (what `refers_to` looks up).
    case storeHolds(String)

    /// The first of `needs` that `resource` does not meet, in words; nil when all are met.
    public static func firstMissing(_ needs: [RecordNeed], in resource: Resource) -> String? {
        for need in needs {
            if let missing = need.missing(in: resource) { return missing }
        }
        return nil
    }

    /// What is missing for this need, or nil when it is met.
    public func missing(in resource: Resource) -> String? {
        switch self {
        case .record(let kind):
            return resource.readability(of: kind).problem
        case .atLeast(let count, let kinds):
            let readable = kinds.filter { resource.readability(of: $0).problem == nil }
            guard readable.count < count else { return nil }
            let names = kinds.map(\.rawValue).joined(separator: ", ")
            if count == 1 { return "none of \(names) is readable" }
            let have = readable.isEmpty ? "none is" : readable.map(\.rawValue).joined(separator: ", ") + (readable.count == 1 ? " is" : " are")
            return "fewer than \(count) of \(names) are readable (\(have))"
        case .all(let needs):
            return RecordNeed.firstMissing(needs, in: resource)
        case .either(let needs):
            let missing = needs.map { $0.missing(in: resource) }
            guard !missing.contains(where: { $0 == nil }) else { return nil }
            return missing.compactMap { $0 }.joined(separator: ", and ")
        case .jobForConfigVersion:
            guard let version = resource.configVersion else {
                return resource.readability(of: .config).problem ?? "no readable config"
            }
            let jobs = resource.jobs(forVersion: version)
            if jobs.contains(where: \.readable) { return nil }
            if jobs.isEmpty {
                let others = resource.jobs.compactMap(\.meta.keyVersion).map(String.init)
                return "no job for config.version \(version)"
                    + (others.isEmpty ? "" : " (jobs for version \(others.joined(separator: ", ")))")
            }
            return "the job for config.version \(version) is not readable"
        case .storeHolds(let type):
            return resource.existence?.holds(type: type) == true ? nil : "the store holds no \(type)"
        case .revisions(let kinds):
            let without = resource.allRecords.filter { kinds.contains($0.kind) && $0.meta.modRevision == nil }
            guard !without.isEmpty else { return nil }
            let names = Array(Set(without.map(\.kind))).sorted().map(\.rawValue).joined(separator: ", ")
            return "no mod_revision on \(names) (the input carries no revisions)"
        }
    }
}

extension Resource {
    /// Whether this resource has a readable record of `kind`, and if not, why.
    func readability(of kind: RecordKind) -> (present: Bool, problem: String?) {
        let entries: [RecordEntry] = kind == .job ? jobs : records.entry(kind, job: nil).map { [$0] } ?? []
        guard let first = entries.first else { return (false, "no \(kind.rawValue) record") }
        if entries.contains(where: \.readable) { return (true, nil) }
        let why = problems.first { $0.meta.key.sameBytes(first.meta.key) }.map { entry -> String in
            switch entry.problem {
            case .invalidJSON: return "is not valid JSON"
            case .schema: return "does not have the required shape"
            default: return "cannot be read"
            }
        } ?? "cannot be read"
        return (true, "the \(kind.rawValue) record \(why)")
    }
}
