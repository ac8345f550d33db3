import Foundation

/// Writes F32 tensors as a safetensors file (used by tests to make small models; the header is
/// padded with spaces to a multiple of 8 bytes, as the reference implementation does).
public enum SafeTensorsWriter {
    /// Writes `tensors` (name → (shape, values)) to `path`, names in sorted order.
    public static func write(_ tensors: [String: (shape: [Int], values: [Float])], to path: String,
                             metadata: [String: String] = ["format": "pt"]) throws {
        let file = try data(tensors, metadata: metadata, naming: path)
        do {
            try file.write(to: URL(fileURLWithPath: path))
        } catch {
            throw SafeTensorsError(path: path, "cannot write (\(error.localizedDescription))")
        }
    }

    /// The bytes of the safetensors file `write` would write: a pure function of the tensors and
    /// metadata (`naming` only labels errors).
    public static func data(_ tensors: [String: (shape: [Int], values: [Float])], metadata: [String: String] = ["format": "pt"],
                            naming path: String = "safetensors") throws -> Data {
        var header = "{"
        var body = Data()
        var parts: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0] ?? ""))" }
            parts.append("\"__metadata__\":{\(items.joined(separator: ","))}")
        }
        for name in tensors.keys.sorted() {
            guard let (shape, values) = tensors[name] else { continue }
            guard shape.reduce(1, *) == values.count else {
                throw SafeTensorsError(path: path, tensor: name, "shape \(shape) does not hold \(values.count) values")
            }
            let begin = body.count
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
            parts.append("\(jsonString(name)):{\"dtype\":\"F32\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(body.count)]}")
        }
        header += parts.joined(separator: ",") + "}"
        while header.utf8.count % 8 != 0 { header += " " }
        var file = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { file.append(contentsOf: $0) }
        file.append(contentsOf: Array(header.utf8))
        file.append(body)
        return file
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
