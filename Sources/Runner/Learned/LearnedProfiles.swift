import Experiments
import Foundation
import Learning
import Profiles
import Statistics

/// What a learned strategy may train on under a protocol: each ranked user's events *before
/// their first ranked event*, oldest first — under holdout the history and update parts X ∪ Y,
/// under `temporal` the events before the cut, under `leave-last` all but the ranked last
/// item(s), under prequential the events before the first ranked step, under `cases` the history
/// of the user's earliest case. No ranked target is ever in it, and users without a ranked list are left out (a
/// sampled-out user's events stay unseen too).
public struct VisibleEvents: Sendable {
    public let corpus: SequenceCorpus
    /// The log row (user, or case row) of each corpus sequence.
    public let units: [Int32]

    /// `unitUser`: under `cases`, the user of each case row. A user's cases overlap — a later
    /// case's history holds the earlier cases' targets — so there each *user* contributes one
    /// sequence, the history of their earliest case (the one whose target comes first; ties by
    /// row): the events before the user's first ranked event, as under the other protocols.
    public init(queries: [Query], log: EventLog, unitUser: [Int32]? = nil) {
        // The first ranked list of each unit (queries come grouped by unit, steps in time order).
        var firsts: [Query] = []
        for q in queries where firsts.last?.user != q.user { firsts.append(q) }
        if let unitUser {
            var earliest: [Int32: Query] = [:]
            func targetTime(_ q: Query) -> Int64 { log.time[log.start[Int(q.user)] + q.absorbed] }
            for q in firsts {
                let u = unitUser[Int(q.user)]
                if let e = earliest[u], (targetTime(e), e.user) <= (targetTime(q), q.user) { continue }
                earliest[u] = q
            }
            firsts = earliest.keys.sorted().map { earliest[$0]! }
        }
        var corpus = SequenceCorpus()
        var units: [Int32] = []
        for q in firsts {
            let s = log.start[Int(q.user)]
            let r = s..<(s + q.absorbed)
            // The arrays are consistent by construction (the log's own), so this cannot throw.
            try! corpus.addUser(items: log.item[r].map { Int($0) }, types: log.type[r].map { Int($0) },
                                times: Array(log.time[r]), weights: Array(log.weight[r]))
            units.append(q.user)
        }
        self.corpus = corpus
        self.units = units
    }

    /// Next-event examples in the visible sequences (every position after the first).
    public var exampleCount: Int { (0..<corpus.userCount).reduce(0) { $0 + max(0, corpus.count(of: $1) - 1) } }
}

/// How a learned variant's training went (training.csv, timings.json, the weights file).
public struct TrainingOutcome: Sendable {
    public var report: TrainingReport
    /// The trained weights as a safetensors file (its bytes are a function of the weights).
    public var weights: Data
    public var seconds: Double
    public var trainingUsers: Int
    public var validationUsers: Int
    public var trainingExamples: Int
    public var validationExamples: Int
}

/// A trained profile model, ready to profile queries.
enum LearnedModel {
    case attention(AttentionInference<Float>)
    case mlp(MLPProfileModel<Float>)

    var window: Int {
        switch self {
        case .attention(let a): return a.configuration.window
        case .mlp(let m): return m.window
        }
    }
}

enum LearnedProfiles {
    /// The training seed of one cell: the spec seed's stream for this protocol and variant.
    static func seed(spec: UInt64, protocolID: String, variantID: String) -> UInt64 {
        var g = SeededGenerator(seed: spec, label: "train:\(protocolID):\(variantID)")
        return g.next()
    }

    static func trainerConfiguration(_ t: TrainingSpec, seed: UInt64) -> Trainer.Configuration {
        let kind: ProfileLoss.Kind = t.negatives == 0 ? .full : .sampled(negatives: t.negatives, proposal: .uniform)
        return Trainer.Configuration(epochs: t.epochs, batchSize: t.batch, learningRate: t.lr, weightDecay: t.weightDecay,
                                     patience: t.patience, loss: ProfileLoss(kind: kind, scale: t.scale), seed: seed,
                                     progressInterval: 5)
    }

