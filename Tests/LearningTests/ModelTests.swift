import XCTest
import Statistics
@testable import Learning

final class ModelTests: XCTestCase {
    /// Three users' events over 10 items; the second user's sequence is longer than the window.
    func smallBatch(_ rng: inout SeededGenerator, types: Int) -> SequenceBatch {
        var b = SequenceBatch()
        var time: Int64 = 1_000_000
        for _ in 0..<9 {
            time += Int64(rng.uniformIndex(200_000))
            b.addEvent(item: rng.uniformIndex(10), type: rng.uniformIndex(types), time: time, weight: 0.5 + rng.nextDouble())
        }
        b.addExample(rows: 0..<2, targets: [7])
        b.addExample(rows: 2..<8, targets: [1])
        b.addExample(rows: [8], targets: [4])
        b.addExample(rows: 2..<5, targets: [9])  // shares rows with the second example
        return b
    }

    func modelGradientCheck<M: ProfileModel>(_ model: M, batch: SequenceBatch, items: Matrix<Double>, loss: ProfileLoss,
                                             _ what: String) throws where M.Scalar == Double {
        var m = model
        func value(_ v: [Double]) -> Double {
            var t = model
            t.parameters.setAllValues(v)
            let p = try! t.profiles(batch, items: items)
            return loss.evaluate(profiles: p, items: items, targetOffsets: batch.targetOffsets, targets: batch.targets,
                                 negatives: [], logQ: nil, rowWeight: 0.25, needGradient: false).loss
        }
        m.parameters.zeroGradients()
        let (p, state) = try m.forward(batch, items: items)
        let r = loss.evaluate(profiles: p, items: items, targetOffsets: batch.targetOffsets, targets: batch.targets,
                              negatives: [], logQ: nil, rowWeight: 0.25)
        m.backward(state: state, profileGradient: r.gradient)
        let numeric = centralDifferences(m.parameters.values, h: 1e-5, value)
        assertGradientsClose(m.parameters.gradients, numeric, tolerance: 1e-6, what)
        for t in m.parameters.tensors {
            assertGradientsClose(Array(m.parameters.gradients[t.range]), Array(numeric[t.range]), tolerance: 1e-6, "\(what) \(t.name)")
        }
    }

    func testAttentionModelGradients() throws {
        var rng = SeededGenerator(seed: 21)
        let items: Matrix<Double> = unitRows(10, 5, &rng)
        var model = try AttentionProfileModel<Double>(.init(dim: 5, rank: 3, typeCount: 2, ageBuckets: .logTime(buckets: 4, unitSeconds: 86_400),
                                                            window: 4, initialization: .xavier, seed: 3))
        XCTAssertEqual(model.parameters.tensors.map(\.name),
                       ["attention.weight", "attention.query", "attention.type_bias", "attention.age_bias", "output.weight"])
        model.parameters.setAllValues(randomValues(model.parameters.count, &rng))
        try modelGradientCheck(model, batch: smallBatch(&rng, types: 2), items: items,
                               loss: ProfileLoss(kind: .full, scale: 4, normalize: true), "attention model")
    }

    func testMLPModelGradients() throws {
        var rng = SeededGenerator(seed: 22)
        let items: Matrix<Double> = unitRows(10, 4, &rng)
        for (act, ln, residual) in [(Activation.gelu, true, MLPProfileModel<Double>.Residual.decayed), (.relu, false, .none)] {
            var model = try MLPProfileModel<Double>(.init(dim: 4, hidden: 6, activation: act, layerNorm: ln, residual: residual,
                                                          halfLife: .seconds(150_000), window: 4, seed: 4))
            model.parameters.setAllValues(randomValues(model.parameters.count, &rng))
            try modelGradientCheck(model, batch: smallBatch(&rng, types: 3), items: items,
                                   loss: ProfileLoss(kind: .full, scale: 3, normalize: true), "mlp \(act) ln=\(ln)")
        }
    }

