import Datasets
import Foundation
import Experiments
import FeatureHashing
import ModelCatalog

/// Computes embeddings with a built-in encoder (`hash-<d>` here; transformer encoders are
/// registered by the command layer when they are available).
public protocol EmbeddingProvider {
    /// Dimension of the vectors `encoder` produces, or nil if this provider does not know it.
    func dimension(of encoder: EncoderSpec) -> Int?
    /// Encodes `texts`; row-major `[texts.count × dimension]`, with the attributes to store.
    func encode(_ encoder: EncoderSpec, texts: [String], template: String,
                progress: (Int) -> Void) throws -> (values: [Float], attributes: EmbeddingAttributes)
}

/// The `hash-<d>` encoders.
public struct HashEmbeddingProvider: EmbeddingProvider {
    public init() {}
    public func dimension(of encoder: EncoderSpec) -> Int? { HashEncoder(name: encoder.name)?.dimension }
    public func encode(_ encoder: EncoderSpec, texts: [String], template: String,
                       progress: (Int) -> Void) throws -> (values: [Float], attributes: EmbeddingAttributes) {
        guard let h = HashEncoder(name: encoder.name) else { throw EncoderUnavailable(message: "\(encoder.name) is not a hash encoder") }
        let v = h.encode(texts)
        progress(texts.count)
        return (v, EmbeddingAttributes(encoder: encoder.name, dim: h.dimension, layers: 0, normalized: true,
                                       weightsSHA256: "", textTemplate: template))
    }
}

/// The encoding stage: finds or computes the embedding table of a spec encoder (a built-in
/// encoder over the item texts), storing what it computes in the dataset. `run` hands it to the
/// runner as its ``EmbeddingSource``; `encode` calls it directly.
public struct EmbeddingResolver {
    public var providers: [any EmbeddingProvider]
    /// Built-in names that exist but whose provider is missing, with the reason.
    public var unavailable: [String: String]

    public init(providers: [any EmbeddingProvider] = [HashEmbeddingProvider(), TransformerEmbeddingProvider()],
                unavailable: [String: String] = [:]) {
        self.providers = providers
        self.unavailable = unavailable
    }

    func provider(for encoder: EncoderSpec) -> (any EmbeddingProvider)? {
        providers.first { $0.dimension(of: encoder) != nil }
    }

    /// The dimension `encoder` has in the dataset at `path` (stored or to be computed). A stored
    /// table must have the element type and shape `DatasetIO.readEmbeddings` accepts.
    public func dimension(of encoder: EncoderSpec, dataset: Dataset, datasetPath: String) throws -> Int {
        if let d = try DatasetIO.embeddingDimension(datasetPath, name: encoder.id, itemIDs: dataset.itemIDs) { return d }
        if let d = provider(for: encoder)?.dimension(of: encoder) { return d }
        throw try missing(encoder, datasetPath: datasetPath)
    }

    func missing(_ encoder: EncoderSpec, datasetPath: String) throws -> EncoderUnavailable {
        if let why = unavailable[encoder.name] { return EncoderUnavailable(message: why) }
        let present = try DatasetIO.embeddingNames(datasetPath)
        return EncoderUnavailable(message: "\(datasetPath): has no /embeddings/\(encoder.id), and \(encoder.name) is not a built-in encoder "
            + "(built-in: \(builtinEncoderNames); embeddings in the dataset: \(present.isEmpty ? "none" : present.joined(separator: ", ")))")
    }

    /// Reads `/embeddings/<id>` from the dataset, or computes it with the built-in encoder over
    /// the item texts and stores it in the dataset (atomically) for next time.
    public func resolve(_ encoder: EncoderSpec, dataset: Dataset, datasetPath: String,
                        log: (String) -> Void) throws -> EmbeddingTable {
        if try DatasetIO.embeddingShape(datasetPath, name: encoder.id) != nil {
            let table = try DatasetIO.readEmbeddings(datasetPath, name: encoder.id, itemIDs: dataset.itemIDs)
            if let t = encoder.template, !table.attributes.textTemplate.isEmpty, t != table.attributes.textTemplate {
                throw EncoderUnavailable(message: "\(datasetPath): /embeddings/\(encoder.id) was computed with the template \"\(table.attributes.textTemplate)\", "
                    + "but the spec asks for \"\(t)\" (re-encode with `profilebench encode --dataset \(datasetPath) --encoder \(encoder.name) --template '\(t)'`)")
            }
            return table
        }
        guard let p = provider(for: encoder) else { throw try missing(encoder, datasetPath: datasetPath) }
        let table = try Self.compute(encoder, provider: p, dataset: dataset, datasetPath: datasetPath, log: log)
        try DatasetIO.storeEmbeddings(table, in: datasetPath)
        log("stored /embeddings/\(encoder.id) [\(table.rows) × \(table.dim)] in \(datasetPath)")
        return table
    }

    /// Renders the item texts and encodes them.
    public static func compute(_ encoder: EncoderSpec, provider p: any EmbeddingProvider, dataset: Dataset, datasetPath: String,
                               log: (String) -> Void) throws -> EmbeddingTable {
        let templateText = encoder.template ?? TextTemplate.defaultTemplate(for: dataset)
        let template = try TextTemplate(templateText)
        let texts = try template.render(dataset, file: datasetPath)
        log("encoding \(texts.count) items with \(encoder.id) (template \"\(templateText)\")")
        let start = Date()
        var last = start
        let (values, attributes) = try p.encode(encoder, texts: texts, template: templateText) { done in
            let now = Date()
            guard done < texts.count, now.timeIntervalSince(last) >= 2 else { return }
            last = now
            let rate = Double(done) / max(now.timeIntervalSince(start), 1e-9)
            log(String(format: "  %d/%d items, %.0f items/s, ETA %.0f s", done, texts.count, rate, Double(texts.count - done) / max(rate, 1e-9)))
        }
        return EmbeddingTable(name: encoder.id, rows: texts.count, dim: attributes.dim, values: values, attributes: attributes)
    }
}
