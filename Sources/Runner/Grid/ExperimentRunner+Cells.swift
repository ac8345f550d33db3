import AtomicIO
import Crypto
import Datasets
import Experiments
import Foundation

/// One part of a grid split N ways (`run --shard i/N`): by users — user u belongs to shard
/// FNV-1a-64(user id) mod N, so adding a user moves no one else — or by cells, cell k (in
/// metrics.json order) to shard k mod N.
public struct Shard: Sendable, Equatable {
    public enum By: String, Sendable, CaseIterable { case users, cells }
    public let index: Int
    public let count: Int
    public let by: By

    /// Parses `i/N` (0 ≤ i < N); the message says what was expected.
    public init(_ text: String, by: By = .users) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw CellRecordError("--shard must be i/N with integers 0 <= i < N (got \"\(text)\")")
        }
        guard n >= 1 else { throw CellRecordError("--shard \(text): N must be at least 1 (got \(n))") }
        guard i >= 0 && i < n else { throw CellRecordError("--shard \(text): i must be between 0 and N - 1 = \(n - 1) (got \(i))") }
        self.init(index: i, count: n, by: by)
    }

    public init(index: Int, count: Int, by: By) {
        self.index = index
        self.count = count
        self.by = by
    }

    /// `2/7`.
    public var id: String { "\(index)/\(count)" }

    /// The shard of a user id: FNV-1a 64 of its UTF-8 bytes, mod N.
    public static func of(userID: String, count: Int) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in userID.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return Int(h % UInt64(count))
    }

    public func contains(userID: String) -> Bool { Shard.of(userID: userID, count: count) == index }
}

extension ExperimentSpec {
    /// Results sorted as metrics.json lists them: protocols in spec order, then the grid order.
    public func inMetricsOrder(_ results: [VariantResult]) -> [VariantResult] {
        let order = cellOrder
        var rank: [String: Int] = [:]
        for (i, c) in order.enumerated() { rank["\(c.protocolID)\u{1}\(c.variantID)"] = i }
        return results.sorted { rank["\($0.protocolSpec.id)\u{1}\($0.variant.id)"]! < rank["\($1.protocolSpec.id)\u{1}\($1.variant.id)"]! }
    }

    /// Every cell (protocol × variant) in metrics.json order.
    public var cellOrder: [(protocolID: String, variantID: String)] {
        protocols.flatMap { p in variants.map { (p.id, $0.id) } }
    }
}

extension ExperimentRunner {
    /// Whether this run evaluates the cell (always, unless sharded by cells).
    func isMine(protocol p: ProtocolSpec, variant: Variant) -> Bool {
        guard let shard, shard.by == .cells else { return true }
        let k = spec.cellOrder.firstIndex { $0.protocolID == p.id && $0.variantID == variant.id }!
        return k % shard.count == shard.index
    }

