import Foundation
import TextFiles

/// The one JSON reader of ProfileBench: a recursive-descent parser with two dialects.
///
/// - `strict` (RFC 8259 to the letter) reads specs and results folders: a duplicate key, a
///   leading zero, a control character in a string, an unknown escape, a lone surrogate or
///   invalid UTF-8 is an error, and numbers come out typed (`.int` when integral and in range).
/// - `loose` reads what importers meet in the wild: duplicate keys are kept, numbers keep the
///   text they were written with (an id `00123` or a price `1.50` survives), a lone surrogate
///   becomes U+FFFD and bytes that are not UTF-8 are read as ISO-8859-1. With `python` it also
///   reads Python literals as `repr` writes them (the Amazon 2014 metadata): `'…'` strings,
///   `True`/`False`/`None`, tuples as lists, a trailing comma in a list, `\xhh` and `\Uhhhhhhhh`.
///
/// Every error carries the 1-based line and column (in characters) and the byte offset.
///
/// We keep our own reader rather than Foundation's `JSONSerialization`: that one loses the key
/// order (results must be byte-deterministic), cannot tell `1` from `1.0`, reports no line or
/// column, and reads neither Python literals nor numbers as text.
public enum JSONParser {
    /// Parses a complete JSON text in the strict dialect.
    public static func parse(_ text: String) throws -> JSONValue {
        var t = text
        return try t.withUTF8 { try parse(buffer: $0) }
    }

    /// Parses UTF-8 bytes in the strict dialect.
    public static func parse(bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { try parse(buffer: $0) }
    }

    /// Parses a buffer of UTF-8 bytes in the strict dialect.
    public static func parse(buffer: UnsafeBufferPointer<UInt8>) throws -> JSONValue {
        guard String(validating: buffer, as: UTF8.self) != nil else {
            throw JSONSyntaxError(line: 1, column: 1, byteOffset: 0, message: "the file is not valid UTF-8")
        }
        var r = Reader<JSONValue>(buffer, strict: true, python: false, end: "the end of the text")
        return try r.document()
    }

    /// Parses one value in the loose dialect (with `python`, also Python literals). `end` names
    /// the end of the input in messages: "the end of the line" for one line of a file.
    public static func parseLoose(_ buffer: UnsafeBufferPointer<UInt8>, python: Bool = false,
                                  end: String = "the end of the line") throws -> LooseValue {
        var r = Reader<LooseValue>(buffer, strict: false, python: python, end: end)
        return try r.document()
    }

    /// Parses a string in the loose dialect (see `parseLoose(_:python:end:)`).
    public static func parseLoose(_ text: String, python: Bool = false) throws -> LooseValue {
        var t = text
        return try t.withUTF8 { try parseLoose($0, python: python) }
    }
}

/// A JSON text that does not parse: the 1-based line and column (in characters) of the problem
/// and its 0-based byte offset.
public struct JSONSyntaxError: Error, CustomStringConvertible, Sendable {
    public let line: Int
    public let column: Int
    public let byteOffset: Int
    public let message: String
    public var description: String { "line \(line), column \(column): \(message)" }
    /// The error within one line of a file whose line the caller names: "column 9: …".
    public var withinLine: String { "column \(column): \(message)" }
}

/// What the reader builds its values with: `JSONValue` (typed numbers) or `LooseValue`
/// (numbers as written). The grammar, the dialects and the errors are the reader's alone; the
/// enums' cases are the builders (SE-0280), only `number` is written out.
protocol JSONBuilding {
    /// A number from its text, which the reader has checked; nil when out of range.
    static func number(_ text: String, integral: Bool) -> Self?
    static func string(_ s: String) -> Self
    static func bool(_ b: Bool) -> Self
    static var null: Self { get }
    static func array(_ items: [Self]) -> Self
    static func object(_ members: [(String, Self)]) -> Self
}

extension JSONValue: JSONBuilding {
    static func number(_ text: String, integral: Bool) -> JSONValue? {
        if integral, let v = Int(text) { return .int(v) }
        guard let d = Double(text), d.isFinite else { return nil }
        return .double(d)
    }
}

