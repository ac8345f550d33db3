import Foundation
import SafeTensors
import XCTest

final class SafeTensorsTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func write(_ header: String, data: [UInt8] = [], lengthOverride: UInt64? = nil) throws -> String {
        let path = dir + "/t.safetensors"
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (lengthOverride ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes += Array(header.utf8) + data
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func assertError(_ path: String, _ parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafeTensorsFile(path: path), file: file, line: line) { error in
            for part in [path] + parts {
                XCTAssertTrue("\(error)".contains(part), "\"\(error)\" does not mention \(part)", file: file, line: line)
            }
        }
    }

    func testRoundTripIsZeroCopyAndChecksShapes() throws {
        let path = dir + "/m.safetensors"
        try SafeTensorsWriter.write(["b": ([3], [4, 5, 6]), "a.weight": ([2, 2], [1, 2, 3, -1.5])], to: path)
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(file.names, ["a.weight", "b"])
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(Array(try file.floats("a.weight", shape: [2, 2])), [1, 2, 3, -1.5])
        XCTAssertEqual(Array(try file.floats("b", shape: [3])), [4, 5, 6])
        let fileStart = UnsafeRawPointer(file.fileBytes.baseAddress)
        let tensorStart = UnsafeRawPointer(try file.floats("b", shape: [3]).baseAddress)
        XCTAssertTrue(tensorStart.map { p in fileStart.map { p >= $0 && p < $0 + file.fileBytes.count } ?? false } ?? false,
                      "F32 data points into the mapping")
        XCTAssertThrowsError(try file.floats("b", shape: [1, 3])) { XCTAssertTrue("\($0)".contains("tensor b: has shape [3], expected [1, 3]"), "\($0)") }
        XCTAssertThrowsError(try file.floats("c", shape: [1])) { XCTAssertTrue("\($0)".contains("tensor c: missing"), "\($0)") }
    }

    func testWrongDtype() throws {
        let path = try write(#"{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [1, 0, 0, 0, 0, 0, 0, 0])
        let file = try SafeTensorsFile(path: path)
        XCTAssertEqual(try file.int64s("x", shape: [1]), [1])
        XCTAssertThrowsError(try file.floats("x", shape: [1])) { XCTAssertTrue("\($0)".contains("has dtype I64, expected F32"), "\($0)") }
    }

    func testCorruptFiles() throws {
        assertError(try write("", lengthOverride: 1_000_000), ["header length 1000000 exceeds"])
        assertError(try write("{not json"), ["not valid safetensors JSON"])
        assertError(try write(#"{"x": 5}"#), ["tensor x", "header entry is not an object"])
        assertError(try write(#"{"x":{"dtype":"F32","shape":["a"],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    ["tensor x", "header entry is malformed", "x.shape: expected an array of integers"])
        assertError(try write(#"{"__metadata__":{"format":1}}"#), ["__metadata__.format is not a string"])
        assertError(try write(#"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: [0, 0, 0, 0]),
                    ["tensor x", "data section has 4 bytes", "truncated"])
        assertError(try write(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]),
                    ["tensor x", "needs 8 bytes"])
        assertError(try write(#"{"x":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0]), ["unknown dtype Q4"])
        assertError(try write(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                              data: [UInt8](repeating: 0, count: 8)), ["overlaps"])
        let short = dir + "/short.safetensors"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: short))
        assertError(short, ["too short"])
        assertError(dir + "/absent.safetensors", ["cannot open"])
    }
}
