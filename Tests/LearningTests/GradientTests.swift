import XCTest
import Statistics
@testable import Learning

/// Central finite-difference checks of every layer's and loss's analytic gradient, in float64
/// (h = 1e-5: truncation error O(h²) ≈ 1e-10 and rounding ≈ 1e-16/h ≈ 1e-11, far below the
/// 1e-6 relative tolerance), with a float32 check of the attention layer (h = 1e-2, 1e-3).
/// Inputs are seeded random values, away from kinks where a layer has one.
final class GradientTests: XCTestCase {
    let h = 1e-5
    let tolerance = 1e-6

    func testDense() {
        var rng = SeededGenerator(seed: 11)
        var store = ParameterStore<Double>()
        let layer = Dense("d", inputs: 5, outputs: 4, store: &store, rng: &rng)
        store.setValues(randomValues(4, &rng), of: layer.bias!)
        let x: Matrix<Double> = randomMatrix(3, 5, &rng)
        let r: Matrix<Double> = randomMatrix(3, 4, &rng)
        func loss(_ s: ParameterStore<Double>, _ x: Matrix<Double>) -> Double {
            s.values.withUnsafeBufferPointer { readout(layer.forward(x, parameters: $0), r) }
        }
        var gx = Matrix<Double>(rows: 0, cols: 0)
        let g = gradients(store) { p, gr in gx = layer.backward(x, outputGradient: r, parameters: p, gradients: gr) }
        XCTAssertEqual(g.count, 5 * 4 + 4)
        assertGradientsClose(g, centralDifferences(store.values, h: h) { loss(withValues(store, $0), x) }, tolerance: tolerance, "dense θ")
        assertGradientsClose(gx.values, centralDifferences(x.values, h: h) { loss(store, Matrix(rows: 3, cols: 5, values: $0)) },
                             tolerance: tolerance, "dense x")
    }

    func testActivations() {
        var rng = SeededGenerator(seed: 12)
        // Values in ±[0.05, 2]: ReLU is checked away from its kink at 0.
        var x: Matrix<Double> = randomMatrix(4, 6, &rng, 0.05, 2)
        for i in 0..<x.values.count where rng.uniformIndex(2) == 0 { x.values[i] = -x.values[i] }
        let r: Matrix<Double> = randomMatrix(4, 6, &rng)
        for act in Activation.allCases {
            let gx = act.backward(x, outputGradient: r)
            let numeric = centralDifferences(x.values, h: h) { readout(act.forward(Matrix(rows: 4, cols: 6, values: $0)), r) }
            assertGradientsClose(gx.values, numeric, tolerance: tolerance, "\(act)")
        }
        // Reference values: GELU-tanh(1) = 0.8411919906, GELU-tanh(−0.5) = −0.1542860 (the formula evaluated in Python float64).
        let g = Activation.gelu.forward(Matrix<Double>(rows: 1, cols: 2, values: [1, -0.5]))
        XCTAssertEqual(g.values[0], 0.8411919906082768, accuracy: 1e-12)
        XCTAssertEqual(g.values[1], -0.15428599017485606, accuracy: 1e-12)
        XCTAssertEqual(Activation.relu.forward(Matrix<Double>(rows: 1, cols: 3, values: [-1, 0, 2])).values, [0, 0, 2])
    }

    func testLayerNorm() {
        var rng = SeededGenerator(seed: 13)
        var store = ParameterStore<Double>()
        let ln = LayerNorm("ln", width: 7, store: &store, rng: &rng)
        store.setAllValues(randomValues(store.count, &rng, 0.5, 1.5))  // γ, β not at 1, 0
        let x: Matrix<Double> = randomMatrix(3, 7, &rng, -2, 2)
        let r: Matrix<Double> = randomMatrix(3, 7, &rng)
        func loss(_ s: ParameterStore<Double>, _ x: Matrix<Double>) -> Double {
            s.values.withUnsafeBufferPointer { readout(ln.forward(x, parameters: $0).0, r) }
        }
        let cache = store.values.withUnsafeBufferPointer { ln.forward(x, parameters: $0).1 }
        var gx = Matrix<Double>(rows: 0, cols: 0)
        let g = gradients(store) { p, gr in gx = ln.backward(cache, outputGradient: r, parameters: p, gradients: gr) }
        assertGradientsClose(g, centralDifferences(store.values, h: h) { loss(withValues(store, $0), x) }, tolerance: tolerance, "layernorm θ")
        assertGradientsClose(gx.values, centralDifferences(x.values, h: h) { loss(store, Matrix(rows: 3, cols: 7, values: $0)) },
                             tolerance: tolerance, "layernorm x")
        // Forward: each row of x̂ has mean 0 and variance 1/(1 + ε/σ²).
        let y = store.values.withUnsafeBufferPointer { ln.forward(x, parameters: $0).1.normalized }
        for row in 0..<3 {
            let v = y.row(row)
            XCTAssertEqual(v.reduce(0, +) / 7, 0, accuracy: 1e-12)
            XCTAssertEqual(v.map { $0 * $0 }.reduce(0, +) / 7, 1, accuracy: 1e-3)
        }
    }

