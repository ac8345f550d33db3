import Encoders
import Foundation
import ModelCatalog
import XCTest

/// The reference fixture converted by `scripts/make-encoder-fixtures.py` from
/// `Fixtures/encoders-reference.h5` (sentence-transformers 6.2, CPU, float32).
struct EncoderFixture {
    struct Model: Decodable {
        let max_seq_length: Int
        let dim: Int
        let token_lengths: [Int]
        let token_ids: [Int32]
    }

    let texts: [String]
    let models: [String: Model]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load() throws -> EncoderFixture {
        let data = try Data(contentsOf: directory.appendingPathComponent("encoders-reference.json"))
        struct Document: Decodable {
            let texts: [String]
            let minilm: Model
            let mpnet: Model
            enum CodingKeys: String, CodingKey { case texts, minilm = "minilm-l6", mpnet = "mpnet-base" }
        }
        let doc = try JSONDecoder().decode(Document.self, from: data)
        return EncoderFixture(texts: doc.texts, models: ["minilm-l6": doc.minilm, "mpnet-base": doc.mpnet])
    }

    /// Reference token ids of each text.
    func tokenIDs(_ model: BuiltinModel) throws -> [[Int32]] {
        let m = try XCTUnwrap(models[model.rawValue])
        var result: [[Int32]] = []
        var start = 0
        for n in m.token_lengths {
            result.append(Array(m.token_ids[start..<(start + n)]))
            start += n
        }
        return result
    }

    /// Reference embeddings, row-major [texts × dim].
    func embeddings(_ model: BuiltinModel) throws -> [Float] {
        let data = try Data(contentsOf: Self.directory.appendingPathComponent("\(model.rawValue)-embeddings.f32"))
        var values = [Float](repeating: 0, count: data.count / 4)
        _ = values.withUnsafeMutableBytes { data.copyBytes(to: $0) }
        return values.map { Float(bitPattern: $0.bitPattern.littleEndian) }
    }
}

/// The model folder, or an XCTSkip saying the weights are absent and how to get them.
func modelDirectoryOrSkip(_ model: BuiltinModel) throws -> String {
    var dir = defaultModelDirectory(for: model)
    if !dir.hasPrefix("/") {
        // Tests run from the package root by default; fall back to the path next to the sources.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let candidate = root.appendingPathComponent(dir).path
        if !FileManager.default.fileExists(atPath: dir) { dir = candidate }
    }
    guard FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("model.safetensors")) else {
        throw XCTSkip("weights for \(model.rawValue) not found at \(dir): run scripts/fetch-models.sh to test against the real model")
    }
    return dir
}
