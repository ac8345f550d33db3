import Dispatch
import Foundation
import LinearAlgebra
import SafeTensors

/// One post-LN transformer block (BERT and MPNet share the layout).
struct EncoderLayer {
    /// Query, key and value projections fused into one `3H × H` matrix (one sgemm).
    let qkv: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm
}

/// A BERT or MPNet encoder stack over memory-mapped safetensors weights, with sentence-transformers'
/// mean pooling and L2 normalisation on top.
///
/// Texts are run in packed batches: the tokens of all texts of a batch are stacked row after row
/// with no padding, every dense layer is one sgemm over all rows, and attention is computed per
/// (text, head) over that text's own tokens. This equals a padded batch with an attention mask
/// (a masked key gets weight exp(−∞) = 0 there) without computing the padding.
final class Transformer {
    enum Kind: String { case bert, mpnet }

    let kind: Kind
    let hidden: Int
    let heads: Int
    let headSize: Int
    let intermediateSize: Int
    let vocabSize: Int
    let maxLength: Int
    let layers: [EncoderLayer]
    let totalLayers: Int

    private let wordEmbeddings: UnsafePointer<Float>
    private let positionEmbeddings: UnsafePointer<Float>
    private let positionOffset: Int
    private let tokenTypeEmbedding: UnsafePointer<Float>?
    private let embeddingNorm: LayerNorm
    /// MPNet: relative-position bias by offset, `heads × (2·maxLength − 1)`; entry
    /// `h·(2M−1) + (j − i + M − 1)` is head h's bias for query i attending to key j.
    private let relativeBias: [Float]?
    let file: SafeTensorsFile
    private let arena = FloatArena()