    func testL2Normalize() {
        var rng = SeededGenerator(seed: 14)
        let x: Matrix<Double> = randomMatrix(3, 5, &rng)
        let r: Matrix<Double> = randomMatrix(3, 5, &rng)
        let (y, norms) = L2Normalize.forward(x)
        let gx = L2Normalize.backward(output: y, norms: norms, outputGradient: r)
        assertGradientsClose(gx.values, centralDifferences(x.values, h: h) { readout(L2Normalize.forward(Matrix(rows: 3, cols: 5, values: $0)).0, r) },
                             tolerance: tolerance, "l2normalize")
        for row in 0..<3 { XCTAssertEqual(y.row(row).map { $0 * $0 }.reduce(0, +), 1, accuracy: 1e-12) }
        let zero = L2Normalize.forward(Matrix<Double>(rows: 1, cols: 3))
        XCTAssertEqual(zero.0.values, [0, 0, 0])
    }

    /// Four sequences over 6 shared event rows: overlapping prefixes, a masked entry (weight 0),
    /// unequal event weights, an empty sequence and an all-masked one.
    func attentionFixture<T: LearningScalar>(_ rng: inout SeededGenerator) -> (AttentionPooling, ParameterStore<T>, Matrix<T>, PackedSequences) {
        var store = ParameterStore<T>()
        let layer = AttentionPooling("att", inputs: 5, rank: 3, typeCount: 3, bucketCount: 4, identity: false, store: &store, rng: &rng)
        store.setAllValues(randomValues(store.count, &rng))  // q and the biases away from 0
        let x: Matrix<T> = randomMatrix(6, 5, &rng)
        var seq = PackedSequences()
        let spec: [[(Int, Int, Int, Double)]] = [
            [(0, 0, 2, 1), (1, 1, 1, 2), (2, 2, 0, 1)],
            [(0, 0, 3, 1), (1, 1, 2, 0), (2, 2, 1, 1.5), (3, 0, 0, 1)],
            [],
            [(4, 1, 0, 0)],
            [(5, 2, 1, 0.5), (4, 1, 0, 3)],
        ]
        for s in spec {
            for (row, type, bucket, w) in s { seq.append(row: row, type: type, bucket: bucket, weight: w) }
            seq.endSequence()
        }
        return (layer, store, x, seq)
    }

    func testAttentionPooling() {
        var rng = SeededGenerator(seed: 15)
        let (layer, store, x, seq): (AttentionPooling, ParameterStore<Double>, Matrix<Double>, PackedSequences) = attentionFixture(&rng)
        let r: Matrix<Double> = randomMatrix(seq.count, 3, &rng)
        func loss(_ s: ParameterStore<Double>, _ x: Matrix<Double>) -> Double {
            s.values.withUnsafeBufferPointer { readout(layer.forward(x, sequences: seq, parameters: $0).0, r) }
        }
        let (y, cache) = store.values.withUnsafeBufferPointer { layer.forward(x, sequences: seq, parameters: $0) }
        // Masking is exact: α = 0 for the zero-weight entries, the empty and all-masked sequences pool to 0.
        XCTAssertEqual(cache.attention[4], 0)
        XCTAssertEqual(cache.attention[7], 0)
        XCTAssertEqual(y.row(2), [0, 0, 0])
        XCTAssertEqual(y.row(3), [0, 0, 0])
        XCTAssertEqual(cache.attention[0..<3].reduce(0, +), 1, accuracy: 1e-12)
        var gx = Matrix<Double>(rows: 0, cols: 0)
        let g = gradients(store) { p, gr in
            gx = layer.backward(x, sequences: seq, cache: cache, outputGradient: r, parameters: p, gradients: gr, needInputGradient: true)
        }
        let numeric = centralDifferences(store.values, h: h) { loss(withValues(store, $0), x) }
        assertGradientsClose(g, numeric, tolerance: tolerance, "attention θ")
        for p in store.tensors {  // every tensor gets a real gradient, each checked on its own scale
            assertGradientsClose(Array(g[p.range]), Array(numeric[p.range]), tolerance: tolerance, "attention \(p.name)")
        }
        assertGradientsClose(gx.values, centralDifferences(x.values, h: h) { loss(store, Matrix(rows: 6, cols: 5, values: $0)) },
                             tolerance: tolerance, "attention x")
    }