    func testIdentityAttentionIsWeightedMeanOfWindow() throws {
        var rng = SeededGenerator(seed: 23)
        let d = 16
        let items: Matrix<Float> = unitRows(30, d, &rng)
        let model = try AttentionProfileModel<Float>(.init(dim: d, typeCount: 3, window: 4, initialization: .identity))
        var b = SequenceBatch()
        let weights: [Double] = [5, 1, 2, 0, 3, 0.5]  // event 3 has weight 0; events 0, 1 fall outside the window
        let ids = [3, 17, 17, 8, 29, 0]
        for (i, id) in ids.enumerated() { b.addEvent(item: id, type: i % 3, time: Int64(i) * 1000, weight: weights[i]) }
        b.addExample(rows: 0..<6, targets: [])
        b.addExample(rows: 0..<2, targets: [])
        let p = try model.profiles(b, items: items)
        XCTAssertEqual(p.rows, 2)
        XCTAssertEqual(p.cols, d)
        for (row, range) in [(0, 2..<6), (1, 0..<2)] {
            var expected = [Double](repeating: 0, count: d)
            var total = 0.0
            for k in range {
                total += weights[k]
                for c in 0..<d { expected[c] += weights[k] * Double(items[ids[k], c]) }
            }
            for c in 0..<d { XCTAssertEqual(Double(p[row, c]), expected[c] / total, accuracy: 1e-6, "row \(row) col \(c)") }
        }
        // No events (or only weight-0 events): the zero profile, as `mean` gives.
        XCTAssertEqual(try model.profile(items: [], itemTable: items), [Float](repeating: 0, count: d))
        XCTAssertEqual(try model.profile(items: [4], weights: [0], itemTable: items), [Float](repeating: 0, count: d))
        let mlp = try MLPProfileModel<Float>(.init(dim: d, hidden: 4))
        XCTAssertEqual(try mlp.profile(items: [], itemTable: items).count, d)
        // Without event weights it is the plain mean of the window.
        let plain = try AttentionProfileModel<Float>(.init(dim: d, typeCount: 3, window: 4, useEventWeights: false))
        let q = try plain.profile(items: ids, types: [0, 1, 2, 0, 1, 2], itemTable: items)
        for c in 0..<d {
            let mean = (2..<6).map { Double(items[ids[$0], c]) }.reduce(0, +) / 4
            XCTAssertEqual(Double(q[c]), mean, accuracy: 1e-6)
        }
    }

    func testPrecomputedInferenceMatchesTheModel() throws {
        var rng = SeededGenerator(seed: 29)
        let items: Matrix<Float> = unitRows(25, 8, &rng)
        var model = try AttentionProfileModel<Float>(.init(dim: 8, rank: 5, typeCount: 3, ageBuckets: .logTime(buckets: 5, unitSeconds: 3600),
                                                           window: 6, initialization: .xavier, seed: 7))
        model.parameters.setAllValues(randomValues(model.parameters.count, &rng))
        let fast = try model.inference(items: items)
        for n in [0, 1, 4, 9] {
            let ids = (0..<n).map { _ in rng.uniformIndex(25) }
            let types = (0..<n).map { _ in rng.uniformIndex(3) }
            let times = (0..<n).map { Int64($0) * 5000 }
            let weights = (0..<n).map { $0 == 2 ? 0 : 0.5 + rng.nextDouble() }
            let slow = try model.profile(items: ids, types: types, times: times, weights: weights, itemTable: items)
            let quick = try fast.profile(items: ids, types: types, times: times, weights: weights)
            XCTAssertEqual(quick.count, 8)
            for c in 0..<8 { XCTAssertEqual(quick[c], slow[c], accuracy: 1e-5, "n \(n) col \(c)") }
        }
        XCTAssertThrowsError(try fast.profile(items: [30]))
        XCTAssertThrowsError(try fast.profile(items: [1], weights: [-1]))
    }

