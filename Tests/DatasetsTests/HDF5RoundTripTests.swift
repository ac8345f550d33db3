import XCTest
@testable import HDF5Kit
@testable import Datasets
@testable import FeatureHashing

final class HDF5RoundTripTests: XCTestCase {
    var dir: URL!
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pb-h5-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }
    func path(_ n: String) -> String { dir.appendingPathComponent(n).path }

    func sample() -> Dataset {
        Dataset(eventUser: [0, 1, 1, 0], eventItem: [2, 0, 1, 2], eventTime: [10, 5, 5, 11], eventType: [0, 2, 1, 0],
                typeNames: ["view", "cart", "purchase"], eventValue: [1, 2.5, 3, 4],
                itemIDs: ["B000", "é-ü", "商品"], userIDs: ["alice", "bob"],
                itemFields: [("title", ["Crème brûlée kit", "日本語のタイトル", "emoji 🎉 title"]), ("category", ["food", "books", ""])])
    }

    func testDatasetRoundTripWithUTF8Strings() throws {
        let d = sample()
        let emb = EmbeddingTable(name: "hash-4", rows: 3, dim: 4, values: [1, 0, 0, 0, 0, 0.6, 0.8, 0, 0, 0, 0, 0],
                                 attributes: EmbeddingAttributes(encoder: "hash-4", dim: 4, layers: 0, normalized: true, weightsSHA256: "", textTemplate: "{title}"))
        try DatasetIO.write(d, embeddings: [emb], to: path("d.h5"))
        let r = try DatasetIO.read(path("d.h5"))
        XCTAssertEqual(r.eventUser, d.eventUser)
        XCTAssertEqual(r.eventItem, d.eventItem)
        XCTAssertEqual(r.eventTime, d.eventTime)
        XCTAssertEqual(r.eventType, d.eventType)
        XCTAssertEqual(r.eventValue, d.eventValue)
        XCTAssertEqual(r.typeNames, d.typeNames)
        XCTAssertEqual(r.itemIDs, d.itemIDs)
        XCTAssertEqual(r.userIDs, d.userIDs)
        XCTAssertEqual(r.field("title"), d.field("title"))
        XCTAssertEqual(r.field("category"), d.field("category"))
        let e = try DatasetIO.readEmbeddings(path("d.h5"), name: "hash-4", itemIDs: r.itemIDs)
        XCTAssertEqual(e.values, emb.values)
        XCTAssertEqual(e.attributes, emb.attributes)
        XCTAssertEqual(e.zeroRows, 1)
    }

    func testStoreEmbeddingsReplacesAtomically() throws {
        try DatasetIO.write(sample(), to: path("d.h5"))
        let a = EmbeddingAttributes(encoder: "x", dim: 2, layers: 0, normalized: false, weightsSHA256: "abc", textTemplate: "")
        try DatasetIO.storeEmbeddings(EmbeddingTable(name: "x", rows: 3, dim: 2, values: [1, 2, 3, 4, 5, 6], attributes: a), in: path("d.h5"))
        try DatasetIO.storeEmbeddings(EmbeddingTable(name: "x", rows: 3, dim: 2, values: [6, 5, 4, 3, 2, 1], attributes: a), in: path("d.h5"))
        XCTAssertEqual(try DatasetIO.readEmbeddings(path("d.h5"), name: "x", itemIDs: ["a", "b", "c"]).values, [6, 5, 4, 3, 2, 1])
        XCTAssertEqual(try DatasetIO.embeddingNames(path("d.h5")), ["x"])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testNumericConversionUsesMemoryTypeOfSwiftType() throws {
        let f = try HDF5File(path: path("n.h5"), mode: .create)
        try f.write("/g/doubles", [1.5, -2.25, 3e10], shape: [3])
        try f.write("/g/ints", [Int64(-5), 7, 1 << 40], shape: [3])
        try f.setAttribute("names", .strings(["a", "β"]), on: "/g/ints")
        try f.close()
        let g = try HDF5File(path: path("n.h5"), mode: .readOnly)
        XCTAssertEqual(try g.read("/g/doubles", as: Float.self).values, [1.5, -2.25, 3e10])
        XCTAssertEqual(try g.read("/g/ints", as: Int64.self).values, [-5, 7, 1 << 40])
        XCTAssertEqual(try g.attribute("names", of: "/g/ints"), .strings(["a", "β"]))
        XCTAssertEqual(try g.info("/g/doubles"), HDF5DatasetInfo(shape: [3], typeClass: .float, elementSize: 8, isSigned: true))
        XCTAssertThrowsError(try g.readStrings("/g/ints")) { e in
            XCTAssertTrue("\(e)".contains("/g/ints"), "\(e)")
        }
        XCTAssertThrowsError(try g.read("/missing", as: Float.self)) { e in
            XCTAssertEqual("\(e)", "\(self.path("n.h5")): /missing: opening failed: no such dataset")
        }
    }

    func testSyntheticIsDeterministicAndDrifts() {
        var c = SyntheticConfig(); c.users = 20; c.items = 50; c.seed = 3
        let a = Synthetic.generate(c), b = Synthetic.generate(c)
        XCTAssertEqual(a.eventItem, b.eventItem)
        XCTAssertEqual(a.eventTime, b.eventTime)
        XCTAssertEqual(a.field("title"), b.field("title"))
        c.seed = 4
        XCTAssertNotEqual(Synthetic.generate(c).eventItem, a.eventItem)
        // Timestamps never decrease in file order, and some events share a second.
        XCTAssertEqual(a.eventTime, a.eventTime.sorted())
        XCTAssertTrue(zip(a.eventTime, a.eventTime.dropFirst()).contains { $0 == $1 })
    }

    func testHashEncoderDefinition() {
        XCTAssertEqual(HashEncoder.tokens("Crème-Brûlée, 2x 日本 emoji🎉ok"), ["crème", "brûlée", "2x", "日本", "emoji", "ok"])
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c (published test vector).
        XCTAssertEqual(HashEncoder.fnv1a("a"), 0xaf63_dc4c_8601_ec8c)
        let h = HashEncoder(dimension: 8)
        let v = h.encode(["a a"])
        // bucket 0xaf63dc4c8601ec8c mod 8 = 4, sign − (bit 63 set); two counts, normalised to −1.
        XCTAssertEqual(v, [0, 0, 0, 0, -1, 0, 0, 0])
        XCTAssertEqual(h.encode(["", "!!"]), [Float](repeating: 0, count: 16))
    }

    func testTemplateRenderingAndUnknownField() throws {
        let d = sample()
        XCTAssertEqual(try TextTemplate("{title} | {category} {{x}}").render(d, file: "d.h5")[0], "Crème brûlée kit | food {x}")
        XCTAssertThrowsError(try TextTemplate("{brand}").render(d, file: "d.h5")) { e in
            XCTAssertEqual("\(e)", "template \"{brand}\" names the field {brand}, but d.h5 has the item fields: id, title, category")
        }
        XCTAssertThrowsError(try TextTemplate("{title"))
    }
}