extension LooseValue: JSONBuilding {
    static func number(_ text: String, integral: Bool) -> LooseValue? { .number(text) }
}

private struct Reader<Value: JSONBuilding> {
    let s: UnsafeBufferPointer<UInt8>
    let strict: Bool
    let python: Bool
    let end: String
    var i = 0

    init(_ s: UnsafeBufferPointer<UInt8>, strict: Bool, python: Bool, end: String) {
        self.s = s
        self.strict = strict
        self.python = python
        self.end = end
    }

    mutating func document() throws -> Value {
        skipSpace()
        let v = try value(depth: 0)
        skipSpace()
        guard i == s.count else { throw fail(strict ? "unexpected text after the JSON value" : "unexpected text after the value") }
        return v
    }

    func fail(_ message: String) -> JSONSyntaxError {
        var line = 1, col = 1
        for k in 0..<min(i, s.count) {
            if s[k] == 0x0A { line += 1; col = 1 } else if s[k] & 0xC0 != 0x80 { col += 1 }
        }
        return JSONSyntaxError(line: line, column: col, byteOffset: min(i, s.count), message: message)
    }

    /// The byte at `i`, for "found …" in a message.
    func found() -> String {
        guard i < s.count else { return end }
        let b = s[i]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return b < 0x80 ? String(format: "byte 0x%02X", b) : "a non-ASCII character"
    }

    mutating func skipSpace() {
        while i < s.count, s[i] == 0x20 || s[i] == 0x0A || s[i] == 0x0D || s[i] == 0x09 { i += 1 }
    }

    func at(_ c: Unicode.Scalar) -> Bool { i < s.count && s[i] == UInt8(ascii: c) }

    mutating func value(depth: Int) throws -> Value {
        guard depth < 512 else { throw fail("nesting deeper than 512 levels") }
        guard i < s.count else { throw fail("expected a value, found \(end)") }
        switch s[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(close: UInt8(ascii: "]"), depth: depth)
        case UInt8(ascii: "(") where python: return try array(close: UInt8(ascii: ")"), depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "'") where python: return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        case UInt8(ascii: "t") where matches("true"): i += 4; return .bool(true)
        case UInt8(ascii: "f") where matches("false"): i += 5; return .bool(false)
        case UInt8(ascii: "n") where matches("null"): i += 4; return .null
        case UInt8(ascii: "T") where python && matches("True"): i += 4; return .bool(true)
        case UInt8(ascii: "F") where python && matches("False"): i += 5; return .bool(false)
        case UInt8(ascii: "N") where python && matches("None"): i += 4; return .null
        default: throw fail("expected a value, found \(found())")
        }
    }

    func matches(_ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= s.count else { return false }
        for k in 0..<n where s[i + k] != word.utf8Start[k] { return false }
        return true
    }

    mutating func object(depth: Int) throws -> Value {
        i += 1
        var members: [(String, Value)] = []
        var keys = Set<String>()
        skipSpace()
        if at("}") { i += 1; return .object(members) }
        while true {
            skipSpace()
            guard at("\"") || (python && at("'")) else { throw fail("expected a quoted key, found \(found())") }
            let keyStart = i
            let key = try string()
            if strict {
                // A linear scan for small objects; a set once an object is large (a vocabulary).
                let duplicate = members.count < 16 ? members.contains(where: { $0.0 == key }) : !keys.insert(key).inserted
                if members.count == 15 { keys = Set(members.map(\.0) + [key]) }
                if duplicate { i = keyStart; throw fail("duplicate key \"\(key)\"") }
            }
            skipSpace()
            guard at(":") else { throw fail("expected ':' after the key, found \(found())") }
            i += 1
            skipSpace()
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            if at(",") { i += 1; continue }
            if at("}") { i += 1; return .object(members) }
            throw fail("expected ',' or '}', found \(found())")
        }
    }

