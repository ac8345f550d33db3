import Datasets
import Foundation
import XCTest
@testable import Importers

extension TempDirTestCase {
    func options(skip: Bool = false, dedupe: Bool = false, dropUnknown: Bool = false, minUser: Int = 0, minItem: Int = 0) -> ImportOptions {
        var o = ImportOptions()
        o.skipBadRows = skip; o.dedupe = dedupe; o.dropUnknownItems = dropUnknown
        o.minUserEvents = minUser; o.minItemEvents = minItem
        return o
    }

    func csv(_ path: String, items: String? = nil, columns: ColumnMapping.Names = .init(), _ o: ImportOptions = ImportOptions()) throws -> ImportResult {
        var c = CSVImporter.Config()
        c.items = items
        c.columns = columns
        return try CSVImporter.run(events: path, config: c, options: o)
    }

    func assertError<T>(_ body: @autoclosure () throws -> T, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { XCTAssertEqual("\($0)", message, file: file, line: line) }
    }
}

final class CSVImporterTests: TempDirTestCase {
    func testFixtureWithItemsTypesValuesAndISOTimes() throws {
        let r = try csv(fixture("csv/events.csv"), items: fixture("csv/items.csv"))
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["u1", "u2", "u3"])
        XCTAssertEqual(d.itemIDs, ["i1", "i2", "i3"])  // i9 has no event
        XCTAssertEqual(d.eventUser, [0, 0, 1, 1, 2])
        XCTAssertEqual(d.eventItem, [0, 1, 0, 2, 1])
        XCTAssertEqual(d.eventTime, [1_433_152_800, 1_433_145_900, 1_433_203_200, 1_433_246_400, 1_433_160_000])
        XCTAssertEqual(d.typeNames, ["view", "purchase"])
        XCTAssertEqual(d.eventType, [0, 1, 0, 0, 1])
        XCTAssertEqual(d.eventValue, [0, 5, 0, 0, 4.5])
        XCTAssertEqual(d.field("title"), ["Rose Water, 100 ml", "The \"Best\" Lip Balm", "Two-line\ndescription"])
        XCTAssertEqual(d.field("category"), ["Face", "Lips", "Face"])
        XCTAssertEqual(r.summary.rows, 5)
        XCTAssertTrue(r.summary.dropped.isEmpty)
        XCTAssertEqual(r.summary.notes.first, "\(fixture("csv/events.csv")): delimiter comma, columns user=user_id item=item_id time=timestamp type=event value=rating")
    }

    func testTabMillisecondsBOMAndGzip() throws {
        let plain = try csv(fixture("csv/events.tsv")).dataset
        XCTAssertEqual(plain.userIDs, ["7", "8"])
        XCTAssertEqual(plain.itemIDs, ["100", "200"])
        XCTAssertEqual(plain.eventTime, [1_433_221_332, 1_433_221_332, 1_433_221_400])
        XCTAssertNil(plain.eventType)
        XCTAssertNil(plain.eventValue)
        let gz = try csv(fixture("csv/events.tsv.gz")).dataset
        XCTAssertEqual(gz.eventUser, plain.eventUser); XCTAssertEqual(gz.eventItem, plain.eventItem); XCTAssertEqual(gz.eventTime, plain.eventTime)
        let semi = try csv(fixture("csv/events-semicolon.csv"))
        XCTAssertEqual(semi.dataset.userIDs, ["a", "b"])
        XCTAssertTrue(semi.summary.notes[0].hasSuffix("delimiter semicolon, columns user=visitorid item=asin time=time"), semi.summary.notes[0])
    }

    func testExplicitColumns() throws {
        let p = try file("e.csv", "who,what,when,qty\nx,1,10,2\n")
        let d = try csv(p, columns: .init(user: "who", item: "what", time: "when", value: "qty")).dataset
        XCTAssertEqual(d.userIDs, ["x"]); XCTAssertEqual(d.eventValue, [2])
        assertError(try csv(p, columns: .init(user: "whom")), "\(p): no column named \"whom\" (given with --user-col); the header has who, what, when, qty")
    }

    func testUsersFileIsChecked() throws {
        let users = try file("users.csv", "userId;age\n7;30\n")
        var c = CSVImporter.Config()
        c.users = users
        let r = try CSVImporter.run(events: fixture("csv/events.tsv"), config: c, options: ImportOptions())
        XCTAssertEqual(r.summary.warnings, ["1 users of the events are not in \(users)"])
        XCTAssertEqual(r.summary.notes.last, "\(users): 1 users")
    }

    // MARK: Malformed rows: the first one is an error naming the file, the line, the column and the value.

    func testMissingColumn() throws {
        let p = try file("e.csv", "user_id,product_name,timestamp\nu,p,1\n")
        assertError(try csv(p), "\(p): missing item column: none of user_id, product_name, timestamp is a known item column name (itemid, item, asin, productid, product, movieid, iid, sku, parentasin); name it with --item-col")
    }

    func testUnparsableTime() throws {
        let p = try file("e.csv", "user_id,item_id,timestamp\nu,i,1\nu,j,yesterday\n")
        assertError(try csv(p), "\(p):3: column timestamp: cannot read \"yesterday\" as a time (unix seconds, unix milliseconds or ISO-8601)")
    }

    func testWrongFieldCount() throws {
        let p = try file("e.csv", "user_id,item_id,timestamp\nu,i\n")
        assertError(try csv(p), "\(p):2: expected 3 fields (as in the header), found 2")
    }

    func testBrokenQuoting() throws {
        let p = try file("e.csv", "user_id,item_id,timestamp\nu,\"i\"x,1\n")
        assertError(try csv(p), "\(p):2: broken quoting: field 2 has text after its closing quote")
        let q = try file("f.csv", "user_id,item_id,timestamp\nu,i,1\nu,\"i,2\n")
        assertError(try csv(q), "\(q):3: broken quoting: field 2 opens a quote that is not closed before the end of the file")
    }

    func testInvalidUTF8() throws {
        let p = try file("e.csv", Array("user_id,item_id,timestamp\n".utf8) + [0x75, 0xFF] + Array(",i,1\n".utf8))
        assertError(try csv(p), "\(p):2: column user_id: invalid UTF-8 in \"u\\xFF\"")
        let items = try file("items.csv", Array("item_id,title\ni,".utf8) + [0xE9, 0x0A])
        assertError(try csv(fixture("csv/events.tsv"), items: items), "\(items):2: column title: invalid UTF-8 in \"\\xE9\"")
    }

    func testEmptyFileAndEmptyID() throws {
        let p = try file("e.csv", "")
        assertError(try csv(p), "\(p): the file is empty (a header line is expected)")
        let h = try file("h.csv", "user_id,item_id,timestamp\n")
        assertError(try csv(h), "\(h): nothing to import: no event was read")
        let q = try file("q.csv", "user_id,item_id,timestamp\nu,,1\n")
        assertError(try csv(q), "\(q):2: column item_id is empty")
    }

    func testSkipBadRowsCountsEachReason() throws {
        let p = try file("e.csv", Array("user_id,item_id,timestamp\nu,i,1\nu,i\nu,j,never\nu,\"k\"x,3\n".utf8) + [0x75, 0xFF] + Array(",i,4\nv,,5\nw,k,6\n".utf8))
        let r = try csv(p, options(skip: true))
        XCTAssertEqual(r.summary.dropped.map { "\($0.count) \($0.reason)" },
                       ["1 wrong field count", "1 unparsable time", "1 broken quoting", "1 invalid UTF-8", "1 empty id"])
        XCTAssertEqual(r.summary.rows, 7)
        XCTAssertEqual(r.dataset.userIDs, ["u", "w"])
        XCTAssertEqual(r.dataset.eventTime, [1, 6])
    }

    func testDedupeUnknownItemsAndDenseIDsAfterKCore() throws {
        let p = try file("e.csv", "user,item,ts\na,x,1\na,x,1\nb,y,2\na,y,3\nb,x,4\nc,z,5\nb,y,2\n")
        let items = try file("items.csv", "item,title\nx,X\ny,Y\n")
        var r = try csv(p, items: items, options(dedupe: true))
        XCTAssertEqual(r.summary.droppedCount("duplicate"), 2)
        XCTAssertEqual(r.dataset.eventCount, 5)
        XCTAssertEqual(r.dataset.field("title"), ["X", "Y", ""])  // z is not in the item file
        XCTAssertEqual(r.summary.warnings, ["1 events name an item that is not in the item file (kept, with empty item fields; drop them with --drop-unknown-items)"])
        r = try csv(p, items: items, options(dedupe: true, dropUnknown: true))
        XCTAssertEqual(r.summary.droppedCount("unknown item"), 1)
        XCTAssertEqual(r.dataset.userIDs, ["a", "b"])
        // 2-core: c (1 event) goes, then z; ids stay in order of first appearance among the kept events.
        r = try csv(p, options(dedupe: true, minUser: 2, minItem: 2))
        XCTAssertEqual(r.dataset.userIDs, ["a", "b"])
        XCTAssertEqual(r.dataset.itemIDs, ["x", "y"])
        XCTAssertEqual(r.dataset.eventUser, [0, 1, 0, 1])
        XCTAssertEqual(r.dataset.eventItem, [0, 1, 1, 0])
        XCTAssertEqual(r.summary.droppedCount("k-core"), 1)
        // Without dedupe the repeated rows count towards the core.
        XCTAssertEqual(try csv(p, options(minUser: 3)).dataset.userIDs, ["a", "b"])
        assertError(try csv(p, options(minUser: 10)), "\(p): nothing to import: all 7 events were dropped (7 k-core)")
    }
}

