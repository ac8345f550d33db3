import XCTest
import Statistics
import SafeTensors
@testable import Learning

final class TrainerTests: XCTestCase {
    /// Users alternate between two items a, b, a, b, …: the next item is always the one two
    /// events back. The window's mean scores a and b alike (loss ≥ log 2 against them alone);
    /// attention can learn to look two back (the age bias of bucket 1).
    func alternatingCorpus(users: Int, items: Int, length: Int, seed: UInt64) throws -> SequenceCorpus {
        var rng = SeededGenerator(seed: seed)
        var corpus = SequenceCorpus()
        for _ in 0..<users {
            let a = rng.uniformIndex(items)
            var b = rng.uniformIndex(items - 1)
            if b >= a { b += 1 }
            try corpus.addUser(items: (0..<length).map { $0 % 2 == 0 ? a : b }, times: (0..<length).map { Int64($0) * 3600 })
        }
        return corpus
    }

    func testBatchSharesEventRowsAcrossPrefixes() throws {
        var corpus = SequenceCorpus()
        try corpus.addUser(items: [5, 6, 7, 8], types: [0, 1, 0, 1], weights: [1, 2, 3, 4])
        try corpus.addUser(items: [9, 1, 2])
        let examples = [NextItemExample(user: 0, position: 1), NextItemExample(user: 0, position: 3), NextItemExample(user: 1, position: 2)]
        let b = corpus.batch(examples, window: 2)
        XCTAssertEqual(b.eventItems, [5, 6, 7, 9, 1])
        XCTAssertEqual(b.eventTypes, [0, 1, 0, 0, 0])
        XCTAssertEqual(b.eventWeights, [1, 2, 3, 1, 1])
        XCTAssertEqual(b.offsets, [0, 1, 3, 5])
        XCTAssertEqual(b.rows, [0, 1, 2, 3, 4])
        XCTAssertEqual(b.targets, [6, 8, 2])
        XCTAssertEqual(corpus.allNextItemExamples(users: [0, 1]).count, 5)
        XCTAssertEqual(corpus.lastNextItemExamples(users: [1]), [NextItemExample(user: 1, position: 2)])
        let pb = corpus.profileBatch(users: [1, 0], window: 3)
        XCTAssertEqual(pb.eventItems, [9, 1, 2, 6, 7, 8])
        XCTAssertEqual(pb.offsets, [0, 3, 6])
        XCTAssertEqual(pb.targetOffsets, [0, 0, 0])
        let split = corpus.splitUsers(validationFraction: 0.5, seed: 1)
        XCTAssertEqual((split.training + split.validation).sorted(), [0, 1])
        XCTAssertEqual(split.validation.count, 1)
    }

    func testTrainingLearnsToLookTwoBack() throws {
        var rng = SeededGenerator(seed: 31)
        let items: Matrix<Float> = unitRows(40, 12, &rng)
        let corpus = try alternatingCorpus(users: 400, items: 40, length: 8, seed: 32)
        let (train, val) = corpus.splitUsers(validationFraction: 0.25, seed: 33)
        var model = try AttentionProfileModel<Float>(.init(dim: 12, ageBuckets: .position(buckets: 4), window: 6))
        let trainer = Trainer(.init(epochs: 30, batchSize: 64, learningRate: 0.01, weightDecay: 0, patience: 5,
                                    loss: ProfileLoss(kind: .sampled(negatives: 16, proposal: .uniform), scale: 10), seed: 34))
        let validation = corpus.lastNextItemExamples(users: val)
        let before = try trainer.evaluate(model, corpus: corpus, items: items, examples: validation)
        let top1Before = try topOneAccuracy(model, corpus: corpus, items: items, examples: validation)
        var lines = 0
        let report = try trainer.train(&model, corpus: corpus, items: items, training: corpus.allNextItemExamples(users: train),
                                       validation: validation) { p in if p.finished != nil { lines += 1 } }
        let after = try trainer.evaluate(model, corpus: corpus, items: items, examples: validation)
        let top1After = try topOneAccuracy(model, corpus: corpus, items: items, examples: validation)
        // The window's mean gives a and b the same logit, so its loss is at least log 2 ≈ 0.693 and
        // its top item is a coin flip between them; looking two back puts the target alone on top.
        XCTAssertGreaterThan(before.loss, 0.693)
        XCTAssertLessThan(after.loss, 0.35, "validation loss \(before.loss) → \(after.loss)")
        XCTAssertLessThan(top1Before, 0.7)
        XCTAssertGreaterThan(top1After, 0.97, "top-1 accuracy \(top1Before) → \(top1After)")
        XCTAssertEqual(lines, report.epochs.count)
        XCTAssertEqual(report.epochs.first?.examples, train.count * 7)
        XCTAssertEqual(report.epochs[report.bestEpoch - 1].validationLoss!, after.loss, accuracy: 1e-9)  // best epoch kept
        let ageBias = model.parameters.values(of: model.parameters.tensor("attention.age_bias")!)
        XCTAssertGreaterThan(ageBias[1], ageBias[0] + 2, "age bias \(ageBias)")
        let line = TrainingProgress(epoch: 2, epochs: 10, batch: 300, batches: 612, runningLoss: 6.93124, elapsedSeconds: 12.34,
                                    finished: nil).line
        XCTAssertEqual(line, "epoch 2/10, batch 300/612, loss 6.9312, 12.3 s")
        XCTAssertTrue(report.csv.hasPrefix("epoch,train_loss,validation_loss,validation_hit@10,"))
        XCTAssertEqual(report.csv.split(separator: "\n").count, report.epochs.count + 1)
    }

