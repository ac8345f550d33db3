import Datasets
import Experiments
import Foundation
import LinearAlgebra
import Results
import Retrieval
import Statistics

/// Mean of a metric over users with its bootstrap interval.
public struct MetricSummary: Sendable, Equatable {
    public var mean: Double
    /// 2.5 and 97.5 percentiles of 1,000 bootstrap means over users; nil for coverage.
    public var ci95: (lo: Double, hi: Double)?
    public var n: Int

    public static func == (a: MetricSummary, b: MetricSummary) -> Bool {
        a.mean == b.mean && a.n == b.n && a.ci95?.lo == b.ci95?.lo && a.ci95?.hi == b.ci95?.hi
    }
}

/// The outcome of one variant under one protocol.
public struct VariantResult: Sendable {
    public let protocolSpec: ProtocolSpec
    public let variant: Variant
    public var summaries: [(metric: MetricSpec, summary: MetricSummary)]
    public var skippedUsers: Int
    /// Prequential only.
    public var skippedSteps: Int?
    /// Per-user values of the per-user metrics (spec order, coverage left out), users ascending.
    public var perUser: [(user: Int32, values: [Double])]
    public var timings: VariantTimings
    /// Prequential only: per step index j (a user's j-th scored step, 0-based), the mean over
    /// the users that have one of each per-user metric (spec order), and how many lists that is.
    public var perStep: [(values: [Double], lists: Int)]? = nil
    /// Outside runs only: lists whose query id has no line in the run (scored as empty).
    public var missingLists: Int? = nil
    /// Learned strategies only: how training went, and the trained weights.
    public var training: TrainingOutcome? = nil
    /// Stepwise protocols only: each unit's per-list values (units ascending, steps in order) —
    /// what `perStep` is computed from.
    public var stepValues: [[[Double]]]? = nil
    /// Per coverage metric (spec order): the items in some top-k list, ascending.
    public var covered: [[Int32]] = []
    /// Items in the catalogue the lists were ranked over (coverage's denominator).
    public var itemCount = 0
}

/// Everything a run produced.
public struct RunResult: Sendable {
    public let spec: ExperimentSpec
    public var variants: [VariantResult]
    public var userIDs: [String]
    public var warnings: [String]
    public var startTime: Date
    public var endTime: Date
    /// sha256 of the embedding tables' producing weights, by encoder id ("" for none).
    public var weightsSHA256: [(String, String)]
    public var datasetSummary: (users: Int, items: Int, events: Int)
    /// Per protocol (spec order): history length and drift of every scored user, measured with
    /// the first encoder's vectors (segments.csv).
    public var covariates: [(protocolSpec: ProtocolSpec, users: [UserCovariate])] = []
    /// Under a `cases` protocol (by protocol id): the dense user of each case row. The per-user
    /// values, covariates and pre-period rows of that protocol are indexed by case row.
    public var caseUsers: [String: [Int32]] = [:]
    /// When the spec has a `compare` block: per protocol, encoder and reduction, each user's
    /// pre-period metrics (``PrePeriod``; pre_period.csv).
    public var prePeriod: [(protocolSpec: ProtocolSpec, encoder: String, reduction: String, perUser: [(user: Int32, values: [Double])])] = []
    /// OpenBLAS threads during the run (trained weights are bit-identical only for the same
    /// thread count and CPU kernel; docs/learning.md).
    public var blasThreads = BLAS.threads
    /// Set when this run is one shard of a grid (`run --shard`): its folder is a partial one.
    public var shard: Shard? = nil
    /// The code's commit as recorded by the runs a merge combines (nil: the running tool's).
    public var gitCommit: String? = nil
    /// sha256 of the dataset's content apart from its embeddings (``ExperimentRunner/datasetFingerprint(_:)``).
    public var datasetFingerprint = ""
}