final class JSONLImporterTests: TempDirTestCase {
    func run(_ p: String, items: String? = nil, _ o: ImportOptions = ImportOptions()) throws -> ImportResult {
        try JSONLImporter.run(events: p, items: items, columns: .init(), options: o)
    }

    func testFixture() throws {
        let r = try run(fixture("jsonl/events.jsonl"), items: fixture("jsonl/items.jsonl"))
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["u1", "u2", "3"])
        XCTAssertEqual(d.itemIDs, ["a", "b"])
        XCTAssertEqual(d.eventTime, [1000, 1200, 3_000_000_000])
        XCTAssertEqual(d.typeNames, ["click", "cart"])
        XCTAssertEqual(d.eventType, [0, 1, 0])
        XCTAssertEqual(d.itemFields.map(\.name), ["title", "tags", "price"])
        XCTAssertEqual(d.field("title"), ["Café crème ☕", "Tea"])
        XCTAssertEqual(d.field("tags"), ["hot | milk", ""])
        XCTAssertEqual(d.field("price"), ["", "2.50"])
    }

    func testMalformedLines() throws {
        let missing = try file("m.jsonl", "{\"user_id\": \"u\", \"item_id\": \"i\", \"timestamp\": 1}\n{\"user_id\": \"u\", \"item_id\": \"i\"}\n")
        assertError(try run(missing), "\(missing):2: field \"timestamp\" is missing")
        let time = try file("t.jsonl", "{\"user_id\": \"u\", \"item_id\": \"i\", \"timestamp\": \"soon\"}\n")
        assertError(try run(time), "\(time):1: field \"timestamp\": cannot read \"soon\" as a time (unix seconds, unix milliseconds or ISO-8601)")
        let broken = try file("b.jsonl", "{\"user_id\": \"u\", \"item_id\": \"i\", \"timestamp\": 1}\n{\"user_id\": \"u\", \"item_id\": \"i\" \"timestamp\": 1}\n")
        assertError(try run(broken), "\(broken):2: invalid JSON: column 33: expected ',' or '}', found '\"'")
        let utf = try file("u.jsonl", Array("{\"user_id\": \"u".utf8) + [0xC3] + Array("\", \"item_id\": \"i\", \"timestamp\": 1}\n".utf8))
        assertError(try run(utf), "\(utf):1: invalid UTF-8 in \"{\"user_id\": \"u\\xC3\", \"item_id\": \"i\", \"timestamp\": 1}\"")
        let empty = try file("e.jsonl", "")
        assertError(try run(empty), "\(empty): the file is empty (one JSON object per line is expected)")
        let array = try file("a.jsonl", "{\"user_id\": [1], \"item_id\": \"i\", \"timestamp\": 1}\n")
        assertError(try run(array), "\(array):1: field \"user_id\" is an array, expected a string or a number")
        // Skipped and counted, including a bad first line.
        let mixed = try file("x.jsonl", "not json\n{\"user_id\": \"u\", \"item_id\": \"i\", \"timestamp\": 1}\n{\"user_id\": \"u\"}\n")
        let r = try run(mixed, options(skip: true))
        XCTAssertEqual(r.summary.dropped.map { "\($0.count) \($0.reason)" }, ["1 invalid JSON", "1 missing field"])
        XCTAssertEqual(r.summary.rows, 3)
        XCTAssertEqual(r.dataset.eventCount, 1)
    }
}

