// Facts about a resource's place in the pipeline that several rules share.
extension Resource {
    /// The desired version, when the config record is usable.
    public var configVersion: Int64? { config?.facts?.version }

    /// The keys of the jobs whose key names `version` (valid or not: the key alone says
    /// a job for that version exists).
    public func jobs(forVersion version: Int64) -> [RecordEntry] {
        jobs.filter { $0.meta.keyVersion == version }
    }


}