/// Runs every variant of a spec (see docs/spec.md).
public final class ExperimentRunner {
    public let spec: ExperimentSpec
    /// The item vectors of each encoder (the encoding stage, or the dataset's stored tables).
    public var embeddings: EmbeddingSource
    /// Progress and warnings go here (stderr in the CLI).
    public var log: (String) -> Void
    /// Bootstrap resamples for `ci95`.
    public var bootstrapResamples = 1000
    /// Evaluate only this shard's users (by a hash of the user id) or cells (docs/cluster.md).
    public var shard: Shard?
    /// Where finished cells are kept (`results/<name>/.cells`) and reused from; nil: neither.
    public var cellsDirectory: String?
    /// Names the code in each cell's key (the tool version and commit): a cell made by other code
    /// is never reused.
    public var codeVersion = "unknown"
    /// Cells reused from `cellsDirectory` by the last run.
    public internal(set) var reusedCells = 0
    /// The keys of every cell of the last run (its `.cells/<key>.rec` files).
    public internal(set) var cellKeys: Set<String> = []

    public init(spec: ExperimentSpec, embeddings: EmbeddingSource = .stored, log: @escaping (String) -> Void = { _ in }) {
        self.spec = spec
        self.embeddings = embeddings
        self.log = log
    }

    /// Checks the spec against its dataset without running: the dataset opens and validates,
    /// every encoder is stored (with the element type and shape `run` reads) or can be computed,
    /// `pca` components fit the dimension, and every event type in `event_weights` exists.
    public func validate() throws -> Dataset {
        let dataset = try DatasetIO.read(spec.datasetPath)
        try checkEventWeights(dataset)
        for (i, run) in spec.runs.enumerated() where !FileManager.default.fileExists(atPath: run.path) {
            throw SpecError(file: spec.sourcePath, path: "runs[\(i)].file", message: "names \(run.file), which does not exist")
        }
        for (i, p) in spec.protocols.enumerated() {
            guard case .cases(let split) = p, dataset.cases[split] == nil else { continue }
            let have = dataset.cases.isEmpty ? "it has no /cases group (import sequences writes one)" : "its splits: \(dataset.cases.keys.sorted().joined(separator: ", "))"
            throw SpecError(file: spec.sourcePath, path: spec.protocols.count > 1 ? "protocol[\(i)].split" : "protocol.split",
                            message: "names /cases/\(split), which \(spec.datasetPath) does not have (\(have))")
        }
        for (i, e) in spec.encoders.enumerated() {
            let d: Int
            do { d = try embeddings.dimension(e, dataset, spec.datasetPath) } catch let err as EncoderUnavailable {
                throw SpecError(file: spec.sourcePath, path: "encoders[\(i)]", message: err.message)
            }
            for (j, r) in spec.reductions.enumerated() {
                if let k = r.components, k > d {
                    throw SpecError(file: spec.sourcePath, path: "reductions[\(j)].components",
                                    message: "must be between 1 and the embedding dimension \(d) of \(e.id) (got \(k))")
                }
            }
            for (j, st) in spec.strategies.enumerated() {
                guard case .attention(let a) = st, let r = a.dim else { continue }
                for red in spec.reductions where r > (red.components ?? d) {
                    throw SpecError(file: spec.sourcePath, path: "strategies[\(j)].dim",
                                    message: "must be between 1 and the profile dimension \(red.components ?? d) of \(e.id) with reduction \(red.id) (got \(r))")
                }
            }
            if let t = e.template {
                do { _ = try TextTemplate(t).render(dataset, file: spec.datasetPath) } catch let err as TemplateError {
                    throw SpecError(file: spec.sourcePath, path: "encoders[\(i)].template", message: err.description)
                }
            }
        }
        return dataset
    }

    func checkEventWeights(_ dataset: Dataset) throws {
        for (name, _) in spec.eventWeights where !dataset.typeNames.contains(name) {
            let known = dataset.typeNames.isEmpty ? "the dataset has no /events/type" : "the dataset's event types: \(dataset.typeNames.joined(separator: ", "))"
            throw SpecError(file: spec.sourcePath, path: "event_weights.\(name)", message: "names an event type that \(spec.datasetPath) does not have (\(known))\(didYouMean(name, dataset.typeNames))")
        }
    }