final class AmazonImporterTests: TempDirTestCase {
    func testRelease2014WithPythonLiteralMetadata() throws {
        for meta in ["amazon2014/meta_Beauty.json", "amazon2014/meta_Beauty.json.gz"] {
            let r = try AmazonImporter.run(reviews: fixture("amazon2014/reviews_Beauty_5.json"), meta: fixture(meta), options: ImportOptions())
            let d = r.dataset
            XCTAssertEqual(d.userIDs, ["A1YJEY40YUW4SE", "A60XNB876KYML"])
            XCTAssertEqual(d.itemIDs, ["7806397051", "9759091062"])
            XCTAssertEqual(d.eventUser, [0, 1, 0]); XCTAssertEqual(d.eventItem, [0, 0, 1])
            XCTAssertEqual(d.eventTime, [1_391_040_000, 1_397_779_200, 1_382_140_800])
            XCTAssertEqual(d.typeNames, ["rating"]); XCTAssertEqual(d.eventValue, [1, 3, 4])
            XCTAssertEqual(d.field("title"), ["Japonesque Pro Performance Palette", "Xtreme Brite Brightening Gel 1oz."])
            XCTAssertEqual(d.field("brand"), ["Japonesque", ""])
            XCTAssertEqual(d.field("category"), ["Beauty > Makeup > Face | Beauty > Tools & Accessories", "Beauty > Hair Care"])
            XCTAssertEqual(d.field("description"), ["Don't be fooled: it's \"pro\".", "Lotion d'Orienté with café"])
            XCTAssertTrue(r.summary.notes[0].hasSuffix("Amazon 2014 release (detected from the metadata)"), r.summary.notes[0])
        }
        // Without metadata, the release is told by the reviews' fields.
        let r = try AmazonImporter.run(reviews: fixture("amazon2014/reviews_Beauty_5.json"), meta: nil, options: ImportOptions())
        XCTAssertTrue(r.summary.notes[0].hasSuffix("Amazon 2014 release (detected from the reviews)"), r.summary.notes[0])
        XCTAssertTrue(r.dataset.itemFields.isEmpty)
    }