    /// Trains `strategy` (attention or mlp) on the visible events over the item table `items`
    /// (the reduced, normalised table that scoring uses). `log` gets at most one progress line
    /// every 5 seconds.
    static func train(_ strategy: StrategySpec, visible: VisibleEvents, items: Matrix<Float>, typeCount: Int, seed: UInt64,
                      label: String, log: @escaping (String) -> Void) throws -> (LearnedModel, TrainingOutcome) {
        let corpus = visible.corpus
        let training: TrainingSpec
        switch strategy {
        case .attention(let a): training = a.training
        case .mlp(let m): training = m.training
        default: preconditionFailure("\(strategy.name) does not train")
        }
        let split = corpus.splitUsers(validationFraction: training.validation, seed: seed)
        var trainExamples = corpus.allNextItemExamples(users: split.training)
        var validationExamples = corpus.lastNextItemExamples(users: split.validation)
        var trainUsers = split.training.count, validationUsers = split.validation.count
        if trainExamples.isEmpty {
            // Too few users to hold some out: train on all of them, without early stopping.
            trainExamples = corpus.allNextItemExamples(users: Array(0..<corpus.userCount))
            validationExamples = []
            trainUsers = corpus.userCount
            validationUsers = 0
        }
        let trainer = Trainer(trainerConfiguration(training, seed: seed))
        let clock = ContinuousClock()
        let start = clock.now
        var lastLine = start
        let batches = (trainExamples.count + training.batch - 1) / training.batch
        let progress: (TrainingProgress) -> Void = { p in
            let now = clock.now
            guard seconds(now - lastLine) >= 5 else { return }
            lastLine = now
            let done = (p.epoch - 1) * batches + p.batch
            let elapsed = seconds(now - start)
            let rate = Double(min(done, batches * p.epochs) * training.batch) / max(elapsed, 1e-9)
            let eta = elapsed / Double(max(done, 1)) * Double(max(0, batches * p.epochs - done))
            log("  training \(label): epoch \(p.epoch)/\(p.epochs), batch \(p.batch)/\(batches), loss \(fixed(p.runningLoss, 4)), "
                + "\(Int(rate.rounded())) examples/s, ETA ≤ \(Int(eta.rounded())) s")
        }
        let model: LearnedModel
        let report: TrainingReport
        let weights: Data
        switch strategy {
        case .attention(let a):
            let d = items.cols
            let rank = a.dim.flatMap { $0 == d ? nil : $0 }
            let age: AgeBucketing
            switch a.age {
            case .position: age = .position(buckets: a.buckets)
            case .logPosition: age = .logPosition(buckets: a.buckets)
            case .logDays: age = .logTime(buckets: a.buckets, unitSeconds: 86_400)
            }
            var m = try AttentionProfileModel<Float>(.init(dim: d, rank: rank, typeCount: typeCount, ageBuckets: age, window: a.window,
                                                           initialization: rank == nil ? .identity : .xavier, seed: seed))
            report = try trainer.train(&m, corpus: corpus, items: items, training: trainExamples, validation: validationExamples,
                                       progress: progress)
            weights = try m.parameters.safetensorsData(metadata: ["strategy": strategy.id])
            model = .attention(try m.inference(items: items))
        case .mlp(let s):
            let residual: MLPProfileModel<Float>.Residual = s.residual == .decay ? .decayed : (s.residual == .mean ? .mean : .none)
            var m = try MLPProfileModel<Float>(.init(dim: items.cols, hidden: s.hidden, activation: s.activation == .gelu ? .gelu : .relu,
                                                     layerNorm: s.layerNorm, residual: residual, halfLife: .events(s.halfLifeEvents),
                                                     window: s.window, seed: seed))
            report = try trainer.train(&m, corpus: corpus, items: items, training: trainExamples, validation: validationExamples,
                                       progress: progress)
            weights = try m.parameters.safetensorsData(metadata: ["strategy": strategy.id])
            model = .mlp(m)
        default: preconditionFailure()
        }
        let outcome = TrainingOutcome(report: report, weights: weights, seconds: seconds(clock.now - start), trainingUsers: trainUsers,
                                      validationUsers: validationUsers, trainingExamples: trainExamples.count,
                                      validationExamples: validationExamples.count)
        return (model, outcome)
    }

