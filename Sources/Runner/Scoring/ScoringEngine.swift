import Datasets
import Dispatch
import Experiments
import LinearAlgebra
import Profiles
import Retrieval

/// Time spent by one strategy's ranking, split into its phases.
public struct RankingTimings: Sendable {
    public var profileSeconds = 0.0
    public var scoringSeconds = 0.0
    public var absorbedEvents = 0
}

/// The top-K lists of a set of queries: row q holds `counts[q]` item ids, best first.
public struct RankedLists: Sendable {
    public let k: Int
    public var items: [Int32]
    public var counts: [Int32]
    /// The kept scores, parallel to `items` (the running top-K needs them across blocks).
    public var scores: [Float]

    public init(k: Int, count: Int) {
        self.k = k
        items = [Int32](repeating: -1, count: count * k)
        counts = [Int32](repeating: 0, count: count)
        scores = [Float](repeating: -.infinity, count: count * k)
    }

    public func list(_ q: Int) -> ArraySlice<Int32> { items[(q * k)..<(q * k + Int(counts[q]))] }
}

/// Full-catalogue ranking of many profiles at once.
///
/// Profiles are built per block of queries with the strategy's incremental updater, then scored
/// against column blocks of the item table with one sgemm per block, seen items masked, and a
/// running top-K kept per query (ties by item id ascending). Memory is O(items·d + block).
///
/// `concat` with `max` or `softmax` scores an item by the cosines of the window's vectors, which
/// are item vectors: users share them. Per block of queries the distinct window items are
/// scored once against each column block (one sgemm), and each query aggregates its own rows
/// of that shared item–item block instead of running its own matrix product.
public final class ScoringEngine {
    public let items: ItemSpace
    public let log: EventLog
    public let k: Int
    public let excludeSeen: Bool
    /// Queries per block for vector profiles and for windows.
    public var vectorBlock = 512
    public var windowBlock = 1 << 20
    /// Length of each window item's list of most similar items (`concat`/`max`), beyond K.
    public var candidateMargin = 64
    /// Called after each block of queries with (ranked so far, total).
    public var progress: ((Int, Int) -> Void)?
    /// Target size (floats) of one score block.
    public var scoreBlockFloats = 4 << 20
    let workers: Int

    public init(items: ItemSpace, log: EventLog, k: Int, excludeSeen: Bool, workers: Int = 0) {
        self.items = items
        self.log = log
        self.k = k
        self.excludeSeen = excludeSeen
        self.workers = workers > 0 ? workers : max(1, ProcessInfo_activeProcessorCount())
    }

    /// Ranks every query with `strategy`'s profiles.
    public func rank(_ queries: [Query], strategy: StrategySpec, timings: inout RankingTimings) -> RankedLists {
        let windowScored: Bool
        if case .concat(_, let agg, _) = strategy, agg != .mean { windowScored = true } else { windowScored = false }
        let interests: (k: Int, aggregate: InterestAggregate, center: Bool)?
        if case let .interests(_, k, aggregate, center) = strategy { interests = (k, aggregate, center) } else { interests = nil }
        guard windowScored || interests != nil else {
            return rank(queries, timings: &timings) { slice, t in buildVectors(slice, strategy: strategy, timings: &t) }
        }
        // Strategies that score several vectors per query take the larger blocks.
        return blocks(queries, size: windowBlock, timings: &timings) { slice, q0, out, t, clock in
            if let interests {
                let vectors = buildInterests(slice, strategy: strategy, k: interests.k, center: interests.center, timings: &t)
                t.profileSeconds += clock.lap()
                scoreInterests(slice, interests: vectors, aggregate: interests.aggregate, into: &out, offset: q0)
            } else {
                let windows = buildWindows(slice, strategy: strategy, timings: &t)
                t.profileSeconds += clock.lap()
                guard case let .concat(_, agg, temperature) = strategy else { preconditionFailure() }
                if agg == .max {
                    scoreWindowsMax(slice, windows: windows, into: &out, offset: q0)
                } else {
                    scoreWindows(slice, windows: windows, aggregate: agg, temperature: Float(temperature ?? 1), into: &out, offset: q0)
                }
            }
        }
    }