    func testRelease2018() throws {
        let r = try AmazonImporter.run(reviews: fixture("amazon2018/Luxury_Beauty_5.json"), meta: fixture("amazon2018/meta_Luxury_Beauty.json"), options: ImportOptions())
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["A1Q6MUU0B2ZDQG", "A3HO2SQDCZIE9S"])
        XCTAssertEqual(d.itemIDs, ["B00004U9V2"])
        XCTAssertEqual(d.eventValue, [2, 5])
        XCTAssertEqual(d.field("title"), ["Crabtree &amp; Evelyn - Gardener's Ultra-Moisturising Hand Therapy Pump - 250g/8.8 OZ"])
        XCTAssertEqual(d.field("category"), [""])
        XCTAssertEqual(d.field("description"), ["After a long day of handling thorny situations, our new hand therapy pump is just the help you need. Formulated with shea butter."])
        XCTAssertTrue(r.summary.notes[0].hasSuffix("Amazon 2018 release (detected from the metadata)"), r.summary.notes[0])
    }

    func testMalformedReview() throws {
        let p = try file("r.json", "{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": 1}\n")
        assertError(try AmazonImporter.run(reviews: p, meta: nil, options: ImportOptions()), "\(p):1: field \"overall\" is missing")
        let t = try file("t.json", "{\"reviewerID\": \"A\", \"asin\": \"B\", \"unixReviewTime\": \"09 13, 2009\", \"overall\": 5.0}\n")
        assertError(try AmazonImporter.run(reviews: t, meta: nil, options: ImportOptions()),
                    "\(t):1: field \"unixReviewTime\": cannot read \"09 13, 2009\" as a time (unix seconds, unix milliseconds or ISO-8601)")
        let meta = try file("m.json", "{'asin': 'B', 'title': 'x'\n")
        assertError(try AmazonImporter.run(reviews: t, meta: meta, options: ImportOptions()),
                    "\(meta):1: invalid JSON: column 27: expected ',' or '}', found the end of the line")
    }
}