    /// The MLP sees [mean, decayed mean, last, log n]; on alternating sequences the target is
    /// 2·mean − last (for an even window), a linear function of its features. Full softmax.
    func testMLPLearnsWithTheFullSoftmax() throws {
        var rng = SeededGenerator(seed: 35)
        let items: Matrix<Float> = unitRows(40, 12, &rng)
        let corpus = try alternatingCorpus(users: 300, items: 40, length: 8, seed: 36)
        let (train, val) = corpus.splitUsers(validationFraction: 0.25, seed: 37)
        var model = try MLPProfileModel<Float>(.init(dim: 12, hidden: 32, residual: .mean, window: 6, seed: 38))
        let trainer = Trainer(.init(epochs: 30, batchSize: 64, learningRate: 0.01, weightDecay: 0, patience: 5,
                                    loss: ProfileLoss(kind: .full, scale: 10), seed: 39))
        let validation = corpus.lastNextItemExamples(users: val)
        let before = try trainer.evaluate(model, corpus: corpus, items: items, examples: validation)
        let report = try trainer.train(&model, corpus: corpus, items: items, training: corpus.allNextItemExamples(users: train),
                                       validation: validation)
        let after = try trainer.evaluate(model, corpus: corpus, items: items, examples: validation)
        XCTAssertGreaterThan(before.loss, 0.693)
        XCTAssertLessThan(after.loss, 0.2, "validation loss \(before.loss) → \(after.loss) in \(report.epochs.count) epochs")
        XCTAssertGreaterThan(try topOneAccuracy(model, corpus: corpus, items: items, examples: validation), 0.97)
    }

    /// Share of examples whose target is the item with the highest cosine to the profile.
    func topOneAccuracy<M: ProfileModel>(_ model: M, corpus: SequenceCorpus, items: Matrix<Float>,
                                         examples: [NextItemExample]) throws -> Double where M.Scalar == Float {
        let batch = corpus.batch(examples, window: model.window)
        let p = try model.profiles(batch, items: items)
        var right = 0
        for j in 0..<p.rows {
            var best = -Float.infinity, arg = -1
            for i in 0..<items.rows {
                var s: Float = 0
                for c in 0..<items.cols { s += p[j, c] * items[i, c] }
                if s > best { best = s; arg = i }
            }
            if arg == Int(batch.targets[j]) { right += 1 }
        }
        return Double(right) / Double(p.rows)
    }

    func trainOnce<M: ProfileModel>(_ make: () throws -> M, items: Matrix<Float>, corpus: SequenceCorpus) throws -> M where M.Scalar == Float {
        var model = try make()
        let (train, val) = corpus.splitUsers(validationFraction: 0.2, seed: 9)
        let trainer = Trainer(.init(epochs: 3, batchSize: 32, learningRate: 0.01, clipNorm: 1,
                                    loss: ProfileLoss(kind: .sampled(negatives: 24, proposal: .unigram(power: 0.75))), seed: 10))
        _ = try trainer.train(&model, corpus: corpus, items: items, training: corpus.allNextItemExamples(users: train),
                              validation: corpus.lastNextItemExamples(users: val))
        return model
    }