    /// Runs the whole grid.
    public func run() throws -> RunResult {
        let startTime = Date()
        let dataset = try validate()
        var warnings: [String] = []
        log("dataset \(spec.datasetPath): \(dataset.userCount) users, \(dataset.itemCount) items, \(dataset.eventCount) events")
        let eventLog = EventLog(dataset: dataset, eventWeights: spec.eventWeights)
        let sample = spec.sampleUsers.map { sampleUsers(count: $0, log: eventLog) }
        if let sample { log("evaluating a seeded sample of \(sample.count) users") }
        let fingerprint = datasetFingerprint(dataset)
        // The users this run ranks: the sample (or everyone), and with `--shard i/N` by users,
        // those whose id hashes to shard i. The learned strategies still train on every ranked
        // user's visible events, so each shard trains the same model as an unsharded run.
        var rankedUsers = sample
        if let shard, shard.by == .users {
            let mine = Set((0..<dataset.userCount).filter { shard.contains(userID: dataset.userIDs[$0]) })
            rankedUsers = sample.map { $0.intersection(mine) } ?? mine
            log("shard \(shard.id) by users: \(mine.count) of \(dataset.userCount) users")
        }
        var querySets: [QuerySet] = []
        // The log each protocol ranks: the users' events, or one row per evaluation case.
        var logs: [EventLog] = []
        var caseUsers: [String: [Int32]] = [:]
        for p in spec.protocols {
            if case .cases(let split) = p {
                let cases = dataset.cases[split]!   // validate() checked the split exists
                let caseLog = EventLog(cases: cases)
                let rows = rankedUsers.map { users in Set((0..<cases.count).filter { users.contains(Int(cases.user[$0])) }) }
                let qs = QuerySet(log: caseLog, protocol: p.implementation(for: caseLog), excludeSeen: spec.excludeSeen, users: rows)
                log("protocol \(p.id): \(cases.count) cases of /cases/\(split), \(qs.queries.count) ranked (\(qs.skippedUsers) skipped)")
                querySets.append(qs)
                logs.append(caseLog)
                caseUsers[p.id] = cases.user.map { Int32($0) }
                continue
            }
            let implementation = p.implementation(for: eventLog)
            if let t = implementation as? TemporalProtocol {
                log("protocol \(p.id): test period from \(t.testFrom)" + (t.validFrom.map { ", validation period from \($0)" } ?? "") + " (unix seconds)")
            }
            querySets.append(QuerySet(log: eventLog, protocol: implementation, excludeSeen: spec.excludeSeen, users: rankedUsers))
            logs.append(eventLog)
        }
        for (p, qs) in zip(spec.protocols, querySets) {
            log("protocol \(p.id): \(qs.queries.count) ranked lists for \(qs.scoredUsers) users (\(qs.skippedUsers) users skipped)")
        }
        let visible: [VisibleEvents?]
        if let shard, shard.by == .users, spec.strategies.contains(where: \.trainsModel) {
            // Train on every ranked user's visible events, as the unsharded run does.
            let all = spec.protocols.indices.map { i -> QuerySet in
                let p = spec.protocols[i]
                if case .cases(let split) = p {
                    let cases = dataset.cases[split]!
                    let rows = sample.map { users in Set((0..<cases.count).filter { users.contains(Int(cases.user[$0])) }) }
                    return QuerySet(log: logs[i], protocol: p.implementation(for: logs[i]), excludeSeen: spec.excludeSeen, users: rows)
                }
                return QuerySet(log: logs[i], protocol: p.implementation(for: logs[i]), excludeSeen: spec.excludeSeen, users: sample)
            }
            visible = try visibleEvents(querySets: all, logs: logs, caseUsers: caseUsers)
        } else {
            visible = try visibleEvents(querySets: querySets, logs: logs, caseUsers: caseUsers)
        }
        // Outside runs are read (and their query and document ids checked) before any ranking,
        // so a bad run file fails the run at once.
        var outsideRuns: [OutsideRun] = []
        if !spec.runs.isEmpty {
            let itemIndex = Dictionary(uniqueKeysWithValues: dataset.itemIDs.enumerated().map { ($1, Int32($0)) })
            // Query ids: user ids, and `user:case` (the case's row in its split) under `cases`.
            var known = Set(dataset.userIDs)
            for rows in caseUsers.values { for (c, u) in rows.enumerated() { known.insert(caseQueryID(user: dataset.userIDs[Int(u)], case: c)) } }
            let form = caseUsers.isEmpty ? "user id" : "user id (or user:case)"
            outsideRuns = try spec.runs.map { try OutsideRun($0, itemIndex: itemIndex, knownQueries: known, queryForm: form) }
        }
        var results: [VariantResult] = []
        var weights: [(String, String)] = []
        let total = spec.variants.count * spec.protocols.count
        var done = 0
        var covariates: [(protocolSpec: ProtocolSpec, users: [UserCovariate])] = []
        var prePeriod: [(protocolSpec: ProtocolSpec, encoder: String, reduction: String, perUser: [(user: Int32, values: [Double])])] = []
        let preQueries = spec.compare == nil ? [] : zip(querySets, logs).map { PrePeriod.queries(from: $0.queries, log: $1, excludeSeen: spec.excludeSeen) }
        for encoder in spec.encoders {
            let table = try embeddings.table(encoder, dataset, spec.datasetPath, log)
            weights.append((encoder.id, table.attributes.weightsSHA256))
            var space = ItemSpace(rows: table.rows, dim: table.dim, values: table.values)
            let zeroRows = space.normalizeRows().filter { $0 }.count
            if zeroRows > 0 {
                let w = "\(spec.datasetPath): /embeddings/\(encoder.id) has \(zeroRows) all-zero rows; those items score 0 against every profile"
                warnings.append(w)
                log("warning: \(w)")
            }
            if covariates.isEmpty {
                covariates = spec.protocols.indices.map { (spec.protocols[$0], UserCovariate.compute(queries: querySets[$0].queries, log: logs[$0], space: space)) }
            }
            for reduction in spec.reductions {
                let reduced = try Reductions.apply(reduction, to: space, seed: spec.seed)
                var lastReport = Date()
                // One engine over the users' events, shared by their protocols; one per cases protocol.
                let usersEngine = ScoringEngine(items: reduced, log: eventLog, k: spec.maxK, excludeSeen: spec.excludeSeen)
                let engines = spec.protocols.indices.map { i in
                    spec.protocols[i].isCases ? ScoringEngine(items: reduced, log: logs[i], k: spec.maxK, excludeSeen: spec.excludeSeen) : usersEngine
                }
                for engine in engines {
                    engine.progress = { [log] done, total in
                        // At most one line every 5 seconds, for long variants.
                        if done < total && Date().timeIntervalSince(lastReport) >= 5 {
                            lastReport = Date()
                            log("  \(done)/\(total) lists ranked")
                        }
                    }
                }
                for (i, (p, pre)) in zip(spec.protocols, preQueries).enumerated() {
                    var t = RankingTimings()
                    let lists = engines[i].rank(pre, strategy: .static, timings: &t)
                    let metrics = spec.metrics.filter { $0.family != .coverage }
                    prePeriod.append((p, encoder.id, reduction.id, PrePeriod.perUser(pre, lists: lists, metrics: metrics, k: spec.maxK)))
                }
                for (i, (p, qs)) in zip(spec.protocols, querySets).enumerated() {
                    let engine = engines[i]
                    for (si, strategy) in spec.strategies.enumerated() {
                        let variant = Variant(encoder: encoder, strategy: strategy, reduction: reduction)
                        done += 1
                        guard isMine(protocol: p, variant: variant) else { continue }
                        let key = cellKey(protocol: p, variant: variant, dataset: fingerprint, encoderWeights: table.attributes.weightsSHA256)
                        cellKeys.insert(key)
                        if let cached = try reusedCell(key, protocol: p, variant: variant) {
                            log("[\(done)/\(total)] \(p.kind) \(variant.id): reused the finished cell .cells/\(key).rec")
                            results.append(cached)
                            continue
                        }
                        log("[\(done)/\(total)] \(p.kind) \(variant.id): ranking \(qs.queries.count) lists over \(reduced.rows) items")
                        let result: VariantResult
                        switch strategy {
                        case .attention, .mlp, .online:
                            result = try evaluateLearned(variant, strategyIndex: si, protocol: p, queries: qs, log: logs[i],
                                                         visible: visible[i], engine: engine)
                        default:
                            result = evaluate(variant, protocol: p, queries: qs, engine: engine)
                        }
                        results.append(result)
                        try keepCell(result, key: key)
                    }
                }
            }
        }
        for (run, outside) in zip(spec.runs, outsideRuns) {
            for (i, (p, qs)) in zip(spec.protocols, querySets).enumerated() {
                let variant = Variant(run: run)
                done += 1
                guard isMine(protocol: p, variant: variant) else { continue }
                log("[\(done)/\(total)] \(p.kind) \(variant.id): scoring \(run.file) for \(qs.queries.count) lists")
                let t0 = Date()
                let rowsUser = caseUsers[p.id]
                let label: (Query) -> String = { q in
                    guard let rowsUser else { return dataset.userIDs[Int(q.user)] }
                    return caseQueryID(user: dataset.userIDs[Int(rowsUser[Int(q.user)])], case: Int(q.user))
                }
                let (lists, missing) = outside.rank(qs.queries, label: label, log: logs[i], excludeSeen: spec.excludeSeen, k: spec.maxK)
                if missing > 0 { log("warning: " + missingListsWarning(run: run, protocol: p, missing: missing, lists: qs.queries.count)) }
                var t = RankingTimings()
                t.scoringSeconds = Date().timeIntervalSince(t0)
                var result = evaluate(variant, protocol: p, queries: qs, lists: lists, itemCount: dataset.itemCount, timings: t)
                result.missingLists = missing
                results.append(result)
            }
        }
        // metrics.json order: protocols in spec order, then the variant grid order.
        results = spec.inMetricsOrder(results)
        warnings += missingListsWarnings(results)
        return RunResult(spec: spec, variants: results, userIDs: dataset.userIDs, warnings: warnings, startTime: startTime,
                         endTime: Date(), weightsSHA256: weights,
                         datasetSummary: (dataset.userCount, dataset.itemCount, dataset.eventCount), covariates: covariates,
                         caseUsers: caseUsers, prePeriod: prePeriod, shard: shard, datasetFingerprint: fingerprint)
    }

