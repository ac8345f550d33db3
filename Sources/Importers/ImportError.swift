/// An input that cannot be imported, naming the file (and the line or column where it can).
public struct ImportError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
