import Statistics

/// One line of training.csv: an epoch's losses and throughput.
public struct EpochRecord: Sendable, Equatable {
    public var epoch: Int
    /// Mean training loss over the epoch's batches (the configured loss, sampled or full).
    public var trainLoss: Double
    /// Mean full-softmax loss on the validation slice (nil without one).
    public var validationLoss: Double?
    /// Share of validation targets ranked in the top 10 of the full catalogue by the logits.
    public var validationHitRate: Double?
    public var examples: Int
    /// Sequence entries processed (Σ of the examples' window lengths).
    public var events: Int
    public var seconds: Double
    public var examplesPerSecond: Double { seconds > 0 ? Double(examples) / seconds : 0 }
    public var eventsPerSecond: Double { seconds > 0 ? Double(events) / seconds : 0 }

    public init(epoch: Int, trainLoss: Double, validationLoss: Double?, validationHitRate: Double?, examples: Int, events: Int, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationHitRate = validationHitRate
        self.examples = examples
        self.events = events
        self.seconds = seconds
    }
}

/// What training did: a record per epoch, the epoch whose weights were kept, whether early
/// stopping ended it.
public struct TrainingReport: Sendable, Equatable {
    public var epochs: [EpochRecord] = []
    /// 1-based epoch whose weights the model holds at the end (the last one without validation).
    public var bestEpoch = 0
    public var stoppedEarly = false

    public init() {}

    /// training.csv: a header and one row per epoch (timings are wall-clock, so this file is not
    /// bit-for-bit reproducible; the weights are).
    public var csv: String {
        var s = "epoch,train_loss,validation_loss,validation_hit@10,examples,events,seconds,examples_per_second,events_per_second\n"
        for e in epochs {
            let v = e.validationLoss.map { "\($0)" } ?? "", h = e.validationHitRate.map { "\($0)" } ?? ""
            s += "\(e.epoch),\(e.trainLoss),\(v),\(h),\(e.examples),\(e.events),\(e.seconds),\(e.examplesPerSecond),\(e.eventsPerSecond)\n"
        }
        return s
    }
}

/// Where training is, for a progress line (the trainer calls back at most once per
/// ``Trainer/Configuration/progressInterval`` seconds, and at each epoch's end).
public struct TrainingProgress: Sendable {
    public var epoch: Int
    public var epochs: Int
    public var batch: Int
    public var batches: Int
    public var runningLoss: Double
    public var elapsedSeconds: Double
    /// The epoch's record when this call marks an epoch's end.
    public var finished: EpochRecord?

    /// A progress line for stderr, e.g. `epoch 2/10, batch 300/612, loss 6.9312, 12.3 s` or, at an
    /// epoch's end, `epoch 2/10 done: train loss 6.9312, validation loss 7.0101, hit@10 0.0312, 8,700 examples/s`.
    public var line: String {
        func f(_ x: Double, _ digits: Int) -> String {
            let p = pow(10, Double(digits))
            return "\((x * p).rounded() / p)"
        }
        if let e = finished {
            var s = "epoch \(epoch)/\(epochs) done: train loss \(f(e.trainLoss, 4))"
            if let v = e.validationLoss { s += ", validation loss \(f(v, 4))" }
            if let h = e.validationHitRate { s += ", hit@10 \(f(h, 4))" }
            return s + ", \(Int(e.examplesPerSecond.rounded())) examples/s"
        }
        return "epoch \(epoch)/\(epochs), batch \(batch)/\(batches), loss \(f(runningLoss, 4)), \(f(elapsedSeconds, 1)) s"
    }
}