    /// Unit profile rows `[queries × d]` of a trained model: each query's newest `window`
    /// events before its ranked period.
    static func profiles(_ queries: [Query], model: LearnedModel, log: EventLog, items: Matrix<Float>,
                         timings: inout RankingTimings) throws -> [Float] {
        let d = items.cols
        var P = [Float](repeating: 0, count: queries.count * d)
        switch model {
        case .attention(let a):
            for (j, q) in queries.enumerated() {
                let s = log.start[Int(q.user)]
                let r = (s + max(0, q.absorbed - a.configuration.window))..<(s + q.absorbed)
                timings.absorbedEvents += r.count
                let p = try a.profile(items: log.item[r].map { Int($0) }, types: log.type[r].map { Int($0) }, times: Array(log.time[r]),
                                      weights: Array(log.weight[r]))
                writeUnitRow(p.map { Double($0) }, into: &P, row: j, dim: d)
            }
        case .mlp(let m):
            var batch = SequenceBatch()
            for q in queries {
                let s = log.start[Int(q.user)]
                let r = (s + max(0, q.absorbed - m.window))..<(s + q.absorbed)
                timings.absorbedEvents += r.count
                let base = batch.eventCount
                for e in r { batch.addEvent(item: Int(log.item[e]), type: Int(log.type[e]), time: log.time[e], weight: log.weight[e]) }
                batch.addExample(rows: base..<batch.eventCount, targets: EmptyCollection<Int>())
            }
            let out = try m.profiles(batch, items: items)
            for j in 0..<queries.count { writeUnitRow(out.row(j).map { Double($0) }, into: &P, row: j, dim: d) }
        }
        return P
    }

    /// `online` (``OnlineSpec``): each query's events before its ranked period are cut into
    /// chunks of `chunk` events, oldest first; the `init` formula absorbs a chunk, then `steps`
    /// gradient steps of rate `lr` on the chunk's full-softmax next-item loss move the profile
    /// (``Learning/OnlineUpdate``), and the next chunk mixes into the stepped profile. The
    /// queries of a block step in lockstep (chunk t of every query that has one: one sgemm pair
    /// per step). `steps: 0` is the `init` formula bit for bit.
    static func online(_ queries: [Query], spec o: OnlineSpec, log: EventLog, items: Matrix<Float>,
                       timings: inout RankingTimings) throws -> [Float] {
        let d = items.cols
        var updaters = queries.map { _ in makeOnlineInit(o, dim: d) }
        var position = [Int](repeating: 0, count: queries.count)
        var active = queries.indices.filter { queries[$0].absorbed > 0 }
        let step = OnlineUpdate(steps: o.steps, learningRate: o.lr, scale: o.scale)
        try items.values.withUnsafeBufferPointer { E in
            while !active.isEmpty {
                var stepping: [Int] = []
                var targetOffsets = [0], targets: [Int32] = []
                for j in active {
                    let s = log.start[Int(queries[j].user)]
                    let end = min(queries[j].absorbed, position[j] + o.chunk)
                    for e in (s + position[j])..<(s + end) {
                        let it = Int(log.item[e])
                        updaters[j].absorb(item: it, vector: UnsafeBufferPointer(rebasing: E[(it * d)..<((it + 1) * d)]),
                                           weight: log.weight[e], time: log.time[e])
                        // A weight-0 event (an ignored type) is not a target either.
                        if o.steps > 0 && log.weight[e] > 0 { targets.append(log.item[e]) }
                    }
                    timings.absorbedEvents += end - position[j]
                    position[j] = end
                    if targets.count > targetOffsets.last! {
                        stepping.append(j)
                        targetOffsets.append(targets.count)
                    }
                }
                if !stepping.isEmpty {
                    var p = Matrix<Float>(rows: stepping.count, cols: d)
                    for (k, j) in stepping.enumerated() {
                        let v = updaters[j].vector
                        for c in 0..<d { p.values[k * d + c] = Float(v[c]) }
                    }
                    let stepped = try step.apply(profiles: p, targetOffsets: targetOffsets, targets: targets, items: items)
                    for (k, j) in stepping.enumerated() { updaters[j].replaceProfile(with: stepped.row(k).map { Double($0) }) }
                }
                active = active.filter { position[$0] < queries[$0].absorbed }
            }
        }
        var P = [Float](repeating: 0, count: queries.count * d)
        for j in queries.indices { writeUnitRow(updaters[j].vector, into: &P, row: j, dim: d) }
        return P
    }
}

/// Writes `v / ‖v‖` (in float64, then rounded to float32) into row `row` of `P`; a zero vector
/// leaves the row zero. Every vector strategy's profile goes through this one rounding.
func writeUnitRow(_ v: [Double], into P: inout [Float], row j: Int, dim d: Int) {
    var s = 0.0
    for x in v { s += x * x }
    guard s > 0 else { return }
    let inv = 1 / s.squareRoot()
    for c in 0..<d { P[j * d + c] = Float(v[c] * inv) }
}

func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }

func seconds(_ d: Duration) -> Double {
    let (s, a) = d.components
    return Double(s) + Double(a) * 1e-18
}
