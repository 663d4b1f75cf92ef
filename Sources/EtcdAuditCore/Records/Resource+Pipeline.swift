// Facts about a resource's place in the pipeline that several rules share.
extension Resource {
    /// The desired version, when the config record is usable.
    public var configVersion: Int64? { config?.facts?.version }

    /// The keys of the jobs whose key names `version` (valid or not: the key alone says
    /// a job for that version exists).
    public func jobs(forVersion version: Int64) -> [Entry<JobFacts>] {
        jobs.filter { $0.meta.keyVersion == version }
    }

    /// In flight: a job for the config's version exists and the state is older or absent
    /// (SPEC §3). The operation is still under way at the time of the dump. A state that
    /// is present but unreadable tells nothing either way: not in flight.
    public var isInFlight: Bool {
        guard let version = configVersion, !jobs(forVersion: version).isEmpty else { return false }
        guard let state else { return true }
        guard let stateVersion = state.facts?.version else { return false }
        return stateVersion < version
    }

}
