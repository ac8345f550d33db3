import Datasets
import Experiments

/// Where the runner gets each spec encoder's item vectors. The runner only reads: computing a
/// missing table is the encoding stage's work (the Embeddings target's `EmbeddingResolver`,
/// which the command line hands in), so the runner knows no encoder.
public struct EmbeddingSource: Sendable {
    /// The dimension `encoder` has (stored, or to be computed) for the dataset at the path; throws
    /// ``EncoderUnavailable`` when it has none.
    public var dimension: @Sendable (_ encoder: EncoderSpec, _ dataset: Dataset, _ datasetPath: String) throws -> Int
    /// The table of `encoder` for the dataset at the path.
    public var table: @Sendable (_ encoder: EncoderSpec, _ dataset: Dataset, _ datasetPath: String, _ log: (String) -> Void) throws -> EmbeddingTable

    public init(dimension: @escaping @Sendable (EncoderSpec, Dataset, String) throws -> Int,
                table: @escaping @Sendable (EncoderSpec, Dataset, String, (String) -> Void) throws -> EmbeddingTable) {
        self.dimension = dimension
        self.table = table
    }

    /// The tables stored in the dataset (`/embeddings/<encoder id>`), nothing computed.
    public static let stored = EmbeddingSource(
        dimension: { encoder, dataset, path in
            guard let d = try DatasetIO.embeddingDimension(path, name: encoder.id, itemIDs: dataset.itemIDs) else { throw missing(encoder, path) }
            return d
        },
        table: { encoder, dataset, path, _ in
            guard try DatasetIO.embeddingShape(path, name: encoder.id) != nil else { throw missing(encoder, path) }
            return try DatasetIO.readEmbeddings(path, name: encoder.id, itemIDs: dataset.itemIDs)
        })

    static func missing(_ encoder: EncoderSpec, _ path: String) -> EncoderUnavailable {
        EncoderUnavailable(message: "\(path): has no /embeddings/\(encoder.id) (the encoding stage computes it: `profilebench encode`, or `profilebench run`)")
    }
}
