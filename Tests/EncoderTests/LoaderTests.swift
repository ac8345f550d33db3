@testable import Encoders
import Foundation
import ModelCatalog
import SafeTensors
import XCTest

/// The loader and forward pass on tiny random models written by the test (no real weights needed).
final class LoaderTests: XCTestCase {
    /// Tolerance between the packed sgemm forward pass and the naive loops: both float32 with
    /// different summation orders over a handful of terms, on unit vectors.
    static let tolerance: Float = 2e-5

    func assertClose(_ a: ArraySlice<Float>, _ b: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (k, (x, y)) in zip(a, b).enumerated() where abs(x - y) > Self.tolerance {
            XCTFail("\(what): component \(k) is \(x), reference \(y)", file: file, line: line)
            return
        }
    }

    func assertEncoderError(_ kind: EncoderError.Kind, containing parts: [String], file: StaticString = #filePath, line: UInt = #line,
                            _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected EncoderError.\(kind)", file: file, line: line)
        } catch let error as EncoderError {
            XCTAssertEqual(error.kind, kind, "\(error)", file: file, line: line)
            for part in parts {
                XCTAssertTrue(error.description.contains(part), "\"\(error)\" does not mention \(part)", file: file, line: line)
            }
        } catch {
            XCTFail("expected EncoderError.\(kind), got \(error)", file: file, line: line)
        }
    }

    func checkForwardPass(_ kind: TinyModel.Kind, model: BuiltinModel) throws {
        let tiny = TinyModel(kind: kind)
        let dir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let encoder = try SentenceEncoder(model: model, directory: dir)
        XCTAssertEqual(encoder.dimension, tiny.hidden)
        XCTAssertEqual(encoder.layers, tiny.layers)
        XCTAssertEqual(encoder.maxTokens, tiny.maxSeqLength)
        XCTAssertEqual(encoder.weightsSHA256.count, 64)

        let texts = ["The cat sat on the mat!", "", "unaffable cat, a b", "the the the the the the the the the the the the", "创 cat"]
        let ids = texts.map(encoder.tokenize)
        func id(_ token: String) -> Int32 { Int32(tiny.vocab.firstIndex(of: token) ?? -1) }
        let (cls, sep, unk) = kind == .bert ? (id("[CLS]"), id("[SEP]"), id("[UNK]")) : (id("<s>"), id("</s>"), id("[UNK]"))
        XCTAssertEqual(ids[0], [cls] + ["the", "cat", "sat", "on", "the", "mat", "!"].map(id) + [sep])
        XCTAssertEqual(ids[1], [cls, sep])
        // WordPiece: "unaffable" = un ##aff ##able; "b" alone is not in the vocabulary (only "##b").
        XCTAssertEqual(ids[2], [cls] + ["un", "##aff", "##able", "cat", ",", "a"].map(id) + [unk, sep])
        XCTAssertEqual(ids[3].count, tiny.maxSeqLength, "truncated at max_seq_length")
        XCTAssertEqual(ids[3].last, sep)

        var progress: [Int] = []
        let vectors = try encoder.encode(texts, batchSize: 2) { progress.append($0) }
        XCTAssertEqual(progress, [2, 4, 5])
        XCTAssertEqual(vectors.count, texts.count * tiny.hidden)
        for (i, textIDs) in ids.enumerated() {
            let row = vectors[(i * tiny.hidden)..<((i + 1) * tiny.hidden)]
            assertClose(row, tiny.reference(textIDs), "\(kind) text \(i)")
        }
        // Batching does not change results: one text at a time gives the same rows.
        let single = try texts.flatMap { try encoder.encode([$0], batchSize: 1) }
        for (a, b) in zip(vectors, single) { XCTAssertEqual(a, b, accuracy: 1e-6) }

        // layers: 1 uses the first block only; the second block's tensors are not "unused".
        let truncated = try SentenceEncoder(model: model, directory: dir, layers: 1)
        XCTAssertEqual(truncated.layers, 1)
        let one = try truncated.encode([texts[0]])
        assertClose(one[...], tiny.reference(ids[0], layers: 1), "\(kind) layers: 1")
        XCTAssertGreaterThan(zip(one, vectors.prefix(tiny.hidden)).map { abs($0 - $1) }.max() ?? 0, 1e-3,
                             "the truncated model must differ from the full one")
    }

    func testTinyBertMatchesNaiveForwardPass() throws { try checkForwardPass(.bert, model: .miniLML6) }
    func testTinyMPNetMatchesNaiveForwardPass() throws { try checkForwardPass(.mpnet, model: .mpnetBase) }

    func testRelativePositionBucketsUpTo384Tokens() throws {
        XCTAssertEqual(TinyModel.bucket(i: 0, j: 0), 0)
        XCTAssertEqual(TinyModel.bucket(i: 5, j: 0), 5)
        XCTAssertEqual(TinyModel.bucket(i: 0, j: 5), 21)
        XCTAssertEqual(TinyModel.bucket(i: 16, j: 0), 10)
        XCTAssertEqual(TinyModel.bucket(i: 64, j: 0), 14)
        XCTAssertEqual(TinyModel.bucket(i: 0, j: 300), 31)
        for i in [0, 7, 100, 383] {
            for j in 0..<384 {
                XCTAssertEqual(Transformer.relativePositionBucket(j - i), TinyModel.bucket(i: i, j: j), "query \(i), key \(j)")
            }
        }
        // A 384-token MPNet whose bias grows with the bucket number, so that any bucket off by
        // one at any distance up to 383 moves the output.
        var tiny = TinyModel(kind: .mpnet, maxSeqLength: 384)
        tiny.tensors["encoder.relative_attention_bias.weight"] = ([32, 2], (0..<64).map { Float(($0 * 37) % 64) * 0.15 - 4.8 })
        let dir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let encoder = try SentenceEncoder(model: .mpnetBase, directory: dir)
        let text = Array(repeating: "the cat sat on a mat ,", count: 60).joined(separator: " ")
        let ids = encoder.tokenize(text)
        XCTAssertEqual(ids.count, 384)
        assertClose(try encoder.encode([text])[...], tiny.reference(ids), "384-token mpnet with bucket-valued bias")
    }

    func testMissingTensorIsAnError() throws {
        var tiny = TinyModel(kind: .bert)
        tiny.tensors["encoder.layer.1.output.dense.bias"] = nil
        let dir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        assertEncoderError(.missingTensor, containing: ["model.safetensors", "encoder.layer.1.output.dense.bias", "missing"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
        // Truncating before the layer with the gap loads fine.
        XCTAssertEqual(try SentenceEncoder(model: .miniLML6, directory: dir, layers: 1).layers, 1)
    }

    func testUnusedTensorIsAnError() throws {
        var tiny = TinyModel(kind: .bert)
        tiny.tensors["encoder.layer.0.attention.self.rotary.weight"] = ([2], [1, 2])
        tiny.tensors["lm_head.bias"] = ([3], [1, 2, 3])
        let dir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        assertEncoderError(.unusedTensors, containing: ["2 tensor(s)", "encoder.layer.0.attention.self.rotary.weight", "lm_head.bias"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
    }

    func testLayerBeyondConfigIsUnused() throws {
        var tiny = TinyModel(kind: .bert)
        tiny.tensors["encoder.layer.7.output.dense.bias"] = ([8], [Float](repeating: 0, count: 8))
        let dir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        assertEncoderError(.unusedTensors, containing: ["encoder.layer.7.output.dense.bias"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir, layers: 1)
        }
    }

    func testWrongShapeIsAnError() throws {
        var tiny = TinyModel(kind: .bert)
        tiny.tensors["encoder.layer.0.intermediate.dense.weight"] = ([8, 12], [Float](repeating: 0, count: 96))
        let dir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        assertEncoderError(.invalidWeights, containing: ["encoder.layer.0.intermediate.dense.weight", "[8, 12]", "expected [12, 8]"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
    }

    func testLayersOutOfRange() throws {
        let dir = try TinyModel(kind: .bert).write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for bad in [0, 3, -1] {
            assertEncoderError(.invalidArgument, containing: ["layers must be between 1 and 2", "got \(bad)"]) {
                _ = try SentenceEncoder(model: .miniLML6, directory: dir, layers: bad)
            }
        }
        let encoder = try SentenceEncoder(model: .miniLML6, directory: dir)
        assertEncoderError(.invalidArgument, containing: ["batchSize"]) { _ = try encoder.encode(["a"], batchSize: 0) }
        XCTAssertEqual(try encoder.encode([]), [])
    }

    func testTruncatedSafetensorsIsAnError() throws {
        let dir = try TinyModel(kind: .bert).write()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = (dir as NSString).appendingPathComponent("model.safetensors")
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: path))
        assertEncoderError(.invalidWeights, containing: [path, "truncated"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
    }

    /// A config.json value of the wrong type, or a missing one, names the file and the key.
    func testMalformedConfigNamesTheKey() throws {
        let tiny = TinyModel(kind: .bert)
        let mistyped = try tiny.write(configJSON: tiny.configJSON.replacingOccurrences(of: "\"hidden_size\": \(tiny.hidden)", with: "\"hidden_size\": \"x\""))
        defer { try? FileManager.default.removeItem(atPath: mistyped) }
        assertEncoderError(.invalidConfig, containing: ["config.json", "hidden_size: expected an integer, found \"x\""]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: mistyped)
        }
        let missing = try tiny.write(configJSON: tiny.configJSON.replacingOccurrences(of: "\"vocab_size\"", with: "\"vocab_size_\""))
        defer { try? FileManager.default.removeItem(atPath: missing) }
        assertEncoderError(.invalidConfig, containing: ["config.json", "vocab_size: expected an integer, found nothing"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: missing)
        }
    }

    func testUnsupportedArchitecture() throws {
        let tiny = TinyModel(kind: .bert)
        let config = tiny.configJSON.replacingOccurrences(of: "\"bert\"", with: "\"gpt2\"")
            .replacingOccurrences(of: "BertModel", with: "GPT2LMHeadModel")
        let dir = try tiny.write(configJSON: config)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        assertEncoderError(.unsupportedArchitecture, containing: ["config.json", "gpt2", "GPT2LMHeadModel"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
        // A BERT folder asked to load as MPNet.
        let bertDir = try tiny.write()
        defer { try? FileManager.default.removeItem(atPath: bertDir) }
        assertEncoderError(.unsupportedArchitecture, containing: ["mpnet-base needs model_type \"mpnet\""]) {
            _ = try SentenceEncoder(model: .mpnetBase, directory: bertDir)
        }
        let gelu = tiny.configJSON.replacingOccurrences(of: "\"gelu\"", with: "\"relu\"")
        let reluDir = try tiny.write(configJSON: gelu)
        defer { try? FileManager.default.removeItem(atPath: reluDir) }
        assertEncoderError(.unsupportedArchitecture, containing: ["hidden_act \"relu\""]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: reluDir)
        }
    }

    func testMissingModelFolderSaysToFetch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-model-\(UUID().uuidString)").path
        assertEncoderError(.missingModel, containing: [dir, "scripts/fetch-models.sh"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
        // A folder without weights says the same.
        let tinyDir = try TinyModel(kind: .bert).write()
        defer { try? FileManager.default.removeItem(atPath: tinyDir) }
        try FileManager.default.removeItem(atPath: (tinyDir as NSString).appendingPathComponent("model.safetensors"))
        assertEncoderError(.missingModel, containing: ["model.safetensors", "scripts/fetch-models.sh"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: tinyDir)
        }
    }

    func testDefaultModelDirectory() {
        let expected = ProcessInfo.processInfo.environment["PROFILEBENCH_MODELS"].flatMap { $0.isEmpty ? nil : $0 } ?? "models"
        XCTAssertEqual(defaultModelDirectory(for: .miniLML6), expected + "/all-MiniLM-L6-v2")
        XCTAssertEqual(defaultModelDirectory(for: .mpnetBase), expected + "/all-mpnet-base-v2")
        XCTAssertEqual(BuiltinModel(rawValue: "minilm-l6"), .miniLML6)
        XCTAssertEqual(BuiltinModel.allCases.map(\.rawValue), ["minilm-l6", "mpnet-base"])
    }
}

extension LoaderTests {
    func testVocabularyLargerThanEmbeddingTableIsAnError() throws {
        let tiny = TinyModel(kind: .bert)
        let config = tiny.configJSON.replacingOccurrences(of: "\"vocab_size\": \(tiny.vocab.count)", with: "\"vocab_size\": 10")
        let dir = try tiny.write(configJSON: config)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        assertEncoderError(.invalidTokenizer, containing: ["vocab.txt", "ids up to \(tiny.vocab.count - 1)", "vocab_size is 10"]) {
            _ = try SentenceEncoder(model: .miniLML6, directory: dir)
        }
    }
}
