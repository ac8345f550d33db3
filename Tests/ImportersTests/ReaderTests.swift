import Foundation
import XCTest
@testable import Importers
import JSON
import TextFiles

/// Temporary files for a test, removed afterwards.
class TempDirTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-imp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    /// Writes `bytes` to `name` in the temporary folder and returns its path.
    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    @discardableResult
    func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    func fixture(_ path: String) -> String { Self.fixtures.appendingPathComponent(path).path }

    /// All records of a CSV file.
    func records(_ path: String, delimiter: UInt8? = nil, bufferSize: Int = 1 << 20) throws -> [[String]] {
        let r = try CSVReader(path: path, delimiter: delimiter, bufferSize: bufferSize)
        var out: [[String]] = []
        while try r.next() { out.append(r.record()) }
        return out
    }
}

final class CSVReaderTests: TempDirTestCase {
    func testQuotingEscapesCRLFAndBOM() throws {
        let p = try file("a.csv", [0xEF, 0xBB, 0xBF] + Array("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\r\n\"two\nlines\",,\"\"\r\n\r\nlast,row,\"q\"".utf8))
        let r = try CSVReader(path: p)
        var rows: [[String]] = [], lines: [Int] = []
        while try r.next() { rows.append(r.record()); lines.append(r.line) }
        XCTAssertEqual(rows, [["a", "b", "c"], ["x,1", "say \"hi\"", ""], ["two\nlines", "", ""], ["last", "row", "q"]])
        // Physical lines: the quoted line break counts, the blank line is skipped.
        XCTAssertEqual(lines, [1, 2, 3, 6])
    }

    /// What `CSVWriter` writes, `CSVReader` reads back as it was (results folders rely on it).
    func testWriterRoundTrip() throws {
        let fields = ["x,1", "say \"hi\"", "two\nlines", "", "café", "plain"]
        let p = try file("w.csv", CSVWriter.record(["a", "b"]) + "\n" + CSVWriter.record(fields) + "\n")
        XCTAssertEqual(try records(p), [["a", "b"], fields])
        XCTAssertEqual(CSVWriter.field("plain"), "plain")
        XCTAssertEqual(CSVWriter.field("say \"hi\""), "\"say \"\"hi\"\"\"")
    }

    func testQuoteInsideAnUnquotedFieldIsKept() throws {
        XCTAssertEqual(try records(try file("a.csv", "a,b\n12\" vinyl,x\n")), [["a", "b"], ["12\" vinyl", "x"]])
    }