    func testAttentionPoolingFloat32() {
        var rng = SeededGenerator(seed: 15)
        let (layer, store, x, seq): (AttentionPooling, ParameterStore<Float>, Matrix<Float>, PackedSequences) = attentionFixture(&rng)
        let r: Matrix<Float> = randomMatrix(seq.count, 3, &rng)
        let cache = store.values.withUnsafeBufferPointer { layer.forward(x, sequences: seq, parameters: $0).1 }
        let g = gradients(store) { p, gr in
            _ = layer.backward(x, sequences: seq, cache: cache, outputGradient: r, parameters: p, gradients: gr)
        }
        let numeric = centralDifferences(store.values, h: 1e-2) { v in
            withValues(store, v).values.withUnsafeBufferPointer { readout(layer.forward(x, sequences: seq, parameters: $0).0, r) }
        }
        assertGradientsClose(g, numeric, tolerance: 1e-3, "attention θ (float32)")
    }

    func testFullSoftmax() {
        var rng = SeededGenerator(seed: 16)
        let p: Matrix<Double> = randomMatrix(4, 6, &rng)
        let e: Matrix<Double> = unitRows(9, 6, &rng)
        // Rows with one target, three targets (one repeated), none, and one.
        let offsets = [0, 1, 4, 4, 5]
        let targets: [Int32] = [3, 0, 8, 8, 5]
        let r = SoftmaxLoss.full(profiles: p, items: e, targetOffsets: offsets, targets: targets, scale: 2.5, rowWeight: 0.7)
        XCTAssertEqual(r.targets, 5)
        XCTAssertEqual(r.gradient.row(2), [Double](repeating: 0, count: 6))
        let numeric = centralDifferences(p.values, h: h) {
            SoftmaxLoss.full(profiles: Matrix(rows: 4, cols: 6, values: $0), items: e, targetOffsets: offsets, targets: targets,
                             scale: 2.5, rowWeight: 0.7, needGradient: false).loss
        }
        assertGradientsClose(r.gradient.values, numeric, tolerance: tolerance, "full softmax")
        // Value against a direct float64 evaluation of row 0: LSE(2.5·Ep) − 2.5·e₃ᵀp.
        var logits = [Double](repeating: 0, count: 9)
        for j in 0..<9 { for c in 0..<6 { logits[j] += 2.5 * e[j, c] * p[0, c] } }
        let lse = Foundation.log(logits.map { Foundation.exp($0) }.reduce(0, +))
        let row0 = SoftmaxLoss.full(profiles: Matrix(rows: 1, cols: 6, values: p.row(0)), items: e, targetOffsets: [0, 1],
                                    targets: [3], scale: 2.5, rowWeight: 1)
        XCTAssertEqual(row0.loss, lse - logits[3], accuracy: 1e-12)
        // Stable at large logits (a naive Σ exp would overflow float32 here).
        let big = SoftmaxLoss.full(profiles: Matrix<Float>(rows: 1, cols: 2, values: [1, 0]),
                                   items: Matrix<Float>(rows: 2, cols: 2, values: [1, 0, 0, 1]), targetOffsets: [0, 1], targets: [1],
                                   scale: 1000, rowWeight: 1)
        XCTAssertEqual(big.loss, 1000, accuracy: 1e-3)
        XCTAssertTrue(big.gradient.values.allSatisfy { $0.isFinite })
    }