    /// Ranks, scores and summarises one variant.
    func evaluate(_ variant: Variant, protocol p: ProtocolSpec, queries qs: QuerySet, engine: ScoringEngine) -> VariantResult {
        resetPeakMemory()
        var t = RankingTimings()
        let fallbackBefore = engine.fallbackQueries
        let lists = engine.rank(qs.queries, strategy: variant.strategy, timings: &t)
        if engine.fallbackQueries > fallbackBefore {
            log("  \(engine.fallbackQueries - fallbackBefore) of \(qs.queries.count) lists needed the full window computation")
        }
        return evaluate(variant, protocol: p, queries: qs, lists: lists, itemCount: engine.items.rows, timings: t)
    }

    /// Scores and summarises one variant's ranked lists (a strategy's, or an outside run's).
    func evaluate(_ variant: Variant, protocol p: ProtocolSpec, queries qs: QuerySet, lists: RankedLists, itemCount: Int,
                  timings t: RankingTimings) -> VariantResult {
        let perList = spec.metrics.filter { $0.family != .coverage }
        // Per-list values, then per-user means over the user's lists.
        var perUser: [(user: Int32, values: [Double])] = []
        let isPrequential = p.isStepwise
        var stepValues: [[[Double]]] = []
        var q = 0
        let queries = qs.queries
        var hits = [Bool](repeating: false, count: spec.maxK)
        while q < queries.count {
            let user = queries[q].user
            var sums = [Double](repeating: 0, count: perList.count)
            var steps: [[Double]] = []
            while q < queries.count && queries[q].user == user {
                let rel = queries[q].relevant
                let ranked = lists.list(q)
                hits.removeAll(keepingCapacity: true)
                for it in ranked { hits.append(binarySearch(rel, it)) }
                var values = [Double](repeating: 0, count: perList.count)
                hits.withUnsafeBufferPointer { h in
                    for (j, m) in perList.enumerated() {
                        values[j] = RankingMetrics.value(m, hits: h, relevantCount: rel.count)
                        sums[j] += values[j]
                    }
                }
                steps.append(values)
                q += 1
            }
            perUser.append((user, sums.map { $0 / Double(steps.count) }))
            if isPrequential { stepValues.append(steps) }
        }
        var covered: [[Int32]] = []
        for m in spec.metrics where m.family == .coverage {
            var seen = [Bool](repeating: false, count: itemCount)
            for qi in 0..<queries.count { for it in lists.list(qi).prefix(m.k) { seen[Int(it)] = true } }
            covered.append((0..<itemCount).filter { seen[$0] }.map { Int32($0) })
        }
        let timings = VariantTimings.measured(profileSeconds: t.profileSeconds, scoringSeconds: t.scoringSeconds,
                                              absorbedEvents: t.absorbedEvents, lists: queries.count, peakMemoryBytes: peakMemoryBytes())
        var result = VariantResult(protocolSpec: p, variant: variant, summaries: [], skippedUsers: qs.skippedUsers,
                                   skippedSteps: isPrequential ? qs.skippedSteps : nil, perUser: perUser, timings: timings)
        result.stepValues = isPrequential ? stepValues : nil
        result.covered = covered
        result.itemCount = itemCount
        result.summarize(metrics: spec.metrics, seed: spec.seed, bootstrapResamples: bootstrapResamples)
        return result
    }
}