    /// Ranks every query with profiles from `build`, which returns the unit profile rows
    /// `[block × d]` of a block of queries (the vector strategies' updaters, the learned
    /// strategies' models).
    public func rank(_ queries: [Query], timings: inout RankingTimings, profiles build: ([Query], inout RankingTimings) throws -> [Float]) rethrows -> RankedLists {
        try blocks(queries, size: vectorBlock, timings: &timings) { slice, q0, out, t, clock in
            let P = try build(slice, &t)
            t.profileSeconds += clock.lap()
            scoreVectors(slice, profiles: P, into: &out, offset: q0)
        }
    }

    /// The block loop: `body` profiles and scores queries `q0 ..< q0 + slice.count` into `out`
    /// (adding its profile time; the rest of the block's time is scoring), then progress.
    func blocks(_ queries: [Query], size: Int, timings: inout RankingTimings,
                _ body: ([Query], Int, inout RankedLists, inout RankingTimings, inout Stopwatch) throws -> Void) rethrows -> RankedLists {
        let nq = queries.count
        var out = RankedLists(k: k, count: nq)
        var q0 = 0
        while q0 < nq {
            let q1 = min(nq, q0 + size)
            var clock = Stopwatch()
            try body(Array(queries[q0..<q1]), q0, &out, &timings, &clock)
            timings.scoringSeconds += clock.lap()
            q0 = q1
            progress?(q1, nq)
        }
        return out
    }

    /// Scores given unit profile vectors `[count × d]` (for benchmarks): each query's seen
    /// items are those of its user's events in the engine's log.
    public func rankProfiles(_ P: [Float], count: Int) -> RankedLists {
        let queries = (0..<count).map { Query(user: Int32($0), historyEnd: log.count(of: $0), absorbed: log.count(of: $0), end: log.count(of: $0), relevant: []) }
        var out = RankedLists(k: k, count: count)
        var q0 = 0
        let d = items.dim
        while q0 < count {
            let q1 = min(count, q0 + vectorBlock)
            scoreVectors(Array(queries[q0..<q1]), profiles: Array(P[(q0 * d)..<(q1 * d)]), into: &out, offset: q0)
            q0 = q1
        }
        return out
    }

    /// An engine over `items` whose log gives user u the single event `seenItems[u]`.
    public static func forBenchmark(items: ItemSpace, seenItems: [Int32], k: Int) -> ScoringEngine {
        let n = seenItems.count
        let d = Dataset(eventUser: (0..<n).map { UInt32($0) }, eventItem: seenItems.map { UInt32($0) },
                        eventTime: [Int64](repeating: 0, count: n), itemIDs: (0..<items.rows).map { "i\($0)" },
                        userIDs: (0..<n).map { "u\($0)" })
        return ScoringEngine(items: items, log: EventLog(dataset: d, eventWeights: []), k: k, excludeSeen: true)
    }

    // MARK: - Profiles

    /// Runs each user's updater through its events, calling `snapshot(q, updater)` when query q's
    /// profile state is reached (after `absorbed` events; static freezes at `historyEnd`).
    func walk(_ queries: [Query], strategy: StrategySpec, timings: inout RankingTimings,
              snapshot: (Int, inout any ProfileUpdater) -> Void) {
        let d = items.dim
        items.values.withUnsafeBufferPointer { E in
            var q = 0
            while q < queries.count {
                let user = Int(queries[q].user)
                var qEnd = q
                while qEnd < queries.count && queries[qEnd].user == queries[q].user { qEnd += 1 }
                var updater = makeUpdater(strategy, dim: d)
                let s = log.start[user]
                var absorbed = 0
                var historyClosed = false
                for j in q..<qEnd {
                    let target = queries[j].absorbed
                    while absorbed < target {
                        if !historyClosed && absorbed == queries[j].historyEnd { updater.endOfHistory(); historyClosed = true }
                        let it = Int(log.item[s + absorbed])
                        updater.absorb(item: it, vector: UnsafeBufferPointer(rebasing: E[(it * d)..<((it + 1) * d)]),
                                       weight: log.weight[s + absorbed], time: log.time[s + absorbed])
                        absorbed += 1
                    }
                    if !historyClosed && absorbed >= queries[j].historyEnd { updater.endOfHistory(); historyClosed = true }
                    snapshot(j, &updater)
                }
                timings.absorbedEvents += absorbed
                q = qEnd
            }
        }
    }

