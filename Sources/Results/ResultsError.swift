import Foundation
import JSON

/// A results folder that cannot be read, written or compared, with the file and what is wrong.
public struct ResultsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
    /// What a folder without manifest.json is told.
    static let noManifest = "no such file (not a results folder written by `profilebench run`?)"
}

extension JSONValue {
    /// Reads and parses a JSON file of a results folder; errors name the file.
    static func read(results file: String) throws -> JSONValue {
        try JSONFields(reading: file, missing: file.hasSuffix("manifest.json") ? ResultsError.noManifest : "no such file").value
    }
}

