import Foundation
import SafeTensors

extension ParameterStore where T == Float {
    /// Writes every tensor by name as F32 (see ``SafeTensors/SafeTensorsWriter``). The file is
    /// a pure function of the values, names and metadata, so equal weights give equal bytes
    /// (and equal sha256).
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        try SafeTensorsWriter.write(namedTensors, to: path, metadata: metadata)
    }

    /// The bytes ``save(to:metadata:)`` writes.
    public func safetensorsData(metadata: [String: String] = [:]) throws -> Data {
        try SafeTensorsWriter.data(namedTensors, metadata: metadata)
    }

    var namedTensors: [String: (shape: [Int], values: [Float])] {
        var out: [String: (shape: [Int], values: [Float])] = [:]
        for p in tensors { out[p.name] = (p.shape, values(of: p)) }
        return out
    }

    /// Replaces the values from a safetensors file written by ``save(to:metadata:)``: every
    /// tensor of the store must be there with its shape and dtype F32, and the file may hold no
    /// other tensor (a missing or unused weight is an error naming it).
    public mutating func load(from path: String) throws {
        let file = try SafeTensorsFile(path: path)
        let known = Set(tensors.map(\.name))
        if let extra = file.names.first(where: { !known.contains($0) }) {
            throw SafeTensorsError(path: path, tensor: extra, "is not a parameter of this model")
        }
        for p in tensors {
            let v = try file.floats(p.name, shape: p.shape)
            setValues(Array(v), of: p)
        }
    }
}