    /// Unit profile vectors `[queries × d]` (zero rows for zero profiles); `concat`/`mean` gives
    /// the window's mean vector (its dot product with an item is the mean of the cosines).
    func buildVectors(_ queries: [Query], strategy: StrategySpec, timings: inout RankingTimings) -> [Float] {
        let d = items.dim
        var P = [Float](repeating: 0, count: queries.count * d)
        let E = items.values
        walk(queries, strategy: strategy, timings: &timings) { j, updater in
            switch updater.profile {
            case .vector(let v):
                writeUnitRow(v, into: &P, row: j, dim: d)
            case .weightedWindow:
                preconditionFailure("interests profiles are scored by scoreInterests")
            case .window(let w):
                guard !w.isEmpty else { return }
                var acc = [Double](repeating: 0, count: d)
                for it in w { for c in 0..<d { acc[c] += Double(E[it * d + c]) } }
                for c in 0..<d { P[j * d + c] = Float(acc[c] / Double(w.count)) }
            }
        }
        return P
    }

    /// Each query's interest vectors (``InterestVectors``): the rows of one stacked matrix and
    /// each query's row indices in it.
    func buildInterests(_ queries: [Query], strategy: StrategySpec, k: Int, center: Bool,
                        timings: inout RankingTimings) -> (matrix: [Float], rowsOfQuery: [[Int32]]) {
        var matrix: [Float] = []
        var rowsOfQuery = [[Int32]](repeating: [], count: queries.count)
        let d = items.dim
        items.values.withUnsafeBufferPointer { E in
            walk(queries, strategy: strategy, timings: &timings) { j, updater in
                guard case let .weightedWindow(its, ws) = updater.profile else { return }
                // LAPACK's info > 0 (no convergence) leaves the query with no vector (scores 0).
                guard let v = try? InterestVectors.compute(items: its, weights: ws, table: E, dim: d, k: k, center: center) else { return }
                let first = matrix.count / d
                matrix += v.rows
                rowsOfQuery[j] = (0..<v.count).map { Int32(first + $0) }
            }
        }
        return (matrix, rowsOfQuery)
    }

    /// `max`: one sgemm of every query's stacked interest vectors against each column block,
    /// then each query's maximum over its rows; `sum`: the sum of a query's vectors is one
    /// profile vector (Σⱼ σⱼvⱼ·x = (Σⱼ σⱼvⱼ)·x), scored as the vector strategies are.
    func scoreInterests(_ queries: [Query], interests: (matrix: [Float], rowsOfQuery: [[Int32]]), aggregate: InterestAggregate,
                        into out: inout RankedLists, offset: Int) {
        let d = items.dim
        switch aggregate {
        case .max:
            scoreRowGroups(queries, rows: interests.matrix, count: interests.matrix.count / max(d, 1), rowsOfQuery: interests.rowsOfQuery,
                           aggregate: .max, temperature: 1, into: &out, offset: offset)
        case .sum:
            var P = [Float](repeating: 0, count: queries.count * d)
            for (q, rows) in interests.rowsOfQuery.enumerated() {
                for r in rows { for c in 0..<d { P[q * d + c] += interests.matrix[Int(r) * d + c] } }
            }
            scoreVectors(queries, profiles: P, into: &out, offset: offset)
        }
    }