    mutating func array(close: UInt8, depth: Int) throws -> Value {
        i += 1
        var items: [Value] = []
        let closing = Character(Unicode.Scalar(close))
        skipSpace()
        if i < s.count, s[i] == close { i += 1; return .array(items) }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            if at(",") {
                i += 1
                skipSpace()
                if python, i < s.count, s[i] == close { i += 1; return .array(items) }
                continue
            }
            if i < s.count, s[i] == close { i += 1; return .array(items) }
            throw fail("expected ',' or '\(closing)', found \(found())")
        }
    }

    func isDigit(_ k: Int) -> Bool { k < s.count && s[k] &- UInt8(ascii: "0") < 10 }

    /// A number: in the strict dialect exactly RFC 8259's grammar; in the loose one any run of
    /// digits, signs, dots and exponents that reads as a floating-point number.
    mutating func number() throws -> Value {
        let start = i
        var integral = true
        if strict {
            if at("-") { i += 1 }
            guard isDigit(i) else { throw fail("invalid number") }
            if at("0") {
                i += 1
                if isDigit(i) { throw fail("leading zeros are not allowed in numbers") }
            } else {
                while isDigit(i) { i += 1 }
            }
            if at(".") {
                integral = false
                i += 1
                guard isDigit(i) else { throw fail("expected a digit after '.'") }
                while isDigit(i) { i += 1 }
            }
            if at("e") || at("E") {
                integral = false
                i += 1
                if at("+") || at("-") { i += 1 }
                guard isDigit(i) else { throw fail("expected a digit in the exponent") }
                while isDigit(i) { i += 1 }
            }
        } else {
            i += 1
            while i < s.count, isDigit(i) || at(".") || at("e") || at("E") || at("+") || at("-") { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: s[start..<i]), as: UTF8.self)
        guard strict || Double(text) != nil else { i = start; throw fail("malformed number \"\(text)\"") }
        guard let v = Value.number(text, integral: integral) else { i = start; throw fail("number out of range") }
        return v
    }

    mutating func hex(_ n: Int) throws -> UInt32 {
        guard i + n <= s.count else { throw fail("incomplete escape") }
        var v: UInt32 = 0
        for _ in 0..<n {
            let c = s[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
            default: throw fail("invalid hexadecimal digit in an escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    /// A `\u` escape (after its `u`), with a following low surrogate when it is a high one.
    mutating func unicodeEscape() throws -> UInt32 {
        let u = try hex(4)
        if (0xD800..<0xDC00).contains(u) {
            if i + 1 < s.count, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") {
                i += 2
                let low = try hex(4)
                if (0xDC00..<0xE000).contains(low) { return 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00) }
            }
            if strict { throw fail("unpaired surrogate in \\u escape") }
            return 0xFFFD
        }
        if strict, (0xDC00..<0xE000).contains(u) { throw fail("unpaired surrogate in \\u escape") }
        return u
    }

    /// A quoted string (the opening quote at `i`).
    mutating func string() throws -> String {
        let quote = s[i]
        i += 1
        var bytes: [UInt8] = []
        var start = i
        while true {
            guard i < s.count else { throw fail("a string is not closed before \(end)") }
            let c = s[i]
            if c == quote { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[start..<i])); i += 1; break }
            if c < 0x20 && !python { throw fail("a control character inside a string (escape it)") }
            if c != UInt8(ascii: "\\") { i += 1; continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[start..<i]))
            i += 1
            guard i < s.count else { throw fail("a string is not closed before \(end)") }
            let e = s[i]
            i += 1
            var scalar: UInt32?
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "'") where !strict: bytes.append(e)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "u"): scalar = try unicodeEscape()
            case UInt8(ascii: "x") where python:
                // Python 2 wrote byte strings with \xhh: keep the byte (UTF-8 or Latin-1, decided below).
                bytes.append(UInt8(try hex(2)))
            case UInt8(ascii: "U") where python: scalar = try hex(8)
            default:
                if python { bytes.append(UInt8(ascii: "\\")); bytes.append(e) } else {
                    i -= 2
                    throw fail("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            }
            if let scalar {
                guard let us = Unicode.Scalar(scalar) else {
                    if strict { i -= 6; throw fail("invalid \\u escape") }
                    bytes.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    start = i
                    continue
                }
                bytes.append(contentsOf: Array(String(Character(us)).utf8))
            }
            start = i
        }
        return bytes.withUnsafeBufferPointer { b in String(validating: b, as: UTF8.self) ?? ByteText.repairLatin1(b) }
    }
}