    /// Loads the weights of the first `layers` blocks; `maxLength` is the longest token sequence
    /// (special tokens included) the caller will pass.
    init(kind: Kind, config: ModelConfig, file: SafeTensorsFile, layers usedLayers: Int, maxLength: Int) throws {
        self.kind = kind
        self.file = file
        hidden = config.hiddenSize
        heads = config.numAttentionHeads
        headSize = hidden / heads
        intermediateSize = config.intermediateSize
        vocabSize = config.vocabSize
        totalLayers = config.numHiddenLayers
        self.maxLength = maxLength
        let H = hidden, I = intermediateSize
        let eps = Float(config.layerNormEps ?? 1e-12)
        var w = WeightLoader(file: file, probe: "embeddings.word_embeddings.weight",
                             prefixes: ["", kind == .bert ? "bert." : "mpnet."])

        switch kind {
        case .bert: positionOffset = 0
        case .mpnet: positionOffset = (config.padTokenId ?? 1) + 1   // RoBERTa-style: positions start after padding_idx
        }
        guard maxLength + positionOffset <= config.maxPositionEmbeddings else {
            throw EncoderError(.invalidConfig, path: file.path,
                               "max_seq_length \(maxLength) needs \(maxLength + positionOffset) positions but max_position_embeddings is \(config.maxPositionEmbeddings)")
        }
        wordEmbeddings = try w.tensor("embeddings.word_embeddings.weight", [vocabSize, H])
        positionEmbeddings = try w.tensor("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, H])
        if kind == .bert {
            let types = config.typeVocabSize ?? 2
            guard types >= 1 else { throw EncoderError(.invalidConfig, path: file.path, "type_vocab_size must be ≥ 1") }
            tokenTypeEmbedding = try w.tensor("embeddings.token_type_embeddings.weight", [types, H])  // row 0: single-sentence input
        } else {
            tokenTypeEmbedding = nil
        }
        embeddingNorm = LayerNorm(gamma: try w.tensor("embeddings.LayerNorm.weight", [H]),
                                  beta: try w.tensor("embeddings.LayerNorm.bias", [H]), count: H, eps: eps)

        // The `position_ids` buffer that PyTorch saves with the model must be 0, 1, 2, …: the
        // forward pass computes positions itself, so check the buffer says the same.
        let positionIDsName = w.prefix + "embeddings.position_ids"
        if let info = file.tensors[positionIDsName] {
            do {
                let ids = try file.int64s(positionIDsName, shape: info.shape)
                guard ids.enumerated().allSatisfy({ Int64($0.offset) == $0.element }) else {
                    throw EncoderError(.invalidWeights, path: file.path, "tensor \(positionIDsName) is not 0, 1, 2, …")
                }
            } catch let error as SafeTensorsError {
                throw EncoderError(.invalidWeights, path: file.path, "tensor \(positionIDsName): \(error.message)")
            }
            w.markUsed(positionIDsName)
        }

        var blocks: [EncoderLayer] = []
        for l in 0..<usedLayers {
            let p = "encoder.layer.\(l)."
            let names: (q: String, k: String, v: String, o: String, norm: String)
            switch kind {
            case .bert:
                names = (p + "attention.self.query", p + "attention.self.key", p + "attention.self.value",
                         p + "attention.output.dense", p + "attention.output.LayerNorm")
            case .mpnet:
                names = (p + "attention.attn.q", p + "attention.attn.k", p + "attention.attn.v",
                         p + "attention.attn.o", p + "attention.LayerNorm")
            }
            let fused = arena.allocate(3 * H * H + 3 * H)
            guard let fusedBase = fused.baseAddress else { throw EncoderError(.invalidArgument, "hidden_size is 0") }
            for (i, name) in [names.q, names.k, names.v].enumerated() {
                (fusedBase + i * H * H).update(from: try w.tensor(name + ".weight", [H, H]), count: H * H)
                (fusedBase + 3 * H * H + i * H).update(from: try w.tensor(name + ".bias", [H]), count: H)
            }
            blocks.append(EncoderLayer(
                qkv: Linear(weight: fusedBase, bias: fusedBase + 3 * H * H, inputs: H, outputs: 3 * H),
                attentionOutput: Linear(weight: try w.tensor(names.o + ".weight", [H, H]),
                                        bias: try w.tensor(names.o + ".bias", [H]), inputs: H, outputs: H),
                attentionNorm: LayerNorm(gamma: try w.tensor(names.norm + ".weight", [H]),
                                         beta: try w.tensor(names.norm + ".bias", [H]), count: H, eps: eps),
                intermediate: Linear(weight: try w.tensor(p + "intermediate.dense.weight", [I, H]),
                                     bias: try w.tensor(p + "intermediate.dense.bias", [I]), inputs: H, outputs: I),
                output: Linear(weight: try w.tensor(p + "output.dense.weight", [H, I]),
                               bias: try w.tensor(p + "output.dense.bias", [H]), inputs: I, outputs: H),
                outputNorm: LayerNorm(gamma: try w.tensor(p + "output.LayerNorm.weight", [H]),
                                      beta: try w.tensor(p + "output.LayerNorm.bias", [H]), count: H, eps: eps)))
        }
        layers = blocks

        if kind == .mpnet {
            let buckets = config.relativeAttentionNumBuckets ?? 32
            let table = try w.tensor("encoder.relative_attention_bias.weight", [buckets, heads])
            let m = maxLength
            var bias = [Float](repeating: 0, count: heads * (2 * m - 1))
            for delta in -(m - 1)...(m - 1) {
                // relative_position = key − query = delta
                let bucket = Self.relativePositionBucket(delta, buckets: buckets, maxDistance: 128)
                for h in 0..<heads { bias[h * (2 * m - 1) + delta + m - 1] = table[bucket * heads + h] }
            }
            relativeBias = bias
        } else {
            relativeBias = nil
        }

        // Unused by design: the pooler (dense + tanh on the first token) feeds only
        // BertModel/MPNetModel's `pooler_output`; sentence-transformers' Transformer module takes
        // the last hidden state and pools it itself (mean pooling), so the pooler never runs.
        // Blocks past `usedLayers` are skipped on purpose when the model is truncated.
        let prefix = w.prefix
        try w.checkAllUsed { name in
            if name.hasPrefix(prefix + "pooler.dense.") { return true }
            if name.hasPrefix(prefix + "encoder.layer."),
               let index = Int(name.dropFirst((prefix + "encoder.layer.").count).prefix { $0.isNumber }),
               index >= usedLayers, index < config.numHiddenLayers {
                return true
            }
            return false
        }
    }

    /// MPNet's bidirectional relative-position bucket (Hugging Face `MPNetEncoder.relative_position_bucket`,
    /// after T5): half the buckets for keys after the query, half for keys before; within each
    /// half, distances below `buckets/4` get one bucket each, larger ones log-spaced buckets up to
    /// `maxDistance`, the last bucket holding everything further.
    static func relativePositionBucket(_ relativePosition: Int, buckets: Int = 32, maxDistance: Int = 128) -> Int {
        let n = -relativePosition
        let half = buckets / 2
        var bucket = n < 0 ? half : 0
        let distance = abs(n)
        let maxExact = half / 2
        if distance < maxExact {
            bucket += distance
        } else {
            let scaled = log(Double(distance) / Double(maxExact)) / log(Double(maxDistance) / Double(maxExact))
                * Double(half - maxExact)
            bucket += min(maxExact + Int(scaled), half - 1)
        }
        return bucket
    }

    /// Mean-pooled, L2-normalised sentence vectors of `batch` (token ids with special tokens,
    /// each 1…maxLength long, every id < vocabSize) into `out` (`batch.count × hidden`).
    func encode(_ batch: [[Int32]], into out: UnsafeMutablePointer<Float>) {
        let H = hidden, D = headSize, I = intermediateSize, H3 = 3 * hidden
        let lengths = batch.map(\.count)
        var starts = [Int](repeating: 0, count: batch.count + 1)
        for (b, n) in lengths.enumerated() { starts[b + 1] = starts[b] + n }
        let offsets = starts
        let T = offsets[batch.count]
        let longest = lengths.max() ?? 0
        guard T > 0 else { return }

        let x = UnsafeMutablePointer<Float>.allocate(capacity: T * H)
        let qkv = UnsafeMutablePointer<Float>.allocate(capacity: T * H3)
        let context = UnsafeMutablePointer<Float>.allocate(capacity: T * H)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: T * H)
        let inner = UnsafeMutablePointer<Float>.allocate(capacity: T * I)
        let workers = Parallel.workers
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: workers * longest * longest)
        defer {
            x.deallocate(); qkv.deallocate(); context.deallocate(); scratch.deallocate()
            inner.deallocate(); scores.deallocate()
        }