    func buildWindows(_ queries: [Query], strategy: StrategySpec, timings: inout RankingTimings) -> [[Int32]] {
        var W = [[Int32]](repeating: [], count: queries.count)
        walk(queries, strategy: strategy, timings: &timings) { j, updater in
            if case .window(let w) = updater.profile { W[j] = w.map { Int32($0) } }
        }
        return W
    }

    // MARK: - Scoring

    /// Column blocks of the catalogue of about `floats / rows` items each (a multiple of 16).
    func columnBlocks(rowsPerBlock: Int) -> [(Int, Int)] {
        columnBlocks(width: max(64, scoreBlockFloats / max(rowsPerBlock, 1)))
    }

    /// Column blocks of `width` items (rounded up to a multiple of 16), the last one shorter.
    func columnBlocks(width w: Int) -> [(Int, Int)] {
        let I = items.rows
        let width = min(I, (w + 15) / 16 * 16)
        return stride(from: 0, to: I, by: max(width, 1)).map { ($0, min(I, $0 + width)) }
    }

    /// The column-block width of row groups (windows, interest vectors): fixed, so that a row's
    /// scores do not depend on how many rows its block has.
    static let rowGroupWidth = 2048

    /// The distinct items of `windows` in order of first appearance, and each item's row
    /// among them (−1 for items in no window).
    func distinctItems(_ windows: [[Int32]]) -> (distinct: [Int32], rowOf: [Int32]) {
        var rowOf = [Int32](repeating: -1, count: items.rows)
        var distinct: [Int32] = []
        for w in windows { for it in w where rowOf[Int(it)] < 0 { rowOf[Int(it)] = Int32(distinct.count); distinct.append(it) } }
        return (distinct, rowOf)
    }

    /// `out[0..<rows, 0..<(c1 − c0)] = A · E[c0..<c1]ᵀ`: the cosines of `rows` unit vectors
    /// (row-major, `items.dim` wide) with the items `c0..<c1`, one sgemm, row stride c1 − c0.
    func scoreAgainstItems(_ A: [Float], rows: Int, c0: Int, c1: Int, into out: inout [Float]) {
        let d = items.dim, w = c1 - c0
        A.withUnsafeBufferPointer { a in items.values.withUnsafeBufferPointer { e in out.withUnsafeMutableBufferPointer { s in
            BLAS.sgemm(transB: true, m: rows, n: w, k: d, a: a.baseAddress!, lda: d, b: e.baseAddress! + c0 * d, ldb: d,
                       c: s.baseAddress!, ldc: w)
        } } }
    }

    /// Rows of a profile block are padded with zero rows to a multiple of this, and the column
    /// blocks are sized for a full block whatever its rows: then every score is computed by the
    /// same sgemm micro-kernel in the same order wherever its row falls, so a user's scores do not
    /// depend on which other users share the block (a shard ranks exactly as the whole run).
    /// That holds for kernels that compute each element the same way wherever it falls, which
    /// OpenBLAS's AVX2 kernels do not: the command line pins the SSE3 ones
    /// (`BLAS.pinReproducibleKernels()`).
    static let rowAlignment = 64

    func scoreVectors(_ queries: [Query], profiles P: [Float], into out: inout RankedLists, offset: Int) {
        let B = queries.count, d = items.dim
        let padded = (B + Self.rowAlignment - 1) / Self.rowAlignment * Self.rowAlignment
        let A = padded == B ? P : P + [Float](repeating: 0, count: (padded - B) * d)
        let blocks = columnBlocks(rowsPerBlock: max(vectorBlock, B))
        var S = [Float](repeating: 0, count: padded * (blocks.map { $0.1 - $0.0 }.max() ?? 0))
        for (c0, c1) in blocks {
            let w = c1 - c0
            scoreAgainstItems(A, rows: padded, c0: c0, c1: c1, into: &S)
            S.withUnsafeMutableBufferPointer { s in
                let sp = UnsafeMutableSendable(s.baseAddress!)
                mergeRows(queries, offset: offset, c0: c0, c1: c1, out: &out) { r, _ in
                    UnsafeMutableBufferPointer(start: sp.pointer + r * w, count: w)
                }
            }
        }
    }

