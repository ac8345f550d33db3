import Foundation

/// A JSON file or member that is missing, unreadable or of the wrong type, naming the file and
/// the member's path (`metrics.json: variants[3].metrics.ndcg@10.mean: expected a number, found "x"`).
public struct JSONFieldError: Error, CustomStringConvertible, Sendable {
    public let file: String
    /// What is wrong, without the file: `variants[3].metrics.ndcg@10.mean: expected a number, found "x"`.
    public let detail: String
    public var description: String { "\(file): \(detail)" }
}

/// Typed reads of one JSON object of a file: each missing or mistyped member is an error naming
/// the file and the member's path, never a silent default. Results folders, model configs and
/// safetensors headers are all read through it.
public struct JSONFields {
    public let file: String
    /// The object's path in the document (`variants[3]`), "" at the top.
    public let path: String
    public let value: JSONValue

    public init(file: String, path: String = "", _ value: JSONValue) throws {
        self.file = file
        self.path = path
        self.value = value
        guard value.objectValue != nil else { throw error(nil, expected: "an object") }
    }

    /// Reads and parses `file` (strict dialect) as an object. `missing` is what a file that does
    /// not exist is told (after its path).
    public init(reading file: String, missing: String = "no such file") throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw JSONFieldError(file: file, detail: missing) }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes: Array(data)) } catch {
            throw JSONFieldError(file: file, detail: "is not valid JSON: \(error)")
        }
        try self.init(file: file, value)
    }

    public func error(_ key: String?, expected: String) -> JSONFieldError {
        let at = [path, key ?? ""].filter { !$0.isEmpty }.joined(separator: ".")
        let found = key.map { value[$0] } ?? value
        return JSONFieldError(file: file, detail: "\(at.isEmpty ? "the document" : at): expected \(expected), found \(found.map(JSONFields.describe) ?? "nothing")")
    }

    /// A scalar as written (strings quoted, cut at 40 characters); arrays and objects by type.
    public static func describe(_ v: JSONValue) -> String {
        switch v {
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "\"\(s.prefix(40))\""
        default: return v.typeName
        }
    }

    public func has(_ key: String) -> Bool { value[key] != nil }
    public func raw(_ key: String) throws -> JSONValue {
        guard let v = value[key] else { throw error(key, expected: "a value") }
        return v
    }
    public func string(_ key: String) throws -> String {
        guard let s = value[key]?.stringValue else { throw error(key, expected: "a string") }
        return s
    }
    public func int(_ key: String) throws -> Int {
        guard case .int(let i)? = value[key] else { throw error(key, expected: "an integer") }
        return i
    }
    public func double(_ key: String) throws -> Double {
        switch value[key] {
        case .double(let d)?: return d
        case .int(let i)?: return Double(i)
        default: throw error(key, expected: "a number")
        }
    }
    public func bool(_ key: String) throws -> Bool {
        guard case .bool(let b)? = value[key] else { throw error(key, expected: "true or false") }
        return b
    }
    /// An optional member: nil when absent or null, an error when of another type.
    public func optional<T>(_ key: String, _ read: (String) throws -> T) throws -> T? {
        switch value[key] {
        case nil, .null?: return nil
        default: return try read(key)
        }
    }
    public func object(_ key: String) throws -> JSONFields {
        guard let v = value[key], v.objectValue != nil else { throw error(key, expected: "an object") }
        return try JSONFields(file: file, path: join(key), v)
    }
    public func array(_ key: String) throws -> [JSONValue] {
        guard let a = value[key]?.arrayValue else { throw error(key, expected: "an array") }
        return a
    }
    /// An array of integers.
    public func ints(_ key: String) throws -> [Int] {
        let a = try array(key)
        let ints = a.compactMap { v -> Int? in if case .int(let i) = v { return i }; return nil }
        guard ints.count == a.count else { throw error(key, expected: "an array of integers") }
        return ints
    }
    /// An array of strings.
    public func strings(_ key: String) throws -> [String] {
        let a = try array(key)
        let strings = a.compactMap(\.stringValue)
        guard strings.count == a.count else { throw error(key, expected: "an array of strings") }
        return strings
    }
    public func objects(_ key: String) throws -> [JSONFields] {
        try array(key).enumerated().map { i, v in try JSONFields(file: file, path: "\(join(key))[\(i)]", v) }
    }
    /// The members of an object member, in order.
    public func members(_ key: String) throws -> [(String, JSONValue)] {
        guard let o = value[key]?.objectValue else { throw error(key, expected: "an object") }
        return o
    }
    /// The members of this object, in order.
    public var members: [(String, JSONValue)] { value.objectValue ?? [] }
    public func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}