    /// sha256 of what the dataset holds apart from its embeddings (events, ids, item fields,
    /// cases): the runner stores computed embeddings in the dataset file, which changes the
    /// file's hash but not what a cell was computed from.
    func datasetFingerprint(_ d: Dataset) -> String {
        var h = SHA256()
        func add<T>(_ a: [T]) { a.withUnsafeBytes { h.update(bufferPointer: $0) }; withUnsafeBytes(of: a.count) { h.update(bufferPointer: $0) } }
        func add(_ s: [String]) { for x in s { h.update(data: Data(x.utf8)); h.update(data: Data([0])) }; add([s.count]) }
        add(d.eventUser); add(d.eventItem); add(d.eventTime)
        if let t = d.eventType { add(t) }
        add(d.typeNames); add(d.itemIDs); add(d.userIDs)
        if let v = d.eventValue { add(v) }
        for f in d.itemFields { add([f.name]); add(f.values) }
        for (name, c) in d.cases.sorted(by: { $0.key < $1.key }) {
            add([name]); add(c.user); add(c.historyOffsets); add(c.historyItem); add(c.historyTime); add(c.target)
        }
        return h.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// The content hash of a cell: the code, the dataset's content, the encoder's weights and
    /// template, and every spec setting the cell's numbers depend on.
    func cellKey(protocol p: ProtocolSpec, variant: Variant, dataset: String, encoderWeights: String) -> String {
        let parts = [
            "code=\(codeVersion)", "dataset=\(dataset)", "protocol=\(p.id)", "variant=\(variant.id)",
            "template=\(variant.encoder.template ?? "")", "weights=\(encoderWeights)",
            "event_weights=\(spec.eventWeights.map { "\($0.0):\($0.1)" }.joined(separator: ","))",
            "metrics=\(spec.metrics.map(\.name).joined(separator: ","))", "exclude_seen=\(spec.excludeSeen)", "seed=\(spec.seed)",
            "sample_users=\(spec.sampleUsers.map(String.init) ?? "")", "bootstrap=\(bootstrapResamples)",
            "shard=\(shard.map { "\($0.by.rawValue):\($0.id)" } ?? "")",
        ]
        return SHA256.hash(data: Data(parts.joined(separator: "\n").utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func cellPath(_ key: String) -> String? {
        cellsDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("\(key).rec").path }
    }

    /// The finished cell `key` from an earlier run, summarised, or nil.
    func reusedCell(_ key: String, protocol p: ProtocolSpec, variant: Variant) throws -> VariantResult? {
        guard let path = cellPath(key), let data = FileManager.default.contents(atPath: path) else { return nil }
        var r = try VariantResult(record: BinaryRecord(decoding: data, file: path), protocolSpec: p, variant: variant, file: path)
        r.summarize(metrics: spec.metrics, seed: spec.seed, bootstrapResamples: bootstrapResamples)
        reusedCells += 1
        return r
    }

    /// Writes a finished cell (atomically: an interrupted write leaves no cell).
    func keepCell(_ r: VariantResult, key: String) throws {
        guard let path = cellPath(key) else { return }
        try AtomicIO.write(r.record().encoded(), to: path)
    }

    /// The warning for an outside run with lists it has no line for.
    func missingListsWarning(run: RunSpec, protocol p: ProtocolSpec, missing: Int, lists: Int) -> String {
        "\(run.file): no line for \(missing) of the \(lists) lists of \(p.id) (scored as empty rankings)"
    }

    /// The outside runs' missing-list warnings of `results`, in their order (computed from the
    /// results, so merged shards state the totals).
    public func missingListsWarnings(_ results: [VariantResult]) -> [String] {
        results.compactMap { v in
            guard let missing = v.missingLists, missing > 0, let run = v.variant.run else { return nil }
            return missingListsWarning(run: run, protocol: v.protocolSpec, missing: missing, lists: v.timings.lists)
        }
    }
}

extension RunResult {
    /// A run put together from its parts (`merge` builds one from shards).
    public init(spec: ExperimentSpec, variants: [VariantResult], userIDs: [String], warnings: [String], startTime: Date, endTime: Date,
                weightsSHA256: [(String, String)], datasetSummary: (users: Int, items: Int, events: Int),
                covariates: [(protocolSpec: ProtocolSpec, users: [UserCovariate])], caseUsers: [String: [Int32]],
                prePeriod: [(protocolSpec: ProtocolSpec, encoder: String, reduction: String, perUser: [(user: Int32, values: [Double])])],
                blasThreads: Int, gitCommit: String?) {
        self.init(spec: spec, variants: variants, userIDs: userIDs, warnings: warnings, startTime: startTime, endTime: endTime,
                  weightsSHA256: weightsSHA256, datasetSummary: datasetSummary, covariates: covariates, caseUsers: caseUsers,
                  prePeriod: prePeriod, blasThreads: blasThreads, shard: nil, gitCommit: gitCommit, datasetFingerprint: "")
    }
}
