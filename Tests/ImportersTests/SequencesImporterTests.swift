import Datasets
import Foundation
import XCTest
@testable import Importers

/// `import sequences`: benchmark case files (Fixtures/sequences, histories in windows of 3 items)
/// and their item JSON.
final class SequencesImporterTests: TempDirTestCase {
    func sequences(_ splits: [(String, String)], items: String? = nil, _ o: ImportOptions = ImportOptions()) throws -> ImportResult {
        try SequencesImporter.run(splits: splits.map { .init(name: $0.0, path: $0.1.hasPrefix("/") ? $0.1 : fixture("sequences/\($0.1)")) },
                                  items: items ?? fixture("sequences/items.json"), options: o)
    }

    /// Expected `test` cases of test.csv, users numbered A 0, B 1, C 2.
    static let testCases = EvaluationCases(
        user: [0, 1, 2, 0, 2], historyOffsets: [0, 3, 4, 6, 9, 12],
        historyItem: [1, 2, 3, /**/ 2, /**/ 5, 4, /**/ 2, 3, 4, /**/ 5, 4, 3],
        // Positions in the users' sequences: A is 0 1 2 3 4 5 (0 comes from valid.csv), B 2 0, C 5 4 3 1.
        historyTime: [1, 2, 3, /**/ 0, /**/ 0, 1, /**/ 2, 3, 4, /**/ 0, 1, 2],
        target: [4, 0, 3, 5, 1])