    func testSampledSoftmax() throws {
        var rng = SeededGenerator(seed: 17)
        let p: Matrix<Double> = randomMatrix(3, 5, &rng)
        let e: Matrix<Double> = unitRows(12, 5, &rng)
        let sampler = try NegativeSampler(counts: (0..<12).map { Double($0 % 4) * 3 }, power: 0.75)
        var negRNG = SeededGenerator(seed: 5)
        var negatives = sampler.sample(6, using: &negRNG)
        negatives[2] = 4  // an accidental hit for row 1
        let targets: [Int32] = [1, 4, 11]
        let r = SoftmaxLoss.sampled(profiles: p, items: e, targets: targets, negatives: negatives, logQ: sampler.logProbabilities,
                                    scale: 3, rowWeight: 0.5)
        let numeric = centralDifferences(p.values, h: h) {
            SoftmaxLoss.sampled(profiles: Matrix(rows: 3, cols: 5, values: $0), items: e, targets: targets, negatives: negatives,
                                logQ: sampler.logProbabilities, scale: 3, rowWeight: 0.5, needGradient: false).loss
        }
        assertGradientsClose(r.gradient.values, numeric, tolerance: tolerance, "sampled softmax")
        // Row 1's loss by hand: the candidate equal to the target is masked.
        var cands: [Double] = []
        func logit(_ j: Int) -> Double {
            var s = 0.0
            for c in 0..<5 { s += p[1, c] * e[j, c] }
            return 3 * s - sampler.logProbabilities[j]
        }
        for n in negatives where n != 4 { cands.append(logit(Int(n))) }
        let pos = logit(4)
        let expected = 0.5 * (Foundation.log((cands + [pos]).map { Foundation.exp($0) }.reduce(0, +)) - pos)
        let row1 = SoftmaxLoss.sampled(profiles: Matrix(rows: 1, cols: 5, values: p.row(1)), items: e, targets: [4], negatives: negatives,
                                       logQ: sampler.logProbabilities, scale: 3, rowWeight: 0.5)
        XCTAssertEqual(row1.loss, expected, accuracy: 1e-12)
    }

    func testNormalizedLossComposition() {
        var rng = SeededGenerator(seed: 18)
        let p: Matrix<Double> = randomMatrix(3, 4, &rng)
        let e: Matrix<Double> = unitRows(7, 4, &rng)
        let loss = ProfileLoss(kind: .sampled(negatives: 4, proposal: .uniform), scale: 5, normalize: true)
        let negatives: [Int32] = [0, 2, 5, 6]
        let r = loss.evaluate(profiles: p, items: e, targetOffsets: [0, 1, 2, 3], targets: [1, 3, 4], negatives: negatives, logQ: nil, rowWeight: 1)
        let numeric = centralDifferences(p.values, h: h) {
            loss.evaluate(profiles: Matrix(rows: 3, cols: 4, values: $0), items: e, targetOffsets: [0, 1, 2, 3], targets: [1, 3, 4],
                          negatives: negatives, logQ: nil, rowWeight: 1, needGradient: false).loss
        }
        assertGradientsClose(r.gradient.values, numeric, tolerance: tolerance, "normalised sampled loss")
    }
}

import Foundation

/// The same checks on the float32 path (h = 1e-2; rounding ≈ 1e-7/h ≈ 1e-5, truncation O(h²)):
/// every coordinate within 1e-3 relative error (with a 1% floor, see `floor`).
final class Float32GradientTests: XCTestCase {
    let h = 1e-2
    let tolerance = 1e-3
    /// Coordinates below 1% of the largest are judged against 1% of it: float32 differences
    /// carry ≈ 1e-6 absolute noise, more than a 1e-3 relative bound on a tiny coordinate allows.
    let floor = 1e-2

