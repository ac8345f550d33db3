import XCTest
import Statistics

/// Holm and Benjamini–Hochberg on worked examples, checked by hand (values exact to the
/// printed digits; tolerance 1e-12 absolute covers the rounding of m·p).
final class MultipleTestingTests: XCTestCase {
    /// Holm's method, the four-hypothesis example of Wikipedia's "Holm–Bonferroni method":
    /// p = (0.01, 0.04, 0.03, 0.005). Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06,
    /// 0.04·1 = 0.04 → running max 0.06. In input order: (0.03, 0.06, 0.06, 0.02); at
    /// α = 0.05 H₁ and H₄ are rejected, as the article concludes.
    func testHolmTextbookExample() {
        let adjusted = holm([0.01, 0.04, 0.03, 0.005])
        for (a, e) in zip(adjusted, [0.03, 0.06, 0.06, 0.02]) {
            XCTAssertEqual(a, e, accuracy: 1e-12)
        }
    }

    /// Benjamini & Hochberg (1995), §4.1: the 15 p-values of the myocardial-infarction
    /// example. m·p₍ᵢ₎/i = 0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.0695, 0.0638571…,
    /// 0.0645, 0.0765, 0.486, 0.5811818…, 0.714875, 0.7532307…, 0.8132142…, 1; the running
    /// minimum from the top lowers the 6th to 0.0638571…. At q = 0.05 four hypotheses are
    /// rejected, as in the paper.
    func testBenjaminiHochbergPaperExample() {
        let p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459,
                 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000]
        let expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 15 * 0.0298 / 7, 15 * 0.0298 / 7,
                        0.0645, 0.0765, 0.486, 15 * 0.4262 / 11, 0.714875, 15 * 0.6528 / 13,
                        15 * 0.7590 / 14, 1]
        let adjusted = benjaminiHochberg(p)
        for (a, e) in zip(adjusted, expected) { XCTAssertEqual(a, e, accuracy: 1e-12) }
        XCTAssertEqual(adjusted.filter { $0 <= 0.05 }.count, 4)
        // The same values shuffled come back in the shuffled order.
        let permutation = [14, 3, 0, 9, 7, 1, 12, 5, 11, 2, 13, 6, 10, 4, 8]
        let shuffled = benjaminiHochberg(permutation.map { p[$0] })
        for (k, i) in permutation.enumerated() { XCTAssertEqual(shuffled[k], adjusted[i], accuracy: 1e-15) }
    }

    func testCappedAtOneAndMonotone() {
        XCTAssertEqual(holm([0.5, 0.6, 0.9]), [1, 1, 1])
        XCTAssertEqual(benjaminiHochberg([0.9, 0.95]), [0.95, 0.95])
        let p = [0.2, 0.001, 0.04, 0.04, 0.03, 0.7, 0.011]
        for adjust in [holm, benjaminiHochberg] {
            let q = adjust(p)
            for i in p.indices {
                XCTAssertGreaterThanOrEqual(q[i], p[i])
                XCTAssertLessThanOrEqual(q[i], 1)
                for j in p.indices where p[i] <= p[j] { XCTAssertLessThanOrEqual(q[i], q[j]) }
            }
        }
    }

    /// NaN (an undefined test) stays NaN and is not counted in m, as R's p.adjust does.
    func testNaNIsLeftOutOfTheFamily() {
        let h = holm([0.01, .nan, 0.04])
        XCTAssertEqual(h[0], 0.02, accuracy: 1e-15)
        XCTAssertTrue(h[1].isNaN)
        XCTAssertEqual(h[2], 0.04, accuracy: 1e-15)
        let b = benjaminiHochberg([.nan, 0.01, 0.04])
        XCTAssertTrue(b[0].isNaN)
        XCTAssertEqual(b[1], 0.02, accuracy: 1e-15)
        XCTAssertEqual(b[2], 0.04, accuracy: 1e-15)
        XCTAssertEqual(holm([]), [])
        XCTAssertEqual(benjaminiHochberg([]), [])
    }
}
