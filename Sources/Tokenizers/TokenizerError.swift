/// A tokenizer folder that cannot be used, with the file and what is wrong with it.
public struct TokenizerError: Error, CustomStringConvertible, Sendable {
    /// The file the problem was found in.
    public let path: String
    /// What was expected and what was found.
    public let message: String

    public var description: String { "\(path): \(message)" }
}