    func testTrainingIsBitwiseDeterministic() throws {
        var rng = SeededGenerator(seed: 41)
        let items: Matrix<Float> = unitRows(50, 16, &rng)
        var corpus = SequenceCorpus()
        for _ in 0..<60 {
            let n = 2 + rng.uniformIndex(10)
            try corpus.addUser(items: (0..<n).map { _ in rng.uniformIndex(50) }, types: (0..<n).map { _ in rng.uniformIndex(2) },
                               times: (0..<n).map { Int64($0) * 5000 })
        }
        let att = { try AttentionProfileModel<Float>(.init(dim: 16, rank: 8, typeCount: 2, window: 5, initialization: .xavier, seed: 2)) }
        let a = try trainOnce(att, items: items, corpus: corpus), b = try trainOnce(att, items: items, corpus: corpus)
        let initial = try att().parameters.values
        XCTAssertNotEqual(a.parameters.values, initial, "training changed nothing")
        XCTAssertEqual(a.parameters.values.map(\.bitPattern), b.parameters.values.map(\.bitPattern))
        XCTAssertEqual(a.parameters.fingerprint(), b.parameters.fingerprint())
        XCTAssertNotEqual(a.parameters.fingerprint(), try att().parameters.fingerprint())
        let mlp = { try MLPProfileModel<Float>(.init(dim: 16, hidden: 12, residual: .none, window: 5, seed: 2)) }
        let c = try trainOnce(mlp, items: items, corpus: corpus), d = try trainOnce(mlp, items: items, corpus: corpus)
        XCTAssertEqual(c.parameters.values.map(\.bitPattern), d.parameters.values.map(\.bitPattern))
        // Same weights, same file bytes.
        let dir = FileManager.default.temporaryDirectory.path
        let p1 = "\(dir)/learning-det-\(getpid())-1.safetensors", p2 = "\(dir)/learning-det-\(getpid())-2.safetensors"
        defer { try? FileManager.default.removeItem(atPath: p1); try? FileManager.default.removeItem(atPath: p2) }
        try a.parameters.save(to: p1, metadata: ["strategy": "attention"])
        try b.parameters.save(to: p2, metadata: ["strategy": "attention"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: p1)), try Data(contentsOf: URL(fileURLWithPath: p2)))
    }

    func testSafeTensorsRoundTripAndMismatch() throws {
        var rng = SeededGenerator(seed: 51)
        var model = try AttentionProfileModel<Float>(.init(dim: 6, rank: 3, typeCount: 2, initialization: .xavier, seed: 5))
        model.parameters.setAllValues(randomValues(model.parameters.count, &rng))
        let path = FileManager.default.temporaryDirectory.path + "/learning-rt-\(getpid()).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.parameters.save(to: path)
        var fresh = try AttentionProfileModel<Float>(.init(dim: 6, rank: 3, typeCount: 2, initialization: .xavier, seed: 6))
        XCTAssertNotEqual(fresh.parameters.values, model.parameters.values)
        try fresh.parameters.load(from: path)
        XCTAssertEqual(fresh.parameters.values, model.parameters.values)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.tensors["attention.weight"]?.shape, [6, 3])
        XCTAssertEqual(file.tensors["output.weight"]?.shape, [3, 6])
        // A model of another shape refuses the file, naming the tensor.
        var other = try AttentionProfileModel<Float>(.init(dim: 6, typeCount: 2, initialization: .xavier))
        XCTAssertThrowsError(try other.parameters.load(from: path)) { error in
            XCTAssertTrue("\(error)".contains("output.weight"), "\(error)")
        }
    }

    func testTrainerRejectsBadInput() throws {
        var corpus = SequenceCorpus()
        try corpus.addUser(items: [0, 1, 2])
        var rng = SeededGenerator(seed: 1)
        let items: Matrix<Float> = unitRows(3, 4, &rng)
        var model = try AttentionProfileModel<Float>(.init(dim: 4))
        XCTAssertThrowsError(try Trainer().train(&model, corpus: corpus, items: items, training: []))
        XCTAssertThrowsError(try Trainer().train(&model, corpus: corpus, items: items, training: [NextItemExample(user: 0, position: 3)]))
        XCTAssertThrowsError(try corpus.addUser(items: [1, 2], types: [0]))
    }
}