    func testDelimiterSniffing() throws {
        XCTAssertEqual(try CSVReader(path: try file("c.csv", "a,b;c\n1,2;3\n")).delimiter, UInt8(ascii: ","))
        XCTAssertEqual(try CSVReader(path: try file("t.csv", "a\tb\tc,d\n")).delimiter, 0x09)
        XCTAssertEqual(try CSVReader(path: try file("s.csv", "a;b;\"c,d,e\"\n")).delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(try CSVReader(path: try file("one.csv", "a\n1\n")).delimiter, UInt8(ascii: ","))
        XCTAssertEqual(try CSVReader(path: fixture("csv/events.tsv")).delimiter, 0x09)
    }

    func testRecordsAcrossBufferBoundariesMatchOneBigBuffer() throws {
        // Random fields with quotes, delimiters, CRLF and line breaks, parsed with a tiny buffer.
        var rng = SystemRandomNumberGenerator()
        var text = "", expected: [[String]] = []
        let alphabet = Array("ab,\"\n\r xyzé")
        for _ in 0..<300 {
            var row: [String] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let v = String((0..<Int.random(in: 0...12, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
                row.append(v)
            }
            if row == [""] { row = ["z"] }
            expected.append(row)
            text += row.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
            text += Bool.random(using: &rng) ? "\r\n" : "\n"
        }
        let p = try file("r.csv", text)
        XCTAssertEqual(try records(p, delimiter: UInt8(ascii: ","), bufferSize: 64), expected)
        XCTAssertEqual(try records(p, delimiter: UInt8(ascii: ",")), expected)
    }

    func testBrokenQuotingIsReportedAndSkippable() throws {
        let p = try file("b.csv", "a,b\n\"x\"y,1\nok,2\n\"open,3\n")
        let r = try CSVReader(path: p)
        XCTAssertTrue(try r.next())
        XCTAssertThrowsError(try r.next()) { XCTAssertEqual("\($0)", "\(p):2: broken quoting: field 1 has text after its closing quote") }
        XCTAssertTrue(try r.next())
        XCTAssertEqual(r.record(), ["ok", "2"])
        XCTAssertEqual(r.line, 3)
        XCTAssertThrowsError(try r.next()) { XCTAssertEqual("\($0)", "\(p):4: broken quoting: field 1 opens a quote that is not closed before the end of the file") }
        XCTAssertFalse(try r.next())
    }

    func testGzipIsReadTransparently() throws {
        XCTAssertEqual(try records(fixture("csv/events.tsv.gz")), try records(fixture("csv/events.tsv")))
        XCTAssertTrue(try ByteStream(path: fixture("csv/events.tsv.gz")).isGzip)
        // A truncated gzip stream is an error, not a silent short read.
        let gz = try Data(contentsOf: URL(fileURLWithPath: fixture("amazon2014/meta_Beauty.json.gz")))
        let cut = try file("cut.json.gz", Array(gz.prefix(gz.count - 20)))
        XCTAssertThrowsError(try records(cut)) { XCTAssertTrue("\($0)".hasPrefix("\(cut): corrupt gzip data"), "\($0)") }
    }

    func testInvalidUTF8FieldIsShownWithEscapes() throws {
        let p = try file("u.csv", Array("a\n".utf8) + [0x61, 0xFF, 0x62, 0x0A])
        let r = try CSVReader(path: p)
        XCTAssertTrue(try r.next()); XCTAssertTrue(try r.next())
        XCTAssertNil(r.string(0))
        XCTAssertEqual(r.displayValue(0), "a\\xFFb")
        XCTAssertEqual(r.latin1String(0), "aÿb")
    }
}

final class TimeParsingTests: XCTestCase {
    func testUnixSecondsAndMilliseconds() {
        XCTAssertEqual(TimeParsing.parse("881250949"), 881_250_949)
        XCTAssertEqual(TimeParsing.parse(" 881250949 "), 881_250_949)
        XCTAssertEqual(TimeParsing.parse("881250949.0"), 881_250_949)
        XCTAssertEqual(TimeParsing.parse("1433221332117"), 1_433_221_332)  // ms by magnitude
        XCTAssertEqual(TimeParsing.parse("99999999999"), 99_999_999_999)   // just below 10^11: seconds
        XCTAssertEqual(TimeParsing.parse("100000000000"), 100_000_000)      // 10^11: milliseconds
        XCTAssertEqual(TimeParsing.parse("-1500"), -1500)
        XCTAssertEqual(TimeParsing.parse("-100000000001"), -100_000_001)    // floor, not truncation
        XCTAssertEqual(TimeParsing.parse("1.5e9"), 1_500_000_000)
        XCTAssertEqual(TimeParsing.parse("0"), 0)
    }

    func testISO8601() {
        XCTAssertEqual(TimeParsing.parse("1970-01-01"), 0)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T10:00:00Z"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T10:00:00"), 1_433_152_800)  // no zone: UTC
        XCTAssertEqual(TimeParsing.parse("2015-06-01 10:00:00"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T10:00"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T12:00:00+02:00"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T12:00:00+0200"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T05:30:00-04:30"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2015-06-01T10:00:00.999Z"), 1_433_152_800)
        XCTAssertEqual(TimeParsing.parse("2000-02-29T00:00:00Z"), 951_782_400)
        XCTAssertEqual(TimeParsing.parse("1969-12-31T23:59:59Z"), -1)
    }

    func testRejected() {
        for bad in ["", " ", "abc", "12a", "2015-13-01", "2015-02-29", "2015-06-01T25:00", "2015-06-01X", "2015-06-01T10:00:00+2",
                    "nan", "inf", "1e400", "99999999999999999999", "2015/06/01"] {
            XCTAssertNil(TimeParsing.parse(bad), bad)
        }
    }
}

final class LooseJSONTests: XCTestCase {
    /// The loose dialect's errors name the column within the line; the line is the caller's.
    func looseError(_ text: String) -> String {
        do { _ = try JSONParser.parseLoose(text); return "no error" } catch let e as JSONSyntaxError { return e.withinLine } catch { return "\(error)" }
    }

    func testJSONKeepsNumberText() throws {
        let v = try JSONParser.parseLoose(#"{"id": 00123, "r": 5.0, "s": "a\"b\u00e9\ud83d\ude00", "l": [1, [true, null]], "o": {}}"#)
        XCTAssertEqual(v["id"], .number("00123"))  // numbers keep their text (ids with leading zeros survive)
        XCTAssertEqual(v["r"], .number("5.0"))
        XCTAssertEqual(v["s"], .string("a\"bé😀"))
        XCTAssertEqual(v["l"]?.text(), "1 | true")
        XCTAssertEqual(v["o"], .object([]))
    }

    func testPythonLiterals() throws {
        let v = try JSONParser.parseLoose(#"{'asin': '0000031852', 'title': "Girl's \"Tutu\"", 'x': None, 'b': True, 'c': [['A', 'B'], ['C']], 'd': 'caf\xc3\xa9 \xe9', 't': (1, 2,)}"#, python: true)
        XCTAssertEqual(v["asin"], .string("0000031852"))
        XCTAssertEqual(v["title"], .string("Girl's \"Tutu\""))
        XCTAssertEqual(v["x"], .null)
        XCTAssertEqual(v["b"], .bool(true))
        XCTAssertEqual(v["c"]?.text(separator: "/"), "A/B/C")
        XCTAssertEqual(v["d"], .string("café é"))  // \x bytes: UTF-8 where valid, else ISO-8859-1
        XCTAssertEqual(v["t"], .array([.number("1"), .number("2")]))
    }

    func testSyntaxErrorsNameTheColumn() {
        XCTAssertEqual(looseError(#"{"a": 1,}"#), "column 9: expected a quoted key, found '}'")
        XCTAssertEqual(looseError(#"{"a": 'x'}"#), "column 7: expected a value, found '''")
        XCTAssertEqual(looseError(#"{"a": "x}"#), "column 10: a string is not closed before the end of the line")
        XCTAssertEqual(looseError(#"{"a": 1} 2"#), "column 10: unexpected text after the value")
    }

    /// One reader, two dialects: what the strict one refuses, the loose one keeps.
    func testStrictAndLooseDialectsOfTheOneReader() throws {
        func strictError(_ text: String) -> String {
            do { _ = try JSONParser.parse(text); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(strictError(#"{"a": 1, "a": 2}"#), #"line 1, column 10: duplicate key "a""#)
        XCTAssertEqual(try JSONParser.parseLoose(#"{"a": 1, "a": 2}"#), .object([("a", .number("1")), ("a", .number("2"))]))
        XCTAssertEqual(strictError(#"[00123]"#), "line 1, column 3: leading zeros are not allowed in numbers")
        XCTAssertEqual(try JSONParser.parseLoose(#"[00123, 1.50]"#), .array([.number("00123"), .number("1.50")]))
        XCTAssertEqual(try JSONParser.parse(#"[1, 1.50, -2e3]"#), .array([.int(1), .double(1.5), .double(-2000)]))
        XCTAssertEqual(strictError(#"["\ud800"]"#), #"line 1, column 9: unpaired surrogate in \u escape"#)
        XCTAssertEqual(try JSONParser.parseLoose(#"["\ud800x"]"#), .array([.string("\u{FFFD}x")]))
        XCTAssertEqual(strictError("{'a': 1}"), "line 1, column 2: expected a quoted key, found '''")
        XCTAssertEqual(looseError("[1, 2,]"), "column 7: expected a value, found ']'")
        XCTAssertEqual(try JSONParser.parseLoose("[1, 2,]", python: true), .array([.number("1"), .number("2")]))
        // Errors in a text of several lines name the line, and the column within it.
        let text = Array("{\n  \"0\": {\"title\": \"x\"},\n  \"1\": {\"title\" \"y\"}\n}".utf8)
        XCTAssertThrowsError(try text.withUnsafeBufferPointer { try JSONParser.parseLoose($0, end: "the end of the file") }) {
            guard let e = $0 as? JSONSyntaxError else { return XCTFail("\($0)") }
            XCTAssertEqual([e.line, e.column], [3, 17])
            XCTAssertEqual(e.message, "expected ':' after the key, found '\"'")
        }
    }
}

final class IDTableAndKCoreTests: XCTestCase {
    func testIDTableDenseInInsertionOrder() {
        var t = IDTable()
        var keys: [String] = []
        for k in 0..<5000 { keys.append("id\(k * 7919 % 5003)") }
        var expected: [String: UInt32] = [:], order: [String] = []
        for k in keys {
            let id = t.intern(k)
            if expected[k] == nil { expected[k] = UInt32(order.count); order.append(k) }
            XCTAssertEqual(id, expected[k])
        }
        XCTAssertEqual(t.count, order.count)
        for (i, k) in order.enumerated() { XCTAssertEqual(t.key(i), k); XCTAssertEqual(t.lookup(k), UInt32(i)) }
        XCTAssertNil(t.lookup("nope"))
        XCTAssertEqual(t.intern(""), UInt32(order.count))  // the empty key is a key like any other
    }

    func testIDTableLongKeysSharedPrefixesAndBlocks() {
        // Keys longer than the 8 bytes kept in a slot, lengths past 31, NUL bytes: all distinct.
        var keys: [[UInt8]] = [[], [0], [0, 0], Array("a".utf8), Array("a\u{0}".utf8)]
        for k in 0..<3000 {
            keys.append(Array("prefix-shared-\(k)".utf8))
            keys.append(Array(String(repeating: "x", count: 40 + k % 7).utf8) + Array("\(k)".utf8))
        }
        var single = IDTable(), blocked = IDTable()
        var viaSingle: [UInt32] = [], viaBlock: [UInt32] = []
        var block = KeyBlock()
        for round in 0..<2 {
            for key in keys {
                viaSingle.append(key.withUnsafeBufferPointer { single.intern($0).id })
                key.withUnsafeBufferPointer { block.append($0) }
                if block.count == 100 { blocked.intern(block: block, into: &viaBlock); block.removeAll() }
            }
            _ = round
        }
        blocked.intern(block: block, into: &viaBlock)
        XCTAssertEqual(viaSingle, viaBlock)
        XCTAssertEqual(single.count, keys.count)
        XCTAssertEqual(viaSingle.prefix(keys.count).map(Int.init), Array(0..<keys.count))
        XCTAssertEqual(Array(viaSingle.suffix(keys.count)), Array(viaSingle.prefix(keys.count)))
        for (i, key) in keys.enumerated() { XCTAssertEqual(Array(blocked.key(i).utf8), key) }
    }

    func testKCoreIsIterative() {
        // u0: i0 i1 i2; u1: i0 i1; u2: i2. With k=2 for both: u2 goes (1 event), then i2 has 1
        // event, so it goes, then u0 has 2: stable.
        let users: [UInt32] = [0, 0, 0, 1, 1, 2], items: [UInt32] = [0, 1, 2, 0, 1, 2]
        var alive = [Bool](repeating: true, count: 6)
        let removed = KCore.filter(users: users, items: items, userCount: 3, itemCount: 3, minUserEvents: 2, minItemEvents: 2, alive: &alive)
        XCTAssertEqual(alive, [true, true, false, true, true, false])
        XCTAssertEqual(removed, 2)
    }

    func testKCoreResultIsACoreAndMaximal() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let n = 400
            let users = (0..<n).map { _ in UInt32.random(in: 0..<40, using: &rng) }
            let items = (0..<n).map { _ in UInt32.random(in: 0..<60, using: &rng) }
            var alive = [Bool](repeating: true, count: n)
            KCore.filter(users: users, items: items, userCount: 40, itemCount: 60, minUserEvents: 5, minItemEvents: 4, alive: &alive)
            var ud = [Int](repeating: 0, count: 40), id = [Int](repeating: 0, count: 60)
            for e in 0..<n where alive[e] { ud[Int(users[e])] += 1; id[Int(items[e])] += 1 }
            for e in 0..<n where alive[e] { XCTAssertGreaterThanOrEqual(ud[Int(users[e])], 5); XCTAssertGreaterThanOrEqual(id[Int(items[e])], 4) }
            // Filtering again removes nothing (stable).
            var again = alive
            XCTAssertEqual(KCore.filter(users: users, items: items, userCount: 40, itemCount: 60, minUserEvents: 5, minItemEvents: 4, alive: &again), 0)
        }
    }
}
