import Foundation
import JSON

/// A results folder that cannot be read, written or compared, with the file and what is wrong.
public struct ResultsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
    /// What a folder without manifest.json is told.
    static let noManifest = "no such file (not a results folder written by `profilebench run`?)"
}

/// Typed reads of one JSON object of a results file: each missing or mistyped member is an error
/// naming the file and the member's path (`metrics.json: variants[3].metrics.ndcg@10.mean: expected
/// a number, found "x"`), never a silent default.
struct JSONFields {
    let file: String
    /// The object's path in the document (`variants[3]`), "" at the top.
    let path: String
    let value: JSONValue

    init(file: String, path: String = "", _ value: JSONValue) throws {
        self.file = file
        self.path = path
        self.value = value
        guard value.objectValue != nil else { throw error(nil, expected: "an object") }
    }

    func error(_ key: String?, expected: String) -> ResultsError {
        let at = [path, key ?? ""].filter { !$0.isEmpty }.joined(separator: ".")
        let found = key.map { value[$0] } ?? value
        return ResultsError("\(file): \(at.isEmpty ? "the document" : at): expected \(expected), found \(found.map(JSONFields.describe) ?? "nothing")")
    }

    /// A scalar as written (strings quoted, cut at 40 characters); arrays and objects by type.
    static func describe(_ v: JSONValue) -> String {
        switch v {
        case .bool(let b): return "\(b)"
        case .int(let i): return "\(i)"
        case .double(let d): return "\(d)"
        case .string(let s): return "\"\(s.prefix(40))\""
        default: return v.typeName
        }
    }

    func has(_ key: String) -> Bool { value[key] != nil }
    func raw(_ key: String) throws -> JSONValue {
        guard let v = value[key] else { throw error(key, expected: "a value") }
        return v
    }
    func string(_ key: String) throws -> String {
        guard let s = value[key]?.stringValue else { throw error(key, expected: "a string") }
        return s
    }
    func int(_ key: String) throws -> Int {
        guard case .int(let i)? = value[key] else { throw error(key, expected: "an integer") }
        return i
    }
    func double(_ key: String) throws -> Double {
        switch value[key] {
        case .double(let d)?: return d
        case .int(let i)?: return Double(i)
        default: throw error(key, expected: "a number")
        }
    }
    func bool(_ key: String) throws -> Bool {
        guard case .bool(let b)? = value[key] else { throw error(key, expected: "true or false") }
        return b
    }
    func object(_ key: String) throws -> JSONFields {
        guard let v = value[key], v.objectValue != nil else { throw error(key, expected: "an object") }
        return try JSONFields(file: file, path: join(key), v)
    }
    func array(_ key: String) throws -> [JSONValue] {
        guard let a = value[key]?.arrayValue else { throw error(key, expected: "an array") }
        return a
    }
    func objects(_ key: String) throws -> [JSONFields] {
        try array(key).enumerated().map { i, v in try JSONFields(file: file, path: "\(join(key))[\(i)]", v) }
    }
    /// The members of an object member, in order.
    func members(_ key: String) throws -> [(String, JSONValue)] {
        guard let o = value[key]?.objectValue else { throw error(key, expected: "an object") }
        return o
    }
    func join(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

extension JSONValue {
    /// Reads and parses a JSON file of a results folder; errors name the file.
    static func read(results file: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ResultsError(file.hasSuffix("manifest.json") ? "\(file): \(ResultsError.noManifest)" : "\(file): no such file")
        }
        do { return try JSONParser.parse(bytes: Array(data)) } catch {
            throw ResultsError("\(file): is not valid JSON: \(error)")
        }
    }
}

