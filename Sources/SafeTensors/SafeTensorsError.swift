/// A safetensors file or tensor that cannot be used: names the file, the tensor when there is
/// one, and what was expected against what was found.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let tensor: String?
    public let message: String

    public init(path: String, tensor: String? = nil, _ message: String) {
        self.path = path
        self.tensor = tensor
        self.message = message
    }

    public var description: String {
        if let tensor { return "\(path): tensor \(tensor): \(message)" }
        return "\(path): \(message)"
    }
}
