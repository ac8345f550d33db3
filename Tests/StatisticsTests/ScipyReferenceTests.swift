import XCTest
@testable import Statistics

/// Paired tests against scipy 1.17 (`ttest_rel`, `wilcoxon` with default arguments).
///
/// Tolerances: the project contract is 1e-6 absolute on p and on the statistic (DESIGN.md,
/// "Tests are two-sided and paired by user"). Both are also held to 1e-9 relative, far
/// tighter than the contract, so that a slow loss of accuracy is caught before it matters;
/// the t statistic uses the same sums as NumPy and usually agrees to the last bit.
/// Wilcoxon statistics are sums of (half-)integer ranks and must agree exactly.
final class ScipyReferenceTests: XCTestCase {
    static let contract = 1e-6
    static let relative = 1e-9

    func check(_ c: PairedCase, source: String) {
        let label = "\(source) \(c.name)"
        XCTAssertFalse(c.a.isEmpty, "\(label): an empty sample tests nothing")
        XCTAssertEqual(c.a.count, c.b.count, "\(label): paired samples of different lengths")
        let t = pairedTTest(c.a, c.b)
        switch (t, c.paired_t) {
        case (nil, nil): break
        case let (t?, reference?):
            assertClose(t.statistic, reference.statistic, absolute: Self.contract, "\(label) t statistic")
            assertClose(t.statistic, reference.statistic, absolute: 0, relative: Self.relative, "\(label) t statistic (tight)")
            assertClose(t.p, reference.p, absolute: Self.contract, "\(label) t p")
            assertClose(t.p, reference.p, absolute: 1e-300, relative: Self.relative, "\(label) t p (tight)")
        default:
            XCTFail("\(label) paired t: got \(String(describing: t)), scipy gave \(String(describing: c.paired_t))")
        }
        let w = wilcoxonSignedRank(c.a, c.b)
        switch (w, c.wilcoxon) {
        case (nil, nil): break
        case let (w?, reference?):
            XCTAssertEqual(w.statistic, reference.statistic, "\(label) Wilcoxon statistic")
            assertClose(w.p, reference.p, absolute: Self.contract, "\(label) Wilcoxon p")
            assertClose(w.p, reference.p, absolute: 1e-300, relative: Self.relative, "\(label) Wilcoxon p (tight)")
        default:
            XCTFail("\(label) Wilcoxon: got \(String(describing: w)), scipy gave \(String(describing: c.wilcoxon))")
        }
    }

    func testSharedFixture() throws {
        let reference = try Fixtures.sharedReference()
        XCTAssertGreaterThanOrEqual(reference.cases.count, 6, "stats-reference.json lost cases")
        for c in reference.cases { check(c, source: "stats-reference.json") }
    }

    func testExtraPairedCases() throws {
        let reference = try Fixtures.extra()
        XCTAssertGreaterThanOrEqual(reference.paired.count, 18)
        for c in reference.paired {
            check(c, source: "stats-extra.json")
            // Cohen's d_z = mean/sd of the differences (numpy, ddof 1); 1e-12 relative.
            switch (cohensDPaired(c.a, c.b), c.cohens_d) {
            case (nil, nil): break
            case let (d?, reference?):
                assertClose(d, reference, absolute: 0, relative: 1e-12, "\(c.name) Cohen's d")
            case let (d, reference):
                XCTFail("\(c.name) Cohen's d: got \(String(describing: d)), numpy gave \(String(describing: reference))")
            }
        }
    }

    func testWelchAgainstScipy() throws {
        let cases = try Fixtures.extra().welch
        XCTAssertGreaterThanOrEqual(cases.count, 3, "stats-extra.json lost its Welch cases")
        XCTAssertGreaterThan(cases.filter { $0.result != nil }.count, 0, "no Welch case has a defined result")
        for c in cases {
            let r = welchTTest(c.x, c.y)
            switch (r, c.result) {
            case (nil, nil): break
            case let (r?, reference?):
                assertClose(r.statistic, reference.statistic, absolute: Self.contract, relative: Self.relative,
                            "Welch \(c.name) statistic")
                assertClose(r.p, reference.p, absolute: 1e-300, relative: Self.relative, "Welch \(c.name) p")
                assertClose(r.p, reference.p, absolute: Self.contract, "Welch \(c.name) p")
            default:
                XCTFail("Welch \(c.name): got \(String(describing: r)), scipy gave \(String(describing: c.result))")
            }
        }
    }

