import CJSONArena
import Foundation

/// What one input gave.
public struct InputSummary: Sendable, Codable {
    public var path: String
    public var format: String
    public var bytes: Int
    public var records: Int
    public var revision: Int64?
    public var clusterID: String?
    /// Parts of the input that could not be read as records (the rest was).
    public var problems: [InputProblem]
    /// Set when reading stopped early (cut-off or corrupt input).
    public var error: String?
    /// Bytes after the point where reading stopped, when known.
    public var bytesNotRead: Int?

    enum CodingKeys: String, CodingKey {
        case path, format, bytes, records, revision, problems, error
        case clusterID = "cluster_id"
        case bytesNotRead = "bytes_not_read"
    }
}

/// Everything an audit found: what the reporters write.
public struct AuditResult: Sendable {
    public var inputs: [InputSummary]
    public var rules: [Rule]
    /// Every resource in the store, in report order.
    public var resources: ResourceList
    public var resourceTypes: [String: ResourceType]
    public var findings: [Finding]
    public var recordsRead: Int
    public var skippedKeys: Int
    public var elapsedSeconds: Double?
    /// Set when findings were compared with a baseline report (each finding is marked).
    public var baseline: BaselineSummary?
    /// The configuration file the run used, as it was named (reports say so).
    public var config: String?
    /// Set when the configuration has waivers: what they did.
    public var waivers: WaiverSummary?
    /// With `--per-file`: each file's store, in report order (nil: the inputs were one store).
    public var files: [FileAudit]?
    /// Files not audited: walked files without records, symbolic links met while walking,
    /// files named but left out by `--include`/`--exclude`. Sorted by path.
    public var skippedFiles: [SkippedFile] = []

    /// True when some input could not be read to its end (exit code 2).
    public var hasInputErrors: Bool { inputs.contains { $0.error != nil } }

    /// SPEC §5: 2 when an input could not be read to its end, 1 when a finding is at or
    /// above `failOn` (nil: never), no waiver covers it and no baseline has it, else 0.
    public func exitCode(failOn: Severity?) -> Int32 {
        if hasInputErrors { return 2 }
        if findings.contains(where: { $0.fails(at: failOn) }) { return 1 }
        return 0
    }
}

/// The pipeline: inputs → records → join → rules → findings.
public struct Auditor: Sendable {
    public let catalog: Catalog
    public let rules: [Rule]
    private let extractor: RecordExtractor

    public init(catalog: Catalog, rules: [Rule]? = nil) {
        self.catalog = catalog
        self.rules = rules ?? catalog.rules
        var plan = ExtractionPlan()
        for rule in self.rules { plan.merge(rule.check.plan) }
        extractor = RecordExtractor(plan: plan)
    }

    /// The catalog's resource types by their singular name (findings name them so).
    public var resourceTypes: [String: ResourceType] {
        var types: [String: ResourceType] = [:]
        for type in catalog.layouts.types { types[type.singular] = type }
        return types
    }

    /// Audits files (or `-` for stdin) as one store. An unreadable or cut-off input is
    /// recorded in its summary; the records read before the fault are still audited.
    /// Values are parsed on `jobs` threads; the result does not depend on it. `progress`
    /// is called now and then with the records and bytes read so far.
    public func audit(paths: [String], format: InputFormat? = nil, revision: Int64? = nil, jobs: Int = 1,
                      progress: ((_ records: Int, _ bytes: Int) -> Void)? = nil) -> AuditResult {
        audit(paths.map(AuditInput.file), format: format, revision: revision, jobs: jobs, progress: progress)
    }

    /// Audits files and live etcds as one store, as `audit(paths:)` does files. With
    /// `revision`, every file must be a snapshot, read as the store was at that revision
    /// (another file is an input error; a live etcd's revision is in its options).
    /// `capture` (explain) keeps the raw records and joined resources of the ids it names;
    /// `digests` (diff) every record's key and value digest. With `stream`, findings are not kept in the result: each batch goes to `stream` once
    /// located, in report order resource by resource, as soon as its resources are checked,
    /// and the findings across resources come last, in one batch.
    public func audit(_ inputs: [AuditInput], format: InputFormat? = nil, revision: Int64? = nil, jobs: Int = 1,
                      capture: ResourceCapture? = nil, digests: StoreDigest? = nil,
                      progress: ((_ records: Int, _ bytes: Int) -> Void)? = nil,
                      stream: (([Finding]) -> Void)? = nil) -> AuditResult {
        var store = RecordStore(layouts: catalog.layouts)
        var summaries: [InputSummary] = []
        let layouts = catalog.layouts
        let parser = ParallelExtraction(jobs: jobs, layouts: layouts, extractor: extractor, context: store.context) { parsed in
            if let parsed { store.add(parsed) } else { store.countSkippedKey() }
        }
        var bytesBefore = 0, recordsBefore = 0
        var skipped: [SkippedFile] = []
        for input in inputs {
            var summary = InputSummary(path: input.label, format: input.formatName(given: format), bytes: 0, records: 0,
                                       problems: [])
            var reader: RecordReader?
            var detected: Detection?
            do {
                let opened = try input.open(format: format, revision: revision) { layouts.match($0) != nil }
                reader = opened.reader
                detected = opened.detected
                summary.path = opened.path
                summary.format = opened.format
                while let raw = try opened.reader.next() {
                    summary.records += 1
                    if !raw.keyIsUTF8 {
                        summary.problems.append(InputProblem(location: raw.location,
                                                             message: "key is not valid UTF-8 (shown with U+FFFD): \(raw.key)"))
                    }
                    capture?.offer(raw)
                    parser.add(raw)
                    if let progress, summary.records % 4096 == 0 {
                        progress(recordsBefore + summary.records, bytesBefore + opened.reader.bytesRead)
                    }
                }
            } catch let error as InputError {
                summary.error = error.description
            } catch {
                summary.error = "\(summary.path): \(error)"
            }
            if let reader {
                summary.bytes = reader.bytesRead
                summary.revision = reader.info.revision
                summary.clusterID = reader.info.clusterID
                summary.problems = (summary.problems + reader.info.problems).sorted { $0.location < $1.location }
                if summary.error != nil, case .file(let path) = input {
                    summary.bytesNotRead = Self.bytesLeft(path: path, read: reader.bytesRead)
                }
            }
            bytesBefore += summary.bytes
            recordsBefore += summary.records
            if let reader, let skip = Self.skipOrFailWithoutRecords(input, &summary, info: reader.info,
                                                                   detected: detected, forced: format != nil) {
                skipped.append(skip)
            } else {
                summaries.append(summary)
            }
        }
        parser.finish()
        // The parser's closure shares `store`: take the records out of it, so that `finish`
        // holds the only reference and can let them go.
        var joined = RecordStore(layouts: layouts)
        swap(&joined, &store)
        // Findings only: the members at fault, found in the inputs read again.
        var locator = FindingLocator(inputs: summaries) { layouts.match($0) != nil }
        locator.jobs = jobs
        var result = finish(consume joined, inputs: summaries, jobs: jobs, capture: capture, digests: digests, locator: locator,
                            stream: stream)
        result.skippedFiles = skipped
        return result
    }