final class RecBoleImporterTests: TempDirTestCase {
    func testFolderAndFiles() throws {
        for inputs in [[fixture("recbole/mini")], [fixture("recbole/mini/mini.inter"), fixture("recbole/mini/mini.item")]] {
            let r = try RecBoleImporter.run(inputs, columns: .init(), options: ImportOptions())
            let d = r.dataset
            XCTAssertEqual(d.userIDs, ["196", "186"])
            XCTAssertEqual(d.itemIDs, ["242", "302"])
            XCTAssertEqual(d.eventTime, [881_250_949, 891_717_742, 881_250_950])
            XCTAssertEqual(d.typeNames, ["rating"]); XCTAssertEqual(d.eventType, [0, 0, 0])
            XCTAssertEqual(d.eventValue, [3, 3.5, 1])
            XCTAssertEqual(d.itemFields.map(\.name), ["movie_title", "release_year", "class", "score"])
            XCTAssertEqual(d.field("class"), ["Comedy", "Crime Film-Noir Mystery Thriller"])
            XCTAssertEqual(d.field("score"), ["0.5 1.5", "2 3"])
        }
    }

    func testMalformed() throws {
        let p = try file("x/x.inter", "user_id\titem_id:token\ttimestamp:float\n1\t2\t3\n")
        assertError(try RecBoleImporter.run([p], columns: .init(), options: ImportOptions()),
                    "\(p):1: header field 1 \"user_id\" is not name:type with type token, token_seq, float or float_seq")
        let q = try file("y/y.inter", "user_id:token\titem_id:token\ttimestamp:float\n1\t2\n")
        assertError(try RecBoleImporter.run([q], columns: .init(), options: ImportOptions()), "\(q):2: expected 3 fields (as in the header), found 2")
        let empty = try file("z/z.inter", "")
        assertError(try RecBoleImporter.run([empty], columns: .init(), options: ImportOptions()), "\(empty): the file is empty (a header line is expected)")
        assertError(try RecBoleImporter.run([dir.path], columns: .init(), options: ImportOptions()), "\(dir.path): no .inter file (RecBole atomic files: NAME.inter, NAME.item, NAME.user)")
    }
}