    func scoreWindows(_ queries: [Query], windows: [[Int32]], aggregate: ConcatAggregate, temperature: Float,
                      into out: inout RankedLists, offset: Int) {
        let d = items.dim
        // Distinct window items of the block and each query's rows in the shared block.
        let (distinct, rowOf) = distinctItems(windows)
        let rowsOfQuery = windows.map { $0.map { rowOf[Int($0)] } }
        let M = distinct.count
        var Wm = [Float](repeating: 0, count: M * d)
        for (r, it) in distinct.enumerated() { for c in 0..<d { Wm[r * d + c] = items.values[Int(it) * d + c] } }
        scoreRowGroups(queries, rows: Wm, count: M, rowsOfQuery: rowsOfQuery, aggregate: aggregate, temperature: temperature,
                       into: &out, offset: offset)
    }

    /// Scores `count` shared rows (row-major, `items.dim` wide) against every column block, one
    /// sgemm per block, and ranks each query by the `max` (or temperature-`softmax`) of its own
    /// rows' scores; a query with no row scores 0 everywhere (ranked by item id).
    func scoreRowGroups(_ queries: [Query], rows Wm: [Float], count M: Int, rowsOfQuery: [[Int32]], aggregate: ConcatAggregate,
                        temperature: Float, into out: inout RankedLists, offset: Int) {
        if M == 0 {
            // Every window empty: all scores 0, ranking by item id.
            mergeRows(queries, offset: offset, c0: 0, c1: items.rows, out: &out, copyRow: true) { _, buf in
                buf.update(repeating: 0); return buf
            }
            return
        }
        // Column blocks of a fixed width and rows padded to a whole number of 64-row tiles: each
        // row's scores are then the same whatever the other rows are (see `rowAlignment`).
        let blocks = columnBlocks(width: Self.rowGroupWidth)
        let maxW = blocks.map { $0.1 - $0.0 }.max() ?? 0
        let padded = (M + Self.rowAlignment - 1) / Self.rowAlignment * Self.rowAlignment
        let A = padded == M ? Wm : Wm + [Float](repeating: 0, count: (padded - M) * items.dim)
        var sim = [Float](repeating: 0, count: padded * maxW)
        for (c0, c1) in blocks {
            let w = c1 - c0
            scoreAgainstItems(A, rows: padded, c0: c0, c1: c1, into: &sim)
            sim.withUnsafeBufferPointer { s in
                let sp = UnsafeSendable(s.baseAddress!)
                mergeRows(queries, offset: offset, c0: c0, c1: c1, out: &out, copyRow: true) { q, buf in
                    let rows = rowsOfQuery[q]
                    if rows.isEmpty {
                        buf.update(repeating: 0)
                    } else if aggregate == .max {
                        Kernels.maxRows(sp.pointer, rows: rows, width: w, into: buf)
                    } else {
                        Kernels.softmaxRows(sp.pointer, rows: rows, width: w, temperature: temperature, into: buf)
                    }
                    return buf
                }
            }
        }
    }


