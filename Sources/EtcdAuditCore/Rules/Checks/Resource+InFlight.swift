// The reading of "in flight" that version.mismatch, resource.in-flight, job.stale and
// order.out-of-sequence share (SPEC §3).
extension Resource {
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