    func testAttentionConfigurationErrors() {
        XCTAssertThrowsError(try AttentionProfileModel<Float>(.init(dim: 8, rank: 4, initialization: .identity))) {
            XCTAssertEqual(($0 as? LearningError)?.message, "attention: identity initialisation needs rank == dim (got rank 4, dim 8)")
        }
        XCTAssertThrowsError(try AttentionProfileModel<Float>(.init(dim: 8, window: 0)))
        var rng = SeededGenerator(seed: 1)
        let items: Matrix<Float> = unitRows(5, 8, &rng)
        let model = try! AttentionProfileModel<Float>(.init(dim: 8, typeCount: 2))
        XCTAssertThrowsError(try model.profile(items: [1, 7], itemTable: items)) {
            XCTAssertEqual(($0 as? LearningError)?.message, "batch: event row 1 has item 7, outside 0..<5")
        }
        XCTAssertThrowsError(try model.profile(items: [1, 2], types: [0, 2], itemTable: items))
    }

    func testMLPWithResidualStartsAsItsBase() throws {
        var rng = SeededGenerator(seed: 24)
        let d = 6
        let items: Matrix<Float> = unitRows(12, d, &rng)
        let ids = [1, 4, 4, 9, 2]
        let w: [Double] = [1, 2, 1, 1, 3]
        let model = try MLPProfileModel<Float>(.init(dim: d, hidden: 8, residual: .decayed, halfLife: .events(2), window: 10))
        let p = try model.profile(items: ids, weights: w, itemTable: items)
        var num = [Double](repeating: 0, count: d), den = 0.0
        for k in 0..<5 {
            let wk = w[k] * Foundation.pow(2, -Double(4 - k) / 2)
            den += wk
            for c in 0..<d { num[c] += wk * Double(items[ids[k], c]) }
        }
        for c in 0..<d { XCTAssertEqual(Double(p[c]), num[c] / den, accuracy: 1e-6) }
        let f = model.features(.single(items: ids, weights: w), items: items).features
        XCTAssertEqual(f.cols, 3 * d + 1)
        XCTAssertEqual(Double(f[0, 3 * d]), Foundation.log(6), accuracy: 1e-6)
        for c in 0..<d { XCTAssertEqual(f[0, 2 * d + c], items[2, c]) }  // last event
    }

    func testOnlineWithZeroStepsReturnsInitExactly() throws {
        var rng = SeededGenerator(seed: 25)
        let items: Matrix<Float> = unitRows(20, 8, &rng)
        let initial: [Float] = randomValues(8, &rng)
        let out = try OnlineUpdate(steps: 0, learningRate: 0.5).apply(profile: initial, chunk: [3, 4, 5], items: items)
        XCTAssertEqual(out, initial)
        let batch: Matrix<Float> = randomMatrix(3, 8, &rng)
        let same = try OnlineUpdate(steps: 0, learningRate: 0.5).apply(profiles: batch, targetOffsets: [0, 2, 2, 3], targets: [1, 2, 3], items: items)
        XCTAssertEqual(same.values, batch.values)
    }

    func testOnlineStepsLowerTheChunkLossAndMatchOneManualStep() throws {
        var rng = SeededGenerator(seed: 26)
        let items: Matrix<Double> = unitRows(20, 8, &rng)
        let p0: [Double] = randomValues(8, &rng)
        let chunk = [3, 4, 11]
        let loss = ProfileLoss(kind: .full, scale: 20, normalize: true)
        func chunkLoss(_ p: [Double]) -> Double {
            loss.evaluate(profiles: Matrix(rows: 1, cols: 8, values: p), items: items, targetOffsets: [0, 3], targets: chunk.map { Int32($0) },
                          negatives: [], logQ: nil, rowWeight: 1, needGradient: false).loss
        }
        let one = try OnlineUpdate(steps: 1, learningRate: 0.1).apply(profile: p0, chunk: chunk, items: items)
        let g = loss.evaluate(profiles: Matrix(rows: 1, cols: 8, values: p0), items: items, targetOffsets: [0, 3],
                              targets: chunk.map { Int32($0) }, negatives: [], logQ: nil, rowWeight: 1).gradient.values
        for c in 0..<8 { XCTAssertEqual(one[c], p0[c] - 0.1 * g[c], accuracy: 1e-15) }
        let ten = try OnlineUpdate(steps: 10, learningRate: 0.1).apply(profile: p0, chunk: chunk, items: items)
        XCTAssertLessThan(chunkLoss(ten), chunkLoss(p0) - 1)
        XCTAssertThrowsError(try OnlineUpdate(steps: 1, learningRate: 0.1).apply(profile: p0, chunk: [20], items: items))
    }