    /// `concat`/`max` through each window item's list of its L most similar items.
    ///
    /// An item in a query's top-K attains its score s at some window item j; every item above
    /// it in j's list scores at least s for the query too, so it lies in j's top-(K + excluded)
    /// list. Per query, the candidates are the union of its window items' lists, scored by the
    /// max over the lists they appear in; T, the largest L-th score of those lists, bounds the
    /// score of any other item (and of a candidate's missing entries). When at least K
    /// candidates that are not excluded score above T, their top-K is exact; otherwise the
    /// query falls back to the full computation. Scores are the same sgemm values either way.
    func scoreWindowsMax(_ queries: [Query], windows: [[Int32]], into out: inout RankedLists, offset: Int) {
        let I = items.rows, K = k
        let L = min(I, K + candidateMargin)
        let (distinct, rowOf) = distinctItems(windows)
        let M = distinct.count
        guard M > 0, L < I else {
            scoreWindows(queries, windows: windows, aggregate: .max, temperature: 1, into: &out, offset: offset)
            return
        }
        // 1. Each window item's top-L list over the whole catalogue (ties by item id).
        let lists = windowItemLists(distinct: distinct, L: L)
        // 2. Per query: merge its window items' lists; exact when K candidates beat the bound.
        let B = queries.count
        var fallback = [Bool](repeating: false, count: B)
        let excl = excludeSeen
        let TQ = min(workers, max(1, B / 8))
        lists.scores.withUnsafeBufferPointer { lsp in lists.items.withUnsafeBufferPointer { lip in
            out.items.withUnsafeMutableBufferPointer { oip in out.scores.withUnsafeMutableBufferPointer { osp in
                out.counts.withUnsafeMutableBufferPointer { ocp in fallback.withUnsafeMutableBufferPointer { fp in
                    let ls = UnsafeSendable(lsp.baseAddress!), li = UnsafeSendable(lip.baseAddress!)
                    let oi = UnsafeMutableSendable(oip.baseAddress!), os = UnsafeMutableSendable(osp.baseAddress!)
                    let oc = UnsafeMutableSendable(ocp.baseAddress!), fb = UnsafeMutableSendable(fp.baseAddress!)
                    DispatchQueue.concurrentPerform(iterations: TQ) { t in
                        // Per-thread scratch: best score per item and stamps (no clearing between queries).
                        let best = UnsafeMutableBufferPointer<Float>.allocate(capacity: I)
                        let stamp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: I)
                        let seenStamp = UnsafeMutableBufferPointer<Int32>.allocate(capacity: I)
                        stamp.initialize(repeating: -1); seenStamp.initialize(repeating: -1)
                        defer { best.deallocate(); stamp.deallocate(); seenStamp.deallocate() }
                        var touched: [Int32] = []
                        var cand: [(Float, Int32)] = []
                        for q in (t * B / TQ)..<((t + 1) * B / TQ) {
                            let query = queries[q]
                            let stampValue = Int32(q)
                            if excl {
                                let s = log.start[Int(query.user)]
                                for e in 0..<query.absorbed { seenStamp[Int(log.item[s + e])] = stampValue }
                            }
                            var bound = -Float.infinity
                            touched.removeAll(keepingCapacity: true)
                            for wi in windows[q] {
                                let j = Int(rowOf[Int(wi)])
                                bound = Swift.max(bound, ls.pointer[j * L + L - 1])
                                for r in 0..<L {
                                    let it = Int(li.pointer[j * L + r]), sc = ls.pointer[j * L + r]
                                    if stamp[it] != stampValue { stamp[it] = stampValue; best[it] = sc; touched.append(Int32(it)) }
                                    else if sc > best[it] { best[it] = sc }
                                }
                            }
                            cand.removeAll(keepingCapacity: true)
                            for it in touched where best[Int(it)] > bound && !(excl && seenStamp[Int(it)] == stampValue) {
                                cand.append((best[Int(it)], it))
                            }
                            if cand.count < K { fb.pointer[q] = true; continue }
                            cand.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
                            let g = offset + q
                            for r in 0..<K { oi.pointer[g * K + r] = cand[r].1; os.pointer[g * K + r] = cand[r].0 }
                            oc.pointer[g] = Int32(K)
                        }
                    }
                } }
            } }
        } }
        // 3. The rest: full computation.
        let rest = (0..<B).filter { fallback[$0] }
        fallbackQueries += rest.count
        if !rest.isEmpty {
            var sub = RankedLists(k: K, count: rest.count)
            scoreWindows(rest.map { queries[$0] }, windows: rest.map { windows[$0] }, aggregate: .max, temperature: 1, into: &sub, offset: 0)
            for (i, q) in rest.enumerated() {
                let g = offset + q
                for r in 0..<K { out.items[g * K + r] = sub.items[i * K + r]; out.scores[g * K + r] = sub.scores[i * K + r] }
                out.counts[g] = sub.counts[i]
            }
        }
    }


    /// Top-`L` most similar items (score descending, id ascending) of each item in `distinct`.
    ///
    /// Rows are the window items in blocks of 512 (padded to whole 64-row tiles), columns the
    /// whole catalogue in fixed blocks: every score s(j, i) is computed by the same sgemm
    /// micro-kernel wherever j falls, so an item's list does not depend on which other items are
    /// window items of the block (a shard of the users gets the lists the whole run gets).
    func windowItemLists(distinct: [Int32], L: Int) -> RankedLists {
        let d = items.dim, I = items.rows, M = distinct.count
        let ids = (0..<I).map { Int32($0) }
        var lists = RankedLists(k: L, count: M)
        let rowBlock = 512
        let blocks = columnBlocks(rowsPerBlock: rowBlock)
        let colMax = blocks.map { $0.1 - $0.0 }.max() ?? 0
        var sim = [Float](repeating: 0, count: rowBlock * colMax)
        var A = [Float](repeating: 0, count: rowBlock * d)
        let T = workers
        var r0 = 0
        while r0 < M {
            let r1 = min(M, r0 + rowBlock), rows = r1 - r0
            let padded = (rows + Self.rowAlignment - 1) / Self.rowAlignment * Self.rowAlignment
            items.values.withUnsafeBufferPointer { e in A.withUnsafeMutableBufferPointer { a in
                for (r, it) in distinct[r0..<r1].enumerated() { (a.baseAddress! + r * d).update(from: e.baseAddress! + Int(it) * d, count: d) }
                (a.baseAddress! + rows * d).update(repeating: 0, count: (padded - rows) * d)
            } }
            for (c0, c1) in blocks {
                let w = c1 - c0
                scoreAgainstItems(A, rows: padded, c0: c0, c1: c1, into: &sim)
                ids.withUnsafeBufferPointer { ip in sim.withUnsafeBufferPointer { sp in
                    lists.scores.withUnsafeMutableBufferPointer { lsp in lists.items.withUnsafeMutableBufferPointer { lip in
                        lists.counts.withUnsafeMutableBufferPointer { lcp in
                            let idp = UnsafeSendable(ip.baseAddress!), simP = UnsafeSendable(sp.baseAddress!)
                            let ls = UnsafeMutableSendable(lsp.baseAddress!), li = UnsafeMutableSendable(lip.baseAddress!)
                            let lc = UnsafeMutableSendable(lcp.baseAddress!)
                            DispatchQueue.concurrentPerform(iterations: T) { t in
                                for j in (r0 + t * rows / T)..<(r0 + (t + 1) * rows / T) {
                                    var n = Int(lc.pointer[j])
                                    TopKAccumulator.offerUnordered(simP.pointer + (j - r0) * w, stride: 1, count: w, ids: idp.pointer + c0, k: L,
                                                                   count: &n, scores: ls.pointer + j * L, items: li.pointer + j * L)
                                    lc.pointer[j] = Int32(n)
                                }
                            }
                        }
                    } }
                } }
            }
            r0 = r1
        }
        return lists
    }

    /// Queries of `concat`/`max` that needed the full computation (for benchmarks and tests).
    public var fallbackQueries = 0

    /// For every query of the block (in parallel), obtains its score row for items `c0..<c1`,
    /// masks seen items and merges the row into the query's running top-K.
    func mergeRows(_ queries: [Query], offset: Int, c0: Int, c1: Int, out: inout RankedLists, copyRow: Bool = false,
                   row: (Int, UnsafeMutableBufferPointer<Float>) -> UnsafeMutableBufferPointer<Float>) {
        let B = queries.count, K = k, w = c1 - c0
        let T = min(workers, max(1, B / 8))
        let excl = excludeSeen
        out.items.withUnsafeMutableBufferPointer { itp in out.counts.withUnsafeMutableBufferPointer { cp in
            let items = UnsafeMutableSendable(itp.baseAddress!), counts = UnsafeMutableSendable(cp.baseAddress!)
            out.scores.withUnsafeMutableBufferPointer { stp in
                let scores = UnsafeMutableSendable(stp.baseAddress!)
                withoutActuallyEscaping(row) { row in
                    let rowFn = UnsafeSendableClosure(row)
                    DispatchQueue.concurrentPerform(iterations: T) { t in
                        let lo = t * B / T, hi = (t + 1) * B / T
                        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: copyRow ? w : 0)
                        defer { scratch.deallocate() }
                        for q in lo..<hi {
                            let r = rowFn.body(q, scratch)
                            let query = queries[q]
                            if excl {
                                let s = log.start[Int(query.user)]
                                for e in 0..<query.absorbed {
                                    let it = Int(log.item[s + e])
                                    if it >= c0 && it < c1 { r[it - c0] = -.infinity }
                                }
                            }
                            let g = offset + q
                            var n = Int(counts.pointer[g])
                            TopKAccumulator.offer(UnsafeBufferPointer(r), firstItem: c0, k: K, count: &n,
                                                  scores: scores.pointer + g * K, items: items.pointer + g * K)
                            counts.pointer[g] = Int32(n)
                        }
                    }
                }
            }
        } }
    }

}