        // Embeddings: word + position (+ token type 0 for BERT), then LayerNorm.
        Parallel.chunks(batch.count) { items in
            for b in items {
                for (p, id) in batch[b].enumerated() {
                    let row = x + (offsets[b] + p) * H
                    let word = wordEmbeddings + Int(id) * H
                    let position = positionEmbeddings + (p + positionOffset) * H
                    if let type = tokenTypeEmbedding {
                        for k in 0..<H { row[k] = word[k] + position[k] + type[k] }
                    } else {
                        for k in 0..<H { row[k] = word[k] + position[k] }
                    }
                }
            }
        }
        Parallel.chunks(T, minimumChunk: 16) { rows in
            embeddingNorm.apply(x + rows.lowerBound * H, adding: nil, rows: rows.count)
        }

        let scale = 1 / Float(D).squareRoot()
        let m = maxLength
        let bias = relativeBias ?? []
        for layer in layers {
            layer.qkv.apply(x, rows: T, into: qkv)
            // Attention per (text, head); texts are dealt to the workers in turn (they are
            // sorted by length, so each worker gets a similar share).
            bias.withUnsafeBufferPointer { table in
                Parallel.workers(min(workers, batch.count)) { worker in
                    let s = scores + worker * longest * longest
                    for b in stride(from: worker, to: batch.count, by: workers) {
                        let n = lengths[b], o = offsets[b]
                        for h in 0..<heads {
                            let q = qkv + o * H3 + h * D
                            // scores = q·kᵀ/√d over this text's tokens
                            BLAS.sgemm(transA: false, transB: true, m: n, n: n, k: D, alpha: scale,
                                       a: q, lda: H3, b: q + H, ldb: H3, beta: 0, c: s, ldc: n)
                            if !table.isEmpty {
                                // MPNet: + relative-position bias of head h
                                let center = h * (2 * m - 1) + m - 1
                                for i in 0..<n {
                                    let row = s + i * n
                                    for j in 0..<n { row[j] += table[center + j - i] }
                                }
                            }
                            Kernels.softmaxRows(s, rows: n, cols: n)
                            BLAS.sgemm(m: n, n: D, k: n, a: s, lda: n, b: q + 2 * H, ldb: H3,
                                       beta: 0, c: context + o * H + h * D, ldc: H)
                        }
                    }
                }
            }
            layer.attentionOutput.apply(context, rows: T, into: scratch)
            Parallel.chunks(T, minimumChunk: 16) { rows in
                layer.attentionNorm.apply(x + rows.lowerBound * H, adding: scratch + rows.lowerBound * H, rows: rows.count)
            }
            layer.intermediate.apply(x, rows: T, into: inner)
            Parallel.chunks(T, minimumChunk: 16) { rows in
                Kernels.gelu(inner + rows.lowerBound * I, count: rows.count * I)
            }
            layer.output.apply(inner, rows: T, into: scratch)
            Parallel.chunks(T, minimumChunk: 16) { rows in
                layer.outputNorm.apply(x + rows.lowerBound * H, adding: scratch + rows.lowerBound * H, rows: rows.count)
            }
        }

        // Mean pooling over each text's tokens, then L2 normalisation (sentence-transformers'
        // Pooling(mean) + Normalize: x / max(‖x‖, 1e-12)).
        for b in 0..<batch.count {
            let target = UnsafeMutableBufferPointer(start: out + b * H, count: H)
            target.initialize(repeating: 0)
            for t in offsets[b]..<offsets[b + 1] {
                let row = x + t * H
                for k in 0..<H { target[k] += row[k] }
            }
            let inv = 1 / Float(lengths[b])
            var norm: Float = 0
            for k in 0..<H { target[k] *= inv; norm += target[k] * target[k] }
            let scaleNorm = 1 / max(norm.squareRoot(), 1e-12)
            for k in 0..<H { target[k] *= scaleNorm }
        }
    }
}
