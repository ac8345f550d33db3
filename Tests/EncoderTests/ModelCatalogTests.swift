import Encoders
import Foundation
import ModelCatalog
import XCTest

/// The facts `ModelCatalog` states about the built-in encoders against what `Encoders` loads
/// from the checkpoints (config.json, sentence_bert_config.json, model.safetensors) and what
/// `scripts/fetch-models.sh` installs, so the two cannot drift apart.
final class ModelCatalogTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func testCatalogueMatchesTheLoadedCheckpoints() throws {
        for model in BuiltinModel.allCases {
            let dir = try modelDirectoryOrSkip(model)
            let encoder = try SentenceEncoder(model: model, directory: dir)   // checks model_type against `architecture`
            XCTAssertEqual(encoder.dimension, model.dimension, model.rawValue)
            XCTAssertEqual(encoder.layers, model.layers, model.rawValue)
            XCTAssertEqual(encoder.maxTokens, model.maxTokens, model.rawValue)
            XCTAssertEqual(encoder.weightsSHA256, model.weightsSHA256, model.rawValue)
            let data = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent("config.json"))
            let config = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            XCTAssertEqual(config["model_type"] as? String, model.architecture, model.rawValue)
            XCTAssertEqual(config["hidden_size"] as? Int, model.dimension, model.rawValue)
            XCTAssertEqual(config["num_hidden_layers"] as? Int, model.layers, model.rawValue)
            XCTAssertEqual(URL(fileURLWithPath: dir).lastPathComponent, model.folderName)
        }
    }

    func testWeightsSHA256MatchFetchScript() throws {
        let script = try String(contentsOf: Self.packageRoot.appendingPathComponent("scripts/fetch-models.sh"), encoding: .utf8)
        func constant(_ name: String) -> String? {
            script.split(separator: "\n").first { $0.hasPrefix("\(name)=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        XCTAssertEqual(constant("MINILM_SHA"), BuiltinModel.miniLML6.weightsSHA256)
        XCTAssertEqual(constant("MPNET_SHA"), BuiltinModel.mpnetBase.weightsSHA256)
        for model in BuiltinModel.allCases {
            XCTAssertTrue(script.contains("install_model \(model.folderName) "), "fetch-models.sh installs \(model.folderName)")
        }
    }

    func testFacts() {
        XCTAssertEqual(BuiltinModel.allCases.map(\.rawValue), ["minilm-l6", "mpnet-base"])
        XCTAssertEqual(BuiltinModel.miniLML6.checkpoint, "sentence-transformers/all-MiniLM-L6-v2")
        XCTAssertEqual(BuiltinModel.mpnetBase.checkpoint, "sentence-transformers/all-mpnet-base-v2")
        XCTAssertEqual(BuiltinModel.names(joinedBy: "and"), "minilm-l6 and mpnet-base")
        XCTAssertEqual(BuiltinModel.names(joinedBy: "or"), "minilm-l6 or mpnet-base")
        XCTAssertEqual(builtinEncoderNames, "hash-<d>, minilm-l6, mpnet-base")
    }

    func testHashEncoderNames() {
        XCTAssertEqual(HashEncoderName("hash-64")?.dimension, 64)
        XCTAssertEqual(HashEncoderName("hash-1")?.dimension, 1)
        for bad in ["hash-0", "hash-064", "hash-+64", "hash--1", "hash-", "hash-6x", "Hash-64", "hash64", "minilm-l6", ""] {
            XCTAssertNil(HashEncoderName(bad), bad)
        }
    }
}