extension VariantResult {
    /// Computes `summaries` and `perStep` from the per-unit values (`perUser`, `stepValues`,
    /// `covered`), in unit order: the one code path of a run, of a resumed cell and of merged
    /// shards, so the three give the same bits.
    public mutating func summarize(metrics: [MetricSpec], seed: UInt64, bootstrapResamples: Int) {
        let perList = metrics.filter { $0.family != .coverage }
        var out: [(metric: MetricSpec, summary: MetricSummary)] = []
        var c = 0
        for m in metrics {
            if m.family == .coverage {
                let n = covered.indices.contains(c) ? covered[c].count : 0
                out.append((m, MetricSummary(mean: Double(n) / Double(max(itemCount, 1)), ci95: nil, n: timings.lists)))
                c += 1
                continue
            }
            let j = perList.firstIndex(of: m)!
            let x = perUser.map { $0.values[j] }
            let mean = x.isEmpty ? 0 : x.reduce(0, +) / Double(x.count)
            let ci = x.isEmpty ? nil : bootstrapCI(x, resamples: bootstrapResamples, seed: seed)
            out.append((m, MetricSummary(mean: mean, ci95: ci.map { ($0.lo, $0.hi) }, n: x.count)))
        }
        summaries = out
        guard let stepValues else { perStep = nil; return }
        var stepSums: [[Double]] = [], stepLists: [Int] = []
        for user in stepValues {
            for (s, values) in user.enumerated() {
                if stepSums.count == s {
                    stepSums.append([Double](repeating: 0, count: perList.count))
                    stepLists.append(0)
                }
                for j in 0..<perList.count { stepSums[s][j] += values[j] }
                stepLists[s] += 1
            }
        }
        perStep = zip(stepSums, stepLists).map { sums, n in (sums.map { $0 / Double(n) }, n) }
    }
}

