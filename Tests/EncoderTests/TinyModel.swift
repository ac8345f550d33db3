import Foundation
import SafeTensors
import XCTest

/// A tiny random BERT or MPNet written to a temporary folder (config.json, vocab.txt,
/// tokenizer_config.json, sentence_bert_config.json, model.safetensors), so that the loader and
/// the forward pass are tested without the real weights.
struct TinyModel {
    enum Kind: String { case bert, mpnet }

    let kind: Kind
    let hidden = 8, heads = 2, layers = 2, intermediate = 12
    let maxPositions: Int, maxSeqLength: Int
    let buckets = 32
    let vocab: [String]
    var tensors: [String: (shape: [Int], values: [Float])] = [:]

    init(kind: Kind, seed: UInt64 = 42, maxSeqLength: Int = 10) {
        self.kind = kind
        self.maxSeqLength = maxSeqLength
        maxPositions = maxSeqLength + 10
        let specials = kind == .bert ? ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
                                     : ["<s>", "<pad>", "</s>", "<unk>", "[UNK]", "<mask>"]
        vocab = specials + ["the", "cat", "sat", "on", "mat", "un", "##aff", "##able", "!", ",", "a", "##b", "创"]
        var rng = seed
        func random(_ shape: [Int], scale: Float = 0.5) -> (shape: [Int], values: [Float]) {
            let n = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: n)
            for i in 0..<n {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                values[i] = (Float(rng >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
            return (shape, values)
        }
        /// LayerNorm gains near 1.
        func ones(_ t: (shape: [Int], values: [Float])) -> (shape: [Int], values: [Float]) { (t.shape, t.values.map { $0 + 1 }) }
        let H = hidden, I = intermediate
        tensors["embeddings.word_embeddings.weight"] = random([vocab.count, H])
        tensors["embeddings.position_embeddings.weight"] = random([maxPositions, H])
        tensors["embeddings.LayerNorm.weight"] = ones(random([H], scale: 0.2))
        tensors["embeddings.LayerNorm.bias"] = random([H], scale: 0.1)
        if kind == .bert { tensors["embeddings.token_type_embeddings.weight"] = random([2, H]) }
        for l in 0..<layers {
            let p = "encoder.layer.\(l)."
            let attn = kind == .bert ? ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]
                                     : ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o"]
            for name in attn {
                tensors[p + name + ".weight"] = random([H, H])
                tensors[p + name + ".bias"] = random([H], scale: 0.1)
            }
            let attnNorm = kind == .bert ? "attention.output.LayerNorm" : "attention.LayerNorm"
            tensors[p + attnNorm + ".weight"] = ones(random([H], scale: 0.2))
            tensors[p + attnNorm + ".bias"] = random([H], scale: 0.1)
            tensors[p + "intermediate.dense.weight"] = random([I, H])
            tensors[p + "intermediate.dense.bias"] = random([I], scale: 0.1)
            tensors[p + "output.dense.weight"] = random([H, I])
            tensors[p + "output.dense.bias"] = random([H], scale: 0.1)
            tensors[p + "output.LayerNorm.weight"] = ones(random([H], scale: 0.2))
            tensors[p + "output.LayerNorm.bias"] = random([H], scale: 0.1)
        }
        if kind == .mpnet { tensors["encoder.relative_attention_bias.weight"] = random([buckets, heads]) }
        tensors["pooler.dense.weight"] = random([H, H])
        tensors["pooler.dense.bias"] = random([H], scale: 0.1)
    }

    var configJSON: String {
        switch kind {
        case .bert:
            return """
            {"architectures": ["BertModel"], "model_type": "bert", "hidden_size": \(hidden), "num_hidden_layers": \(layers),
             "num_attention_heads": \(heads), "intermediate_size": \(intermediate), "hidden_act": "gelu",
             "layer_norm_eps": 1e-12, "max_position_embeddings": \(maxPositions), "type_vocab_size": 2,
             "vocab_size": \(vocab.count), "pad_token_id": 0, "position_embedding_type": "absolute"}
            """
        case .mpnet:
            return """
            {"architectures": ["MPNetForMaskedLM"], "model_type": "mpnet", "hidden_size": \(hidden), "num_hidden_layers": \(layers),
             "num_attention_heads": \(heads), "intermediate_size": \(intermediate), "hidden_act": "gelu",
             "layer_norm_eps": 1e-05, "max_position_embeddings": \(maxPositions), "vocab_size": \(vocab.count),
             "pad_token_id": 1, "relative_attention_num_buckets": \(buckets)}
            """
        }
    }

    var tokenizerConfigJSON: String {
        switch kind {
        case .bert:
            return #"{"do_lower_case": true, "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]", "mask_token": "[MASK]", "tokenize_chinese_chars": true, "strip_accents": null}"#
        case .mpnet:
            return #"{"do_lower_case": true, "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "[UNK]", "pad_token": "<pad>", "mask_token": {"content": "<mask>", "lstrip": true}, "tokenize_chinese_chars": true, "strip_accents": null}"#
        }
    }

    /// Writes the model to a new temporary folder and returns its path.
    func write(configJSON config: String? = nil) throws -> String {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("tiny-\(kind.rawValue)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        func put(_ name: String, _ text: String) throws {
            try text.write(toFile: (dir as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try put("config.json", config ?? configJSON)
        try put("vocab.txt", vocab.joined(separator: "\n") + "\n")
        try put("tokenizer_config.json", tokenizerConfigJSON)
        try put("sentence_bert_config.json", #"{"max_seq_length": \#(maxSeqLength), "do_lower_case": false}"#)
        try SafeTensorsWriter.write(tensors, to: (dir as NSString).appendingPathComponent("model.safetensors"))
        return dir
    }

    // MARK: Naive reference forward pass (plain loops, padded-free, one text at a time)

    func t(_ name: String) -> [Float] { tensors[name]?.values ?? [] }

    /// Mean-pooled, L2-normalised output for one token sequence, written with no shortcut:
    /// the textbook formulas, to check the packed sgemm implementation against.
    func reference(_ ids: [Int32], layers usedLayers: Int? = nil) -> [Float] {
        let H = hidden, D = hidden / heads, n = ids.count
        let eps: Float = kind == .bert ? 1e-12 : 1e-5
        func layerNorm(_ v: [Float], _ g: [Float], _ b: [Float]) -> [Float] {
            let mean = v.reduce(0, +) / Float(v.count)
            let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(v.count)
            return v.indices.map { (v[$0] - mean) / (variance + eps).squareRoot() * g[$0] + b[$0] }
        }
        func linear(_ v: [Float], _ name: String, _ out: Int) -> [Float] {
            let w = t(name + ".weight"), b = t(name + ".bias")
            return (0..<out).map { o in b[o] + v.indices.reduce(0) { $0 + v[$1] * w[o * v.count + $1] } }
        }
        let offset = kind == .bert ? 0 : 2
        var x: [[Float]] = (0..<n).map { p in
            (0..<H).map { k in
                var e = t("embeddings.word_embeddings.weight")[Int(ids[p]) * H + k]
                    + t("embeddings.position_embeddings.weight")[(p + offset) * H + k]
                if kind == .bert { e += t("embeddings.token_type_embeddings.weight")[k] }
                return e
            }
        }
        x = x.map { layerNorm($0, t("embeddings.LayerNorm.weight"), t("embeddings.LayerNorm.bias")) }
        let names = kind == .bert
            ? ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "attention.output.LayerNorm"]
            : ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o", "attention.LayerNorm"]
        for l in 0..<(usedLayers ?? layers) {
            let p = "encoder.layer.\(l)."
            let q = x.map { linear($0, p + names[0], H) }, k = x.map { linear($0, p + names[1], H) }
            let v = x.map { linear($0, p + names[2], H) }
            var context = [[Float]](repeating: [Float](repeating: 0, count: H), count: n)
            for h in 0..<heads {
                for i in 0..<n {
                    var s = (0..<n).map { j in
                        (0..<D).reduce(Float(0)) { $0 + q[i][h * D + $1] * k[j][h * D + $1] } / Float(D).squareRoot()
                    }
                    if kind == .mpnet {
                        for j in 0..<n {
                            s[j] += t("encoder.relative_attention_bias.weight")[Self.bucket(i: i, j: j) * heads + h]
                        }
                    }
                    let m = s.max() ?? 0
                    let e = s.map { exp($0 - m) }
                    let z = e.reduce(0, +)
                    for d in 0..<D { context[i][h * D + d] = (0..<n).reduce(Float(0)) { $0 + e[$1] / z * v[$1][h * D + d] } }
                }
            }
            x = (0..<n).map { i in
                let a = linear(context[i], p + names[3], H)
                return layerNorm(a.indices.map { a[$0] + x[i][$0] }, t(p + names[4] + ".weight"), t(p + names[4] + ".bias"))
            }
            x = x.map { row in
                let inner = linear(row, p + "intermediate.dense", intermediate).map { 0.5 * $0 * (1 + erf($0 / Float(2).squareRoot())) }
                let o = linear(inner, p + "output.dense", H)
                return layerNorm(o.indices.map { o[$0] + row[$0] }, t(p + "output.LayerNorm.weight"), t(p + "output.LayerNorm.bias"))
            }
        }
        let mean = (0..<H).map { k in x.reduce(0) { $0 + $1[k] } / Float(n) }
        let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return mean.map { $0 / max(norm, 1e-12) }
    }

    /// The T5/MPNet bucket written out for distances up to 128, from the formula in the paper
    /// code: exact below 8, then 8 + ⌊log(d/8)/log(16)·8⌋ capped at 15, +16 for keys after the query.
    static func bucket(i: Int, j: Int) -> Int {
        let d = abs(i - j)
        let base = j > i ? 16 : 0
        if d < 8 { return base + d }
        return base + min(15, 8 + Int(log(Double(d) / 8) / log(16.0) * 8))
    }
}
