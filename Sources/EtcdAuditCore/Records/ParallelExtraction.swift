import Dispatch

/// Parses values on several threads while the reader goes on, and hands the parsed
/// records back in the order they were read, so the join (and every report) is the same
/// whatever `jobs` is. Records travel in batches; at most `2 × jobs` batches are in
/// flight, which bounds the memory held by values waiting to be parsed.
final class ParallelExtraction {
    /// One batch: filled by a worker, read by the joining thread after `done` is signalled.
    private final class Batch: @unchecked Sendable {
        /// The values to parse; emptied once parsed, so only the parses wait to be joined.
        var records: [RawRecord]
        var parsed: [PackedRecord?] = []
        let done = DispatchSemaphore(value: 0)
        init(records: [RawRecord]) { self.records = records }
    }

    private let jobs: Int
    private let layouts: Layouts
    private let extractor: RecordExtractor
    private let context: PackingContext
    private let consume: (PackedRecord?) -> Void
    private var pending: [RawRecord] = []
    private var pendingBytes = 0
    private var inFlight: [Batch] = []
    /// The parsing threads (none with one job: the reading thread parses).
    let pool: WorkerPool?

    static let batchRecords = 512
    static let batchBytes = 4 << 20

    /// `consume` gets each record's parse, packed for the store (nil for keys no layout
    /// declares), in read order. Packing happens on the parsing thread too.
    init(jobs: Int, layouts: Layouts, extractor: RecordExtractor, context: PackingContext,
         consume: @escaping (PackedRecord?) -> Void) {
        self.jobs = max(1, jobs)
        self.context = context
        self.layouts = layouts
        self.extractor = extractor
        self.consume = consume
        pool = jobs > 1 ? WorkerPool(threads: jobs) : nil
    }

    /// Takes `raw` over: decoding its value in place copies nothing.
    static func parse(_ raw: consuming RawRecord, layouts: Layouts, extractor: RecordExtractor) -> ParsedRecord? {
        guard let match = layouts.match(raw.key) else { return nil }
        raw.decodeValue()
        return extractor.extract(raw, as: match)
    }

    func add(_ raw: consuming RawRecord) {
        if jobs == 1 {
            consume(Self.parse(raw, layouts: layouts, extractor: extractor).map { PackedRecord($0, context: context) })
            return
        }
        pendingBytes += raw.value.count
        pending.append(raw)
        if pending.count >= Self.batchRecords || pendingBytes >= Self.batchBytes { submit() }
    }

    /// Waits for every batch and hands over the rest.
    func finish() {
        if !pending.isEmpty { submit() }
        while !inFlight.isEmpty { drainOldest() }
        pool?.close()
    }

    private func submit() {
        let batch = Batch(records: pending)
        pending = []
        pendingBytes = 0
        // Keep the number of batches in flight bounded: join the oldest first. Only this
        // (the joining) thread touches `inFlight`.
        while inFlight.count >= 2 * jobs { drainOldest() }
        inFlight.append(batch)
        let layouts = self.layouts, extractor = self.extractor, context = self.context
        pool!.submit {
            batch.parsed = batch.records.map {
                Self.parse($0, layouts: layouts, extractor: extractor).map { PackedRecord($0, context: context) }
            }
            batch.records = []
            batch.done.signal()
        }
    }

    private func drainOldest() {
        let batch = inFlight.removeFirst()
        batch.done.wait()
        for record in batch.parsed { consume(record) }
    }
}