final class MovieLensImporterTests: TempDirTestCase {
    func testML100K() throws {
        let r = try MovieLensImporter.run(fixture("movielens/ml-100k"), options: ImportOptions())
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["196", "186", "22"])
        XCTAssertEqual(d.itemIDs, ["242", "302", "377"])
        XCTAssertEqual(d.eventValue, [3, 3, 1, 4])
        XCTAssertEqual(d.typeNames, ["rating"])
        XCTAssertEqual(d.field("title"), ["Kolya (1996)", "L.A. Confidential (1997)", "Misérables, Les (1995)"])  // u.item is ISO-8859-1
        XCTAssertEqual(d.field("year"), ["1997", "1997", "1995"])  // release date first, else the title
        XCTAssertEqual(d.field("genres"), ["Comedy", "Crime|Film-Noir|Mystery|Thriller", "Drama|Musical"])
    }

    func testML1M() throws {
        let d = try MovieLensImporter.run(fixture("movielens/ml-1m"), options: ImportOptions()).dataset
        XCTAssertEqual(d.userIDs, ["1", "2"])
        XCTAssertEqual(d.itemIDs, ["1193", "661"])
        XCTAssertEqual(d.eventTime, [978_300_760, 978_302_109, 978_298_413])
        XCTAssertEqual(d.field("title"), ["One Flew Over the Cuckoo's Nest (1975)", "James and the Giant Peach (1996)"])
        XCTAssertEqual(d.field("year"), ["1975", "1996"])
        XCTAssertEqual(d.field("genres"), ["Drama", "Animation|Children's|Musical"])
    }

    func testMLLatest() throws {
        let d = try MovieLensImporter.run(fixture("movielens/ml-latest-small/ratings.csv"), options: ImportOptions()).dataset
        XCTAssertEqual(d.itemIDs, ["1", "11"])
        XCTAssertEqual(d.eventValue, [4, 4.5, 3])
        XCTAssertEqual(d.field("title"), ["Toy Story (1995)", "American President, The (1995)"])
        XCTAssertEqual(d.field("year"), ["1995", "1995"])
        XCTAssertEqual(d.field("genres"), ["Adventure|Animation|Children|Comedy|Fantasy", "Comedy|Drama|Romance"])
    }

    func testMalformed() throws {
        let p = try file("a/u.data", "1\t2\t3\t4\n1\t2\t3\n")
        assertError(try MovieLensImporter.run(dir.appendingPathComponent("a").path, options: ImportOptions()),
                    "\(p):2: expected 4 fields (user, item, rating, timestamp), found 3")
        let q = try file("b/ratings.dat", "1::2::x::4\n")
        assertError(try MovieLensImporter.run(q, options: ImportOptions()), "\(q):1: column rating: cannot read \"x\" as a number")
        assertError(try MovieLensImporter.run(dir.path, options: ImportOptions()),
                    "\(dir.path): no MovieLens ratings file (u.data for ML-100K, ratings.dat for ML-1M/10M, ratings.csv for ML-latest/20M/25M)")
        XCTAssertEqual(MovieLensImporter.yearFromTitle("Toy Story (1995) "), "1995")
        XCTAssertEqual(MovieLensImporter.yearFromTitle("Babylon 5"), "")
    }
}

final class RetailRocketImporterTests: TempDirTestCase {
    func testFixture() throws {
        let r = try RetailRocketImporter.run(fixture("retailrocket"), options: ImportOptions())
        let d = r.dataset
        XCTAssertEqual(d.userIDs, ["257597", "992329"])
        XCTAssertEqual(d.itemIDs, ["355908", "248676"])
        XCTAssertEqual(d.eventTime, [1_433_221_332, 1_433_224_214, 1_433_221_999, 1_433_222_276])
        XCTAssertEqual(d.typeNames, ["view", "addtocart", "transaction"])
        XCTAssertEqual(d.eventType, [0, 0, 1, 2])
        XCTAssertEqual(d.field("category"), ["1173", "491"])  // the latest categoryid snapshot
    }

    func testUnknownEventType() throws {
        let p = try file("events.csv", "timestamp,visitorid,event,itemid,transactionid\n1433221332117,1,click,2,\n")
        assertError(try RetailRocketImporter.run(p, options: ImportOptions()),
                    "\(p):2: column event: \"click\" is not an event type of this format (view, addtocart, transaction)")
    }
}