    func testChiSquareAgainstScipy() throws {
        let cases = try Fixtures.extra().chisquare
        XCTAssertGreaterThanOrEqual(cases.count, 3, "stats-extra.json lost its chi-square cases")
        for c in cases {
            let r = chiSquareGoodnessOfFit(observed: c.observed, expected: c.expected)
            assertClose(r.statistic, c.result.statistic, absolute: 1e-12, relative: 1e-12, "chisquare \(c.name) statistic")
            assertClose(r.p, c.result.p, absolute: 1e-300, relative: Self.relative, "chisquare \(c.name) p")
            assertClose(r.p, c.result.p, absolute: Self.contract, "chisquare \(c.name) p")
        }
    }

    /// Distribution tails against scipy.stats.t / chi2 / norm: 1e-10 relative (the
    /// incomplete beta's log-gamma prefactor loses a few digits at ν ≈ 1e5) or 1e-15 absolute.
    func testDistributionsAgainstScipy() throws {
        let reference = try Fixtures.extra()
        XCTAssertGreaterThanOrEqual(reference.student_t_two_sided.count, 10, "stats-extra.json lost its t tails")
        XCTAssertGreaterThanOrEqual(reference.chi_square_sf.count, 10, "stats-extra.json lost its chi-square tails")
        XCTAssertGreaterThanOrEqual(reference.normal_two_sided.count, 5, "stats-extra.json lost its normal tails")
        for c in reference.student_t_two_sided {
            assertClose(studentTTwoSidedP(t: c.t, degreesOfFreedom: c.df), c.p, absolute: 1e-15, relative: 1e-10,
                        "t two-sided p(t=\(c.t), df=\(c.df))")
        }
        for c in reference.chi_square_sf {
            assertClose(chiSquareSurvival(c.x, degreesOfFreedom: c.k), c.p, absolute: 1e-15, relative: 1e-10,
                        "chi2 sf(x=\(c.x), k=\(c.k))")
        }
        for c in reference.normal_two_sided {
            assertClose(normalTwoSidedP(z: c.z), c.p, absolute: 1e-16, relative: 1e-13, "normal two-sided p(z=\(c.z))")
        }
    }

    /// NumPy's default (linear) percentile, bit for bit: the same interpolation formula.
    func testPercentileMatchesNumpy() throws {
        let cases = try Fixtures.extra().percentile
        XCTAssertGreaterThanOrEqual(cases.count, 3, "stats-extra.json lost its percentile cases")
        for c in cases {
            XCTAssertFalse(c.q.isEmpty, "percentile case n=\(c.sorted.count) has no quantiles")
            XCTAssertEqual(c.q.count, c.expected.count, "percentile case n=\(c.sorted.count): quantiles and values differ in count")
            for (q, expected) in zip(c.q, c.expected) {
                XCTAssertEqual(percentile(sorted: c.sorted, q), expected, "percentile n=\(c.sorted.count) q=\(q)")
            }
        }
    }

    /// Benjamini–Hochberg against scipy.stats.false_discovery_control, 1e-15 absolute.
    func testBenjaminiHochbergMatchesScipy() throws {
        let cases = try Fixtures.extra().benjamini_hochberg
        XCTAssertGreaterThanOrEqual(cases.count, 3, "stats-extra.json lost its Benjamini–Hochberg cases")
        for c in cases {
            let adjusted = benjaminiHochberg(c.p)
            XCTAssertFalse(c.p.isEmpty, "a Benjamini–Hochberg case has no p-values")
            XCTAssertEqual(adjusted.count, c.adjusted.count, "BH of \(c.p): one adjusted p per p")
            for (actual, expected) in zip(adjusted, c.adjusted) {
                assertClose(actual, expected, absolute: 1e-15, "BH of \(c.p)")
            }
        }
    }
}