    func testLinearModelGradientsAndIdentityStart() throws {
        var rng = SeededGenerator(seed: 27)
        let items: Matrix<Double> = unitRows(10, 4, &rng)
        var model = try LinearProfileModel<Double>(.init(dim: 4, base: .decayed, halfLife: .events(2), window: 4))
        XCTAssertEqual(model.parameters.tensors.map(\.name), ["projection.weight"])
        let batch = smallBatch(&rng, types: 1)
        // Untrained (M = I) it is the formula profile.
        let b = model.baseProfiles(batch, items: items)
        XCTAssertEqual(try model.profiles(batch, items: items).values, b.values)
        model.parameters.setAllValues(randomValues(model.parameters.count, &rng))
        try modelGradientCheck(model, batch: batch, items: items, loss: ProfileLoss(kind: .full, scale: 3), "linear model")
    }

    func testOnlineThroughAProjection() throws {
        var rng = SeededGenerator(seed: 28)
        let items: Matrix<Double> = unitRows(15, 5, &rng)
        let m: Matrix<Double> = randomMatrix(5, 5, &rng)
        let p0: [Double] = randomValues(5, &rng)
        let chunk = [2, 9]
        XCTAssertEqual(try OnlineUpdate(steps: 0, learningRate: 0.3).apply(profile: p0, chunk: chunk, items: items, projection: m), p0)
        // One step is P − lr·∇_P L(P·M): compare with central differences of L(P·M).
        let lr = 0.3
        let p1 = try OnlineUpdate(steps: 1, learningRate: lr).apply(profile: p0, chunk: chunk, items: items, projection: m)
        let loss = ProfileLoss(kind: .full, scale: 20, normalize: true)
        let numeric = centralDifferences(p0, h: 1e-5) { p in
            loss.evaluate(profiles: OnlineUpdate.project(Matrix(rows: 1, cols: 5, values: p), m), items: items, targetOffsets: [0, 2],
                          targets: [2, 9], negatives: [], logQ: nil, rowWeight: 1, needGradient: false).loss
        }
        assertGradientsClose(zip(p0, p1).map { ($0 - $1) / lr }, numeric, tolerance: 1e-6, "online step through M")
        XCTAssertThrowsError(try OnlineUpdate(steps: 1, learningRate: lr).apply(profile: p0, chunk: chunk, items: items,
                                                                                 projection: Matrix(rows: 4, cols: 5)))
    }

    func testAgeBuckets() {
        XCTAssertEqual((0..<6).map { AgeBucketing.position(buckets: 4).bucket(eventsBack: $0, secondsBack: 0) }, [0, 1, 2, 3, 3, 3])
        XCTAssertEqual((0..<9).map { AgeBucketing.logPosition(buckets: 4).bucket(eventsBack: $0, secondsBack: 0) }, [0, 1, 1, 2, 2, 2, 2, 3, 3])
        let day: Int64 = 86_400
        XCTAssertEqual([0, day / 2, day, 3 * day, 7 * day, 1000 * day].map {
            AgeBucketing.logTime(buckets: 4, unitSeconds: 86_400).bucket(eventsBack: 0, secondsBack: $0)
        }, [0, 0, 1, 2, 3, 3])
    }
}

import Foundation