    func testSplitsItemsAndRebuiltSequences() throws {
        let r = try sequences([("test", "test.csv"), ("valid", "valid.csv")])
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["A", "B", "C"])
        XCTAssertEqual(d.itemIDs, ["0", "1", "2", "3", "4", "5"])  // the keys, in id order (the file has 5 before 4)
        // A's sequence 0 1 2 3 4 5 without its last target 5; B's 2 0 without 0; C's 5 4 3 1 without 1.
        XCTAssertEqual(d.eventUser, [0, 0, 0, 0, 0, 1, 2, 2, 2])
        XCTAssertEqual(d.eventItem, [0, 1, 2, 3, 4, 2, 5, 4, 3])
        XCTAssertEqual(d.eventTime, [0, 1, 2, 3, 4, 0, 0, 1, 2])
        XCTAssertNil(d.eventType)
        XCTAssertEqual(d.cases["test"], Self.testCases)
        XCTAssertEqual(d.cases["valid"], EvaluationCases(user: [0, 2], historyOffsets: [0, 3, 4], historyItem: [0, 1, 2, 5],
                                                         historyTime: [0, 1, 2, 0], target: [3, 4]))
        XCTAssertEqual(d.itemFields.map(\.name), ["title", "description", "brand", "category", "color"])
        XCTAssertEqual(d.field("title"), ["Red pen", "Blue pen", "Ruler [30 cm]", "Stapler", "Glue", "Tape é"])
        XCTAssertEqual(d.field("description"), ["Writes red. Refillable.", "Plain text.", "A list of two", "['a broken 'repr']", "", ""])
        XCTAssertEqual(d.field("brand"), ["Acme", "Acme", "", "Bost", "Uhu", "3M"])
        XCTAssertEqual(d.field("category"), ["Office > Pens", "", "Office > Rulers | School", "Office > Staplers", "", ""])
        XCTAssertEqual(d.field("color"), ["", "", "", "", "white", ""])
        XCTAssertEqual(r.summary.users, 3); XCTAssertEqual(r.summary.items, 6); XCTAssertEqual(r.summary.events, 9)
        XCTAssertEqual(r.summary.rows, 7)
        XCTAssertTrue(r.summary.dropped.isEmpty)
        XCTAssertTrue(r.summary.notes.contains("\(fixture("sequences/test.csv")): split test, columns user=user_id history=history_item_id target=item_id (ignored: history_item_title, item_title, history_item_sid, item_sid): 5 cases"), "\(r.summary.notes)")
    }

    func testSplitOrderOnlyRenumbersUsers() throws {
        // valid before test: the same sequences; users in order of first appearance (A, C, B).
        let d = try sequences([("valid", "valid.csv"), ("test", "test.csv")]).dataset
        XCTAssertEqual(d.userIDs, ["A", "C", "B"])
        XCTAssertEqual(d.eventUser, [0, 0, 0, 0, 0, 1, 1, 1, 2])
        XCTAssertEqual(d.eventItem, [0, 1, 2, 3, 4, 5, 4, 3, 2])
        XCTAssertEqual(d.cases["test"]?.user, [0, 2, 1, 0, 1])
        XCTAssertEqual(d.cases["test"]?.historyTime, Self.testCases.historyTime)
    }

    func testTestSplitAloneAndGzip() throws {
        let plain = try sequences([("test", "test.csv")]).dataset
        // Without valid.csv, A's sequence starts at 1; C's case [5] → 4 is not needed to rebuild C.
        XCTAssertEqual(plain.eventItem, [1, 2, 3, 4, 2, 5, 4, 3])
        XCTAssertEqual(plain.eventTime, [0, 1, 2, 3, 0, 0, 1, 2])
        XCTAssertEqual(plain.cases["test"]?.historyTime, [0, 1, 2, 0, 0, 1, 1, 2, 3, 0, 1, 2])
        let gz = try sequences([("test", "test.csv.gz")], items: fixture("sequences/items.json.gz")).dataset
        XCTAssertEqual(gz.eventItem, plain.eventItem); XCTAssertEqual(gz.eventTime, plain.eventTime)
        XCTAssertEqual(gz.cases, plain.cases)
        XCTAssertEqual(gz.field("description"), plain.field("description"))
    }

    func testUserSequencePlacement() {
        var s = UserSequence()
        XCTAssertEqual(s.place(history: [1, 2], target: 3), 0)  // first case
        XCTAssertEqual(s.items, [1, 2, 3]); XCTAssertFalse(s.lastCovered)
        XCTAssertEqual(s.place(history: [1, 2, 3], target: 4), 0)  // 1. continues (a full history)
        XCTAssertEqual(s.place(history: [3, 4, 5, 6], target: 7), 2)  // 2. overlaps the end and runs past it
        XCTAssertEqual(s.items, [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(s.place(history: [2, 3], target: 4), 1)  // 3. inside
        XCTAssertEqual(s.place(history: [0, 1], target: 2), -1)  // 4. starts before: 0 put in front
        XCTAssertEqual(s.items, [0, 1, 2, 3, 4, 5, 6, 7]); XCTAssertEqual(s.shift, 1)
        XCTAssertNil(s.place(history: [2, 4], target: 5))
        XCTAssertNil(s.place(history: [9], target: 1))
        XCTAssertEqual(s.items, [0, 1, 2, 3, 4, 5, 6, 7])
    }

    // MARK: Bad rows: one fixture per kind, the exact message; --skip-bad-rows counts them.

    func assertBad(_ name: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        let p = fixture("sequences/\(name)")
        assertError(try sequences([("test", p)]), "\(p):\(message)", file: file, line: line)
    }

    func testEachBadRowKindIsAnError() {
        let items = fixture("sequences/items.json")
        assertBad("bad-unknown-item.csv", "3: column history_item_id: item 9 is not in \(items) (its ids are 0…5)")
        assertBad("bad-unknown-target.csv", "3: column item_id: item 6 is not in \(items) (its ids are 0…5)")
        assertBad("bad-empty-history.csv", "3: column history_item_id is an empty list (a case needs a history)")
        assertBad("bad-unparsable-history.csv", "3: column history_item_id: cannot read \"[2, x]\" as a list of item ids: column 5: expected a value, found 'x'")
        assertBad("bad-not-an-item-id.csv", "3: column history_item_id: element 2 (\"1.5\") is not an item id (a non-negative integer)")
        assertBad("bad-not-a-list.csv", "3: column history_item_id: \"2\" is a number, expected a list of item ids such as [3, 17]")
        assertBad("bad-target.csv", "3: column item_id: cannot read \"one\" as an item id (a non-negative integer)")
        assertBad("bad-empty-user.csv", "3: column user_id is empty")
        assertBad("bad-field-count.csv", "3: expected 3 fields (as in the header), found 2")
        assertBad("bad-quoting.csv", "3: broken quoting: field 2 opens a quote that is not closed before the end of the file")
    }

    func testBrokenSequenceIsAnErrorNamingBothCases() {
        let p = fixture("sequences/broken-sequence.csv")
        assertError(try sequences([("test", p)]), "\(p):4: user A: history [0, 3] with target 4 does not continue the user's earlier cases (the latest at \(p):2), whose sequence is [0, 1, 2]; a case's history must be the items of the user's sequence just before its target (docs/import.md)")
    }

    func testSkipBadRowsCountsEachKind() throws {
        let r = try sequences([("test", "bad-rows.csv")], options(skip: true))
        XCTAssertEqual(r.summary.rows, 11)
        XCTAssertEqual(r.summary.dropped.map { "\($0.count) \($0.reason)" },
                       ["2 unknown item", "1 empty history", "2 unparsable history", "1 unparsable item id", "1 empty id",
                        "1 wrong field count", "1 inconsistent history"])
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["A"])  // every row of B was bad
        XCTAssertEqual(d.cases["test"], EvaluationCases(user: [0, 0], historyOffsets: [0, 2, 5], historyItem: [0, 1, 0, 1, 2],
                                                        historyTime: [0, 1, 0, 1, 2], target: [2, 3]))
        XCTAssertEqual(d.eventItem, [0, 1, 2])
        let broken = try sequences([("test", "broken-sequence.csv")], options(skip: true))
        XCTAssertEqual(broken.summary.dropped.map { "\($0.count) \($0.reason)" }, ["1 inconsistent history"])
        XCTAssertEqual(broken.dataset.cases["test"]?.count, 3)
    }

    // MARK: Errors that are not about one row.

    func testItemMetadataErrors() throws {
        let gap = try file("gap.json", "{\"0\": {\"title\": \"a\"}, \"2\": {\"title\": \"c\"}}")
        assertError(try sequences([("test", "test.csv")], items: gap), "\(gap): the item ids must be 0…1 (they are the dense item ids), but 1 is missing and 2 is beyond the range")
        let zero = try file("zero.json", "{\"01\": {}}")
        assertError(try sequences([("test", "test.csv")], items: zero), "\(zero): key \"01\" is not an item id (a non-negative integer without leading zeros, as in the case files)")
        let twice = try file("twice.json", "{\"0\": {}, \"0\": {}}")
        assertError(try sequences([("test", "test.csv")], items: twice), "\(twice): item \"0\" is given twice")
        let list = try file("list.json", "[{\"title\": \"a\"}]")
        assertError(try sequences([("test", "test.csv")], items: list), "\(list): expected one JSON object keyed by item id ({\"0\": {\"title\": …}, …}), found an array")
        let notObject = try file("str.json", "{\"0\": \"pen\"}")
        assertError(try sequences([("test", "test.csv")], items: notObject), "\(notObject): item \"0\" is a string, expected an object with title, description, brand, categories")
        let broken = try file("broken.json", "{\n  \"0\": {\"title\": \"x\",}\n}\n")
        assertError(try sequences([("test", "test.csv")], items: broken), "\(broken):2: invalid JSON: column 22: expected a quoted key, found '}'")
        let missing = dir.appendingPathComponent("none.json").path
        assertError(try sequences([("test", "test.csv")], items: missing), "\(missing): no such file")
    }

    func testSplitErrors() throws {
        let p = try file("t.csv", "user,history_item_id,item_id\nA,[1],2\n")
        assertError(try sequences([("test", p)]), "\(p): missing column user_id: the header has user, history_item_id, item_id (a sequences file has user_id, history_item_id and item_id)")
        assertError(try sequences([("test", "test.csv"), ("test", "valid.csv")]), "split \"test\" is given twice")
        assertError(try sequences([("a/b", "test.csv")]), "\"a/b\" cannot name a split (a split name is a non-empty name without '/', e.g. test)")
        let empty = try file("e.csv", "user_id,history_item_id,item_id\n")
        assertError(try sequences([("test", empty)]), "\(empty): nothing to import: no case was read")
    }
}
