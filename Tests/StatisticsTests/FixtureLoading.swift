import Foundation
import XCTest

/// Reference values written by scipy: the project's reference fixture
/// (`Fixtures/stats-reference.json`, its values rewritten by `scripts/make-stats-reference.py`)
/// and this target's own (`Fixtures/stats-extra.json`, written by `scripts/make-stats-fixtures.py`).
enum Fixtures {
    /// The repository root: the nearest folder above this file that holds Package.swift.
    static func repositoryRoot(file: String = #filePath) throws -> URL {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder = folder.deletingLastPathComponent()
        }
        throw FixtureError.missing("no Package.swift above \(file)")
    }

    /// `Tests/StatisticsTests/Fixtures/stats-reference.json`.
    static func sharedReference() throws -> SharedReference {
        let url = try repositoryRoot().appendingPathComponent("Tests/StatisticsTests/Fixtures/stats-reference.json")
        return try decode(SharedReference.self, from: url)
    }

    /// `Tests/StatisticsTests/Fixtures/stats-extra.json`.
    static func extra() throws -> ExtraReference {
        let url = try repositoryRoot().appendingPathComponent("Tests/StatisticsTests/Fixtures/stats-extra.json")
        return try decode(ExtraReference.self, from: url)
    }

    private static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw FixtureError.missing("\(url.path) does not exist")
        }
        let decoder = JSONDecoder()
        // The scripts write ±infinity as strings (JSON has no infinity).
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(T.self, from: Data(contentsOf: url))
        } catch {
            throw FixtureError.missing("\(url.path): cannot decode \(T.self): \(error)")
        }
    }
}

enum FixtureError: Error, CustomStringConvertible {
    case missing(String)
    var description: String {
        switch self { case .missing(let message): return message }
    }
}

struct ReferenceResult: Decodable {
    var statistic: Double
    var p: Double
}

struct SharedReference: Decodable {
    var generator: String
    var cases: [PairedCase]
}

struct PairedCase: Decodable {
    var name: String
    var a: [Double]
    var b: [Double]
    var paired_t: ReferenceResult?
    var wilcoxon: ReferenceResult?
    var cohens_d: Double?
}

struct ExtraReference: Decodable {
    struct Welch: Decodable { var name: String; var x: [Double]; var y: [Double]; var result: ReferenceResult? }
    struct ChiSquare: Decodable { var name: String; var observed: [Double]; var expected: [Double]; var result: ReferenceResult }
    struct Percentile: Decodable { var sorted: [Double]; var q: [Double]; var expected: [Double] }
    struct Adjustment: Decodable { var p: [Double]; var adjusted: [Double] }
    struct StudentT: Decodable { var t: Double; var df: Double; var p: Double }
    struct ChiSquareSF: Decodable { var x: Double; var k: Double; var p: Double }
    struct Normal: Decodable { var z: Double; var p: Double }
    struct PRNG: Decodable {
        var seed: String
        var next: [String]
        var uniform_index_n: [String]
        var uniform_index: [String]
        var next_double: [Double]
        var splitmix64: [String]
    }

    var generator: String
    var paired: [PairedCase]
    var welch: [Welch]
    var chisquare: [ChiSquare]
    var percentile: [Percentile]
    var benjamini_hochberg: [Adjustment]
    var student_t_two_sided: [StudentT]
    var chi_square_sf: [ChiSquareSF]
    var normal_two_sided: [Normal]
    var prng: [PRNG]
}

/// Asserts |actual − expected| ≤ absolute + relative·|expected|; equal infinities pass.
func assertClose(_ actual: Double, _ expected: Double, absolute: Double, relative: Double = 0,
                 _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line) {
    if actual == expected { return }
    let error = abs(actual - expected)
    let allowed = absolute + relative * abs(expected)
    XCTAssert(error <= allowed,
              "\(what()): got \(actual), expected \(expected) (error \(error) > \(allowed))",
              file: file, line: line)
}
