import XCTest
import Statistics
@testable import Learning

final class OptimizerTests: XCTestCase {
    /// Two AdamW steps (lr 0.1, β 0.9/0.999, ε 1e-8, λ 0.1) on a decayed weight w = 1 and an
    /// undecayed bias b = −2 with gradients (0.5, −1) then (−0.2, 0.3), worked by hand:
    /// step 1: m̂ = g, v̂ = g², so w = 1 − 0.1·0.1·1 − 0.1·0.5/(0.5 + 1e-8) = 0.890000002 and
    /// b = −2 + 0.1·1/(1 + 1e-8) = −1.900000001;
    /// step 2: m_w = 0.9·0.05 − 0.1·0.2 = 0.025, m̂_w = 0.025/0.19 = 0.131578947…,
    /// v_w = 0.999·0.00025 + 0.001·0.04 = 0.00028975, v̂_w = 0.00028975/0.001999 = 0.144947474…,
    /// w = 0.890000002·(1 − 0.01) − 0.1·0.131578947/(0.380719…) = 0.846539418…,
    /// b likewise = −1.857215142….
    func testAdamWAgainstHandComputedSteps() {
        var rng = SeededGenerator(seed: 0)
        var store = ParameterStore<Double>()
        let w = store.add("w", shape: [1], initializer: .constant(1), decays: true, rng: &rng)
        let b = store.add("b", shape: [1], initializer: .constant(-2), decays: false, rng: &rng)
        var adam = AdamW(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
        store.gradients = [0.5, -1]
        adam.update(&store)
        XCTAssertEqual(store.values(of: w)[0], 0.890000002, accuracy: 1e-15)
        XCTAssertEqual(store.values(of: b)[0], -1.900000001, accuracy: 1e-15)
        store.gradients = [-0.2, 0.3]
        adam.update(&store)
        XCTAssertEqual(adam.step, 2)
        XCTAssertEqual(store.values(of: w)[0], 0.8465394180965108, accuracy: 1e-14)
        XCTAssertEqual(store.values(of: b)[0], -1.8572151424292265, accuracy: 1e-14)

        // The float32 path (float32 moments) gives the same steps to float32 rounding.
        var s32 = ParameterStore<Float>()
        s32.add("w", shape: [1], initializer: .constant(1), decays: true, rng: &rng)
        s32.add("b", shape: [1], initializer: .constant(-2), decays: false, rng: &rng)
        var adam32 = AdamW(learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1)
        s32.gradients = [0.5, -1]
        adam32.update(&s32)
        s32.gradients = [-0.2, 0.3]
        adam32.update(&s32)
        XCTAssertEqual(s32.values[0], 0.8465394180965108, accuracy: 1e-6)
        XCTAssertEqual(s32.values[1], -1.8572151424292265, accuracy: 1e-6)
    }

    func testXavierInitIsSeededAndBounded() {
        func make(_ seed: UInt64) -> ParameterStore<Float> {
            var rng = SeededGenerator(seed: seed)
            var s = ParameterStore<Float>()
            _ = Dense("layer", inputs: 30, outputs: 20, store: &s, rng: &rng)
            return s
        }
        let a = make(7), b = make(7), c = make(8)
        XCTAssertEqual(a.values, b.values)
        XCTAssertNotEqual(a.values, c.values)
        XCTAssertEqual(a.count, 30 * 20 + 20)
        let bound = Float((6.0 / 50).squareRoot())
        let weights = a.values(of: a.tensor("layer.weight")!)
        XCTAssertTrue(weights.allSatisfy { abs($0) <= bound })
        XCTAssertGreaterThan(weights.map { abs($0) }.max()!, 0.9 * bound)  // spread over the range
        // U(−a, a) has variance a²/3.
        let variance = weights.map { Double($0) * Double($0) }.reduce(0, +) / Double(weights.count)
        XCTAssertEqual(variance, Double(bound * bound) / 3, accuracy: 0.1 * Double(bound * bound) / 3)
        XCTAssertEqual(a.values(of: a.tensor("layer.bias")!), [Float](repeating: 0, count: 20))
    }

    func testGradientNormAndIdentityInit() {
        var rng = SeededGenerator(seed: 0)
        var s = ParameterStore<Float>()
        let w = s.add("w", shape: [2, 3], initializer: .identity, decays: true, rng: &rng)
        XCTAssertEqual(s.values(of: w), [1, 0, 0, 0, 1, 0])
        s.gradients = [3, 0, 0, 0, 4, 0]
        XCTAssertEqual(s.gradientNorm(), 5)
        s.zeroGradients()
        XCTAssertEqual(s.gradients, [0, 0, 0, 0, 0, 0])
    }

    func testNegativeSamplerIsSeededAndFollowsItsProposal() throws {
        let sampler = try NegativeSampler(counts: [0, 9, 0, 99], power: 1, smoothing: 1)  // Q = 1, 10, 1, 100 / 112
        var r1 = SeededGenerator(seed: 3), r2 = SeededGenerator(seed: 3)
        let a = sampler.sample(20_000, using: &r1)
        XCTAssertEqual(a, sampler.sample(20_000, using: &r2))
        let share3 = Double(a.filter { $0 == 3 }.count) / 20_000
        XCTAssertEqual(share3, 100.0 / 112, accuracy: 0.01)
        XCTAssertEqual(sampler.logProbabilities[1], Foundation.log(10.0 / 112), accuracy: 1e-12)
        XCTAssertThrowsError(try NegativeSampler(counts: []))
    }
}

import Foundation
