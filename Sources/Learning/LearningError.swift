/// A training input or configuration that cannot be used: says what was expected and what
/// was found (`attention: identity initialisation needs rank == dim (got rank 64, dim 384)`).
public struct LearningError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
