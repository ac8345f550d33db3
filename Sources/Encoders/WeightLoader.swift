import SafeTensors

/// Looks tensors up by checkpoint name, checks dtype and shape, and records which were used so
/// that a tensor the model ignores is an error rather than a silent gap.
struct WeightLoader {
    let file: SafeTensorsFile
    /// Prefix in front of every name (`""`, or `"bert."` / `"mpnet."` for checkpoints saved
    /// from a task model).
    let prefix: String
    private(set) var used: Set<String> = []

    init(file: SafeTensorsFile, probe: String, prefixes: [String]) {
        self.file = file
        self.prefix = prefixes.first { file.tensors[$0 + probe] != nil } ?? ""
    }

    /// The F32 tensor `name` with shape `shape` (zero-copy into the mapping).
    mutating func tensor(_ name: String, _ shape: [Int]) throws -> UnsafePointer<Float> {
        let full = prefix + name
        guard file.tensors[full] != nil else {
            throw EncoderError(.missingTensor, path: file.path,
                               "tensor \(full) (shape \(shape)) is missing from the checkpoint")
        }
        do {
            let buffer = try file.floats(full, shape: shape)
            used.insert(full)
            guard let base = buffer.baseAddress else {
                throw EncoderError(.invalidWeights, path: file.path, "tensor \(full) is empty")
            }
            return base
        } catch let error as SafeTensorsError {
            throw EncoderError(.invalidWeights, path: file.path, error.tensor.map { "tensor \($0): \(error.message)" } ?? error.message)
        }
    }

    /// Marks a tensor as deliberately not used by the forward pass.
    mutating func markUsed(_ name: String) { used.insert(name) }

    /// Throws `unusedTensors` listing every tensor neither used nor `ignored`.
    func checkAllUsed(ignoring ignored: (String) -> Bool) throws {
        let unused = file.names.filter { !used.contains($0) && !ignored($0) }
        guard unused.isEmpty else {
            let shown = unused.prefix(10).joined(separator: ", ")
            let more = unused.count > 10 ? " and \(unused.count - 10) more" : ""
            throw EncoderError(.unusedTensors, path: file.path,
                               "\(unused.count) tensor(s) in the checkpoint are not used by the model: \(shown)\(more)")
        }
    }
}