    /// No silent pass (SPEC §2). A walked file without records (and no export of an empty
    /// store) is skipped: returned, to be listed. A named file without records, or any
    /// file whose non-empty lines are mostly stray, gets an input error. A walked file
    /// that stopped with an error is skipped too if no record came out of it, unless its
    /// first bytes were an etcd export's (a cut-off dump is an error, a stray JSON file not).
    private static func skipOrFailWithoutRecords(_ input: AuditInput, _ summary: inout InputSummary, info: InputInfo,
                                   detected: Detection?, forced: Bool) -> SkippedFile? {
        guard input.filePath != nil, let detected, let format = InputFormat(rawValue: summary.format) else { return nil }
        let shortfall = RecordShortfall.check(records: summary.records, info: info, bytes: summary.bytes,
                                              format: format, detected: detected, forced: forced)
        if case .walked = input, let shortfall, summary.records == 0 {
            let exportSignature: Set<InputFormat> = [.etcdctlJSON, .etcdV2, .snapshot]
            if summary.error == nil || forced || !exportSignature.contains(detected.format ?? .markdown) {
                return SkippedFile(path: summary.path, reason: shortfall.reason)
            }
        }
        if summary.error == nil, let shortfall { summary.error = shortfall.message(path: summary.path) }
        return nil
    }

    /// Bytes of a plain file after the point reading stopped (unknown for gzip and pipes).
    private static func bytesLeft(path: String, read: Int) -> Int? {
        guard path != "-", !path.hasSuffix(".gz"),
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return nil }
        return max(0, size - read)
    }

    /// Audits records already in memory (the rule examples, tests).
    public func audit(records: [RawRecord], label: String = "(records)", capture: ResourceCapture? = nil) -> AuditResult {
        var store = RecordStore(layouts: catalog.layouts)
        for raw in records {
            capture?.offer(raw)
            if let parsed = ParallelExtraction.parse(raw, layouts: catalog.layouts, extractor: extractor) {
                store.add(parsed)
            } else {
                store.countSkippedKey()
            }
        }
        let summary = InputSummary(path: label, format: "records", bytes: records.reduce(0) { $0 + $1.value.count },
                                   records: records.count, problems: [])
        return finish(consume store, inputs: [summary], capture: capture, locator: FindingLocator(records: records),
                      stream: nil)
    }

    private func finish(_ store: consuming RecordStore, inputs: [InputSummary], jobs: Int = 1,
                        capture: ResourceCapture? = nil, digests: StoreDigest? = nil, locator: FindingLocator,
                        stream: (([Finding]) -> Void)?) -> AuditResult {
        // A compressed input is inflated again from its start each time the locator goes
        // back in it: then chunks are located a few thousand findings at a time.
        let batch = locator.rereadsFromStart ? 4096 : 1
        var held: [Finding] = []
        let outcome: RuleEngine.Outcome
        let list: ResourceList, recordsRead: Int, skippedKeys: Int
        do {
            let resources = store.takeSorted()
            capture?.take(from: resources)
            digests?.take(from: resources)
            outcome = RuleEngine.run(rules, on: resources.count, jobs: jobs,
                                     resource: { resources.resource(at: $0) },
                                     emit: stream.map { stream in { chunk in
                                         held += chunk
                                         if held.count >= batch {
                                             stream(locator.locate(held))
                                             held = []
                                         }
                                     } })
            (list, recordsRead, skippedKeys) = (resources.list, resources.recordsRead, resources.skippedKeys)
        }
        // The records are let go here, before the findings are located: the locator reads
        // the inputs again, and its work would otherwise come on top of the whole store.
        // glibc keeps the freed store mapped (its chunks sit in the heap once a large free has
        // raised the mmap threshold), and a large block the locator or a reporter then asks
        // for is mapped anew, on top of it: give the freed pages back first.
        memory_release_freed()
        var findings = outcome.findings()
        if let stream {
            if !held.isEmpty { stream(locator.locate(held)) }
            stream(locator.locate(findings))
            findings = []
        } else {
            findings = locator.locate(findings)
        }
        return AuditResult(inputs: inputs, rules: rules, resources: list, resourceTypes: resourceTypes,
                           findings: findings, recordsRead: recordsRead, skippedKeys: skippedKeys)
    }
}