extension ExperimentRunner {
    /// A seeded sample of `count` users among those with events (all of them if fewer): a
    /// partial Fisher–Yates shuffle driven by the spec seed's "sample-users" stream.
    func sampleUsers(count: Int, log: EventLog) -> Set<Int> {
        var active = (0..<log.userCount).filter { log.count(of: $0) > 0 }
        guard count < active.count else { return Set(active) }
        var rng = SeededGenerator(seed: spec.seed, label: "sample-users")
        for i in 0..<count {
            let j = i + rng.uniformIndex(active.count - i)
            active.swapAt(i, j)
        }
        return Set(active[0..<count])
    }
}

/// The query id of an evaluation case in an outside run: `user:case`, the case's row in its split.
func caseQueryID(user: String, case c: Int) -> String { "\(user):\(c)" }

@inline(__always)
func binarySearch(_ sorted: [Int32], _ x: Int32) -> Bool {
    var lo = 0, hi = sorted.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if sorted[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo < sorted.count && sorted[lo] == x
}

/// Peak resident memory of the process (VmHWM), in bytes; 0 where unavailable.
func peakMemoryBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}

/// Resets the peak-memory mark so each variant's peak is its own (Linux `clear_refs` 5).
func resetPeakMemory() {
    if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") {
        h.write(Data("5".utf8))
        try? h.close()
    }
}