    func testDenseAndActivations() {
        var rng = SeededGenerator(seed: 61)
        var store = ParameterStore<Float>()
        let layer = Dense("d", inputs: 6, outputs: 5, store: &store, rng: &rng)
        store.setValues(randomValues(5, &rng), of: layer.bias!)
        let x: Matrix<Float> = randomMatrix(4, 6, &rng)
        let r: Matrix<Float> = randomMatrix(4, 5, &rng)
        var gx = Matrix<Float>(rows: 0, cols: 0)
        let g = gradients(store) { p, gr in gx = layer.backward(x, outputGradient: r, parameters: p, gradients: gr) }
        func loss(_ s: ParameterStore<Float>, _ x: Matrix<Float>) -> Double {
            s.values.withUnsafeBufferPointer { readout(layer.forward(x, parameters: $0), r) }
        }
        assertGradientsClose(g, centralDifferences(store.values, h: h) { loss(withValues(store, $0), x) }, tolerance: tolerance, floor: floor, "dense θ f32")
        assertGradientsClose(gx.values, centralDifferences(x.values, h: h) { loss(store, Matrix(rows: 4, cols: 6, values: $0)) },
                             tolerance: tolerance, floor: floor, "dense x f32")
        var y: Matrix<Float> = randomMatrix(4, 6, &rng, 0.05, 2)
        for i in 0..<y.values.count where rng.uniformIndex(2) == 0 { y.values[i] = -y.values[i] }
        let ry: Matrix<Float> = randomMatrix(4, 6, &rng)
        for act in Activation.allCases {
            assertGradientsClose(act.backward(y, outputGradient: ry).values,
                                 centralDifferences(y.values, h: 1e-3) { readout(act.forward(Matrix(rows: 4, cols: 6, values: $0)), ry) },
                                 tolerance: tolerance, floor: floor, "\(act) f32")
        }
    }

    func testLayerNormAndL2Normalize() {
        var rng = SeededGenerator(seed: 62)
        var store = ParameterStore<Float>()
        let ln = LayerNorm("ln", width: 6, store: &store, rng: &rng)
        store.setAllValues(randomValues(store.count, &rng, 0.5, 1.5))
        let x: Matrix<Float> = randomMatrix(3, 6, &rng, -2, 2)
        let r: Matrix<Float> = randomMatrix(3, 6, &rng)
        let cache = store.values.withUnsafeBufferPointer { ln.forward(x, parameters: $0).1 }
        var gx = Matrix<Float>(rows: 0, cols: 0)
        let g = gradients(store) { p, gr in gx = ln.backward(cache, outputGradient: r, parameters: p, gradients: gr) }
        func loss(_ s: ParameterStore<Float>, _ x: Matrix<Float>) -> Double {
            s.values.withUnsafeBufferPointer { readout(ln.forward(x, parameters: $0).0, r) }
        }
        assertGradientsClose(g, centralDifferences(store.values, h: h) { loss(withValues(store, $0), x) }, tolerance: tolerance, floor: floor, "layernorm θ f32")
        assertGradientsClose(gx.values, centralDifferences(x.values, h: h) { loss(store, Matrix(rows: 3, cols: 6, values: $0)) },
                             tolerance: tolerance, floor: floor, "layernorm x f32")
        let (yn, norms) = L2Normalize.forward(x)
        assertGradientsClose(L2Normalize.backward(output: yn, norms: norms, outputGradient: r).values,
                             centralDifferences(x.values, h: h) { readout(L2Normalize.forward(Matrix(rows: 3, cols: 6, values: $0)).0, r) },
                             tolerance: tolerance, floor: floor, "l2normalize f32")
    }

    func testLosses() {
        var rng = SeededGenerator(seed: 63)
        let p: Matrix<Float> = randomMatrix(3, 6, &rng)
        let e: Matrix<Float> = unitRows(10, 6, &rng)
        let offsets = [0, 1, 3, 4], targets: [Int32] = [2, 5, 7, 9]
        let full = SoftmaxLoss.full(profiles: p, items: e, targetOffsets: offsets, targets: targets, scale: 2, rowWeight: 1)
        assertGradientsClose(full.gradient.values, centralDifferences(p.values, h: h) {
            SoftmaxLoss.full(profiles: Matrix(rows: 3, cols: 6, values: $0), items: e, targetOffsets: offsets, targets: targets,
                             scale: 2, rowWeight: 1, needGradient: false).loss
        }, tolerance: tolerance, floor: floor, "full softmax f32")
        let negatives: [Int32] = [0, 1, 3, 5, 8]
        let logQ = (0..<10).map { Foundation.log(Double($0 + 1) / 55) }
        let sampled = SoftmaxLoss.sampled(profiles: p, items: e, targets: [2, 5, 9], negatives: negatives, logQ: logQ, scale: 2, rowWeight: 1)
        assertGradientsClose(sampled.gradient.values, centralDifferences(p.values, h: h) {
            SoftmaxLoss.sampled(profiles: Matrix(rows: 3, cols: 6, values: $0), items: e, targets: [2, 5, 9], negatives: negatives,
                                logQ: logQ, scale: 2, rowWeight: 1, needGradient: false).loss
        }, tolerance: tolerance, floor: floor, "sampled softmax f32")
    }
}