/// Mini-batch training of a ``ProfileModel`` on next-item examples with AdamW and early
/// stopping on a validation slice.
///
/// Each epoch shuffles the training *users* with a generator seeded by (seed, epoch) and
/// takes their examples in position order, so the prefixes of one user travel together and
/// share their event rows (one projection per event, not per prefix); batches are then cut
/// every `batchSize` examples. Sampled negatives come from one generator seeded by the seed.
///
/// Determinism: the same model configuration, corpus, examples and configuration give the same
/// weights bit for bit on the same machine. Every reduction of ours runs in a fixed order
/// (loops in index order, float64 accumulators where noted); the matrix products are
/// OpenBLAS sgemm calls, which are deterministic run to run for the same shapes and the same
/// thread count (OpenBLAS splits a product into fixed blocks per thread; it does not use
/// atomics or work stealing in its level-3 kernels). A different ``LinearAlgebra/BLAS/threads``
/// or a different CPU kernel (another machine) may change the last bits; set the thread count
/// before training to pin it.
public struct Trainer: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var epochs: Int
        public var batchSize: Int
        public var learningRate: Double
        public var weightDecay: Double
        public var beta1: Double
        public var beta2: Double
        public var epsilon: Double
        /// Rescale the gradient to this global L2 norm when it is larger (nil: never).
        public var clipNorm: Double?
        /// Stop after this many epochs without a validation-loss improvement of more than `minDelta`.
        public var patience: Int
        public var minDelta: Double
        public var loss: ProfileLoss
        public var seed: UInt64
        public var progressInterval: Double

        public init(epochs: Int = 10, batchSize: Int = 256, learningRate: Double = 1e-3, weightDecay: Double = 0.01,
                    beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, clipNorm: Double? = nil,
                    patience: Int = 2, minDelta: Double = 0, loss: ProfileLoss = ProfileLoss(), seed: UInt64 = 0,
                    progressInterval: Double = 5) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.weightDecay = weightDecay
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.clipNorm = clipNorm
            self.patience = patience
            self.minDelta = minDelta
            self.loss = loss
            self.seed = seed
            self.progressInterval = progressInterval
        }
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Trains `model` in place; at the end it holds the weights of the best validation epoch.
    public func train<M: ProfileModel>(_ model: inout M, corpus: SequenceCorpus, items: Matrix<M.Scalar>,
                                       training: [NextItemExample], validation: [NextItemExample] = [],
                                       progress: ((TrainingProgress) -> Void)? = nil) throws -> TrainingReport {
        let c = configuration
        guard c.epochs >= 1 else { throw LearningError("trainer: epochs must be >= 1 (got \(c.epochs))") }
        guard c.batchSize >= 1 else { throw LearningError("trainer: batch size must be >= 1 (got \(c.batchSize))") }
        guard c.patience >= 1 else { throw LearningError("trainer: patience must be >= 1 (got \(c.patience))") }
        guard !training.isEmpty else { throw LearningError("trainer: no training examples (every user has fewer than 2 events?)") }
        guard items.cols == model.dim else {
            throw LearningError("trainer: item table has \(items.cols) columns, model dim is \(model.dim)")
        }
        for ex in training + validation {
            guard ex.user >= 0, Int(ex.user) < corpus.userCount, ex.position >= 1, Int(ex.position) < corpus.count(of: Int(ex.user)) else {
                throw LearningError("trainer: example (user \(ex.user), position \(ex.position)) is outside the corpus")
            }
        }
        for (i, it) in corpus.items.enumerated() where Int(it) >= items.rows {
            throw LearningError("trainer: corpus event \(i) has item \(it), the item table has \(items.rows) rows")
        }

        var sampler: NegativeSampler?
        var negativeCount = 0
        if case .sampled(let k, let proposal) = c.loss.kind {
            guard k >= 1 else { throw LearningError("trainer: sampled softmax needs >= 1 negative (got \(k))") }
            negativeCount = k
            switch proposal {
            case .uniform: sampler = NegativeSampler(uniformOver: items.rows)
            case .unigram(let power):
                var counts = [Double](repeating: 0, count: items.rows)
                for ex in training { counts[Int(corpus.items[corpus.userOffsets[Int(ex.user)] + Int(ex.position)])] += 1 }
                sampler = try NegativeSampler(counts: counts, power: power)
            }
        }

        // Users in first-appearance order, each with its examples in the given order.
        var byUser: [Int32: [NextItemExample]] = [:]
        var users: [Int32] = []
        for ex in training {
            if byUser[ex.user] == nil { users.append(ex.user) }
            byUser[ex.user, default: []].append(ex)
        }

        var adam = AdamW(learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, weightDecay: c.weightDecay)
        var negativeRNG = SeededGenerator(seed: c.seed, stream: 0x6e6567)  // "neg"
        var report = TrainingReport()
        var best = Double.infinity
        var bestValues = model.parameters.values
        var waited = 0
        let batches = (training.count + c.batchSize - 1) / c.batchSize
        let clock = ContinuousClock()
        let start = clock.now
        var lastProgress = start

        for epoch in 1...c.epochs {
            let epochStart = clock.now
            var order = users
            var shuffleRNG = SeededGenerator(seed: c.seed, stream: UInt64(epoch))
            shuffle(&order, &shuffleRNG)
            var examples: [NextItemExample] = []
            examples.reserveCapacity(training.count)
            for u in order { examples += byUser[u] ?? [] }

            var lossSum = 0.0, events = 0
            for b in 0..<batches {
                let slice = examples[(b * c.batchSize)..<min(examples.count, (b + 1) * c.batchSize)]
                let batch = corpus.batch(slice, window: model.window)
                model.parameters.zeroGradients()
                let (profiles, state) = try model.forward(batch, items: items)
                let negatives = sampler?.sample(negativeCount, using: &negativeRNG) ?? []
                let r = c.loss.evaluate(profiles: profiles, items: items, targetOffsets: batch.targetOffsets, targets: batch.targets,
                                        negatives: negatives, logQ: sampler?.logProbabilities, rowWeight: 1 / Double(slice.count))
                guard r.loss.isFinite else {
                    throw LearningError("trainer: the loss is \(r.loss) at epoch \(epoch), batch \(b + 1) (learning rate \(c.learningRate) too high?)")
                }
                model.backward(state: state, profileGradient: r.gradient)
                if let clip = c.clipNorm {
                    let norm = model.parameters.gradientNorm()
                    if norm > clip {
                        let f = M.Scalar(clip / norm)
                        model.parameters.gradients.withUnsafeMutableBufferPointer { g in for i in 0..<g.count { g[i] *= f } }
                    }
                }
                adam.update(&model.parameters)
                lossSum += r.loss * Double(slice.count)
                for j in 0..<batch.count { events += windowRange(batch, j, window: model.window).count }
                let now = clock.now
                if let progress, seconds(now - lastProgress) >= c.progressInterval {
                    lastProgress = now
                    progress(TrainingProgress(epoch: epoch, epochs: c.epochs, batch: b + 1, batches: batches,
                                              runningLoss: lossSum / Double(min(examples.count, (b + 1) * c.batchSize)),
                                              elapsedSeconds: seconds(now - start), finished: nil))
                }
            }
            let trainSeconds = seconds(clock.now - epochStart)
            var record = EpochRecord(epoch: epoch, trainLoss: lossSum / Double(training.count), validationLoss: nil,
                                     validationHitRate: nil, examples: training.count, events: events, seconds: trainSeconds)
            if !validation.isEmpty {
                let (loss, hit) = try evaluate(model, corpus: corpus, items: items, examples: validation)
                record.validationLoss = loss
                record.validationHitRate = hit
            }
            report.epochs.append(record)
            progress?(TrainingProgress(epoch: epoch, epochs: c.epochs, batch: batches, batches: batches, runningLoss: record.trainLoss,
                                       elapsedSeconds: seconds(clock.now - start), finished: record))
            lastProgress = clock.now
            guard let v = record.validationLoss else {
                report.bestEpoch = epoch
                continue
            }
            if v < best - c.minDelta {
                best = v
                bestValues = model.parameters.values
                report.bestEpoch = epoch
                waited = 0
            } else {
                waited += 1
                if waited >= c.patience {
                    report.stoppedEarly = epoch < c.epochs
                    break
                }
            }
        }
        if !validation.isEmpty { model.parameters.setAllValues(bestValues) }
        return report
    }

    /// Mean full-softmax loss and hit rate at 10 of `model` on `examples` (batches of `batchSize`).
    public func evaluate<M: ProfileModel>(_ model: M, corpus: SequenceCorpus, items: Matrix<M.Scalar>,
                                          examples: [NextItemExample]) throws -> (loss: Double, hitRate: Double) {
        guard !examples.isEmpty else { return (0, 0) }
        var loss = 0.0, hits = 0
        var i = 0
        while i < examples.count {
            let j = min(examples.count, i + configuration.batchSize)
            let batch = corpus.batch(examples[i..<j], window: model.window)
            let p = try model.profiles(batch, items: items)
            let r = configuration.loss.evaluate(profiles: p, items: items, targetOffsets: batch.targetOffsets, targets: batch.targets,
                                                negatives: [], logQ: nil, rowWeight: 1, needGradient: false, forceFull: true)
            loss += r.loss
            hits += r.hits
            i = j
        }
        return (loss / Double(examples.count), Double(hits) / Double(examples.count))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func seconds(_ d: Duration) -> Double {
    let (s, a) = d.components
    return Double(s) + Double(a) * 1e-18
}