/// Wrappers that let worker threads share raw buffers whose disjoint rows they write.
struct UnsafeMutableSendable<T>: @unchecked Sendable { let pointer: UnsafeMutablePointer<T>; init(_ p: UnsafeMutablePointer<T>) { pointer = p } }
struct UnsafeSendable<T>: @unchecked Sendable { let pointer: UnsafePointer<T>; init(_ p: UnsafePointer<T>) { pointer = p } }
struct UnsafeSendableClosure: @unchecked Sendable {
    let body: (Int, UnsafeMutableBufferPointer<Float>) -> UnsafeMutableBufferPointer<Float>
    init(_ b: @escaping (Int, UnsafeMutableBufferPointer<Float>) -> UnsafeMutableBufferPointer<Float>) { body = b }
}

/// Aggregation kernels over rows of a row-major block.
enum Kernels {
    /// `out[j] = max over r in rows of block[r][j]`.
    static func maxRows(_ block: UnsafePointer<Float>, rows: [Int32], width w: Int, into out: UnsafeMutableBufferPointer<Float>) {
        let first = block + Int(rows[0]) * w
        out.baseAddress!.update(from: first, count: w)
        let o = out.baseAddress!
        for r in rows.dropFirst() {
            let src = block + Int(r) * w
            var j = 0
            while j + 8 <= w {
                let a = UnsafeRawPointer(o + j).loadUnaligned(as: SIMD8<Float>.self)
                let b = UnsafeRawPointer(src + j).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(o + j).storeBytes(of: pointwiseMax(a, b), as: SIMD8<Float>.self)
                j += 8
            }
            while j < w { if src[j] > o[j] { o[j] = src[j] }; j += 1 }
        }
    }

    /// `out[j] = Σ_r α_r s_r` with `α = softmax(s / temperature)` over the window's rows.
    static func softmaxRows(_ block: UnsafePointer<Float>, rows: [Int32], width w: Int, temperature: Float,
                            into out: UnsafeMutableBufferPointer<Float>) {
        maxRows(block, rows: rows, width: w, into: out)
        let inv = 1 / temperature
        for j in 0..<w {
            let m = out[j]
            var num: Float = 0, den: Float = 0
            for r in rows {
                let s = block[Int(r) * w + j]
                let e = expf((s - m) * inv)
                num += e * s
                den += e
            }
            out[j] = num / den
        }
    }
}

/// Wall-clock laps.
struct Stopwatch {
    private var last = DispatchTime.now().uptimeNanoseconds
    mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return Double(now - last) / 1e9
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation
func ProcessInfo_activeProcessorCount() -> Int { ProcessInfo.processInfo.activeProcessorCount }
