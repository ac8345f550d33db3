/// One value of a JSON line, or of a Python literal line (the Amazon 2014 metadata is written
/// with Python's `repr`: single-quoted strings, `True`/`False`/`None`). Numbers keep their text,
/// so an id such as `00123` or `1.50` comes out as written.
public indirect enum LooseValue: Equatable, Sendable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([LooseValue])
    case object([(String, LooseValue)])

    public static func == (a: LooseValue, b: LooseValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> LooseValue? {
        if case .object(let o) = self { return o.first { $0.0 == key }?.1 }
        return nil
    }

    /// A scalar as text (strings as they are, numbers as written, booleans `true`/`false`);
    /// nil for null, arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// Any value as text for an item field: scalars as `scalarText`, null as "", arrays joined
    /// by `separator` (nested arrays too), objects as `key: value` pairs joined by "; ".
    public func text(separator: String = " | ") -> String {
        switch self {
        case .null: return ""
        case .array(let a): return a.map { $0.text(separator: separator) }.filter { !$0.isEmpty }.joined(separator: separator)
        case .object(let o): return o.map { "\($0.0): \($0.1.text(separator: separator))" }.joined(separator: "; ")
        default: return scalarText ?? ""
        }
    }
}

public struct LooseSyntaxError: Error, CustomStringConvertible, Sendable {
    /// 1-based character column in the line.
    public let column: Int
    public let message: String
    /// 0-based byte offset of the error in the parsed text (for text of several lines).
    public var byteOffset = 0
    public var description: String { "column \(column): \(message)" }
}

/// A small recursive-descent parser for one line of JSON (RFC 8259) or, with `python`, of a
/// Python literal (also `'…'` strings, `True`, `False`, `None`, `\xhh` escapes, tuples as lists).
public struct LooseJSONParser {
    let s: UnsafeBufferPointer<UInt8>
    let python: Bool
    var i = 0

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, python: Bool = false) throws -> LooseValue {
        var p = LooseJSONParser(s: bytes, python: python)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw p.error("unexpected text after the value") }
        return v
    }

    public static func parse(_ text: String, python: Bool = false) throws -> LooseValue {
        var t = text
        return try t.withUTF8 { try parse($0, python: python) }
    }

    func error(_ message: String) -> LooseSyntaxError {
        // Column in characters: count the UTF-8 lead bytes before i.
        var col = 1
        for k in 0..<min(i, s.count) where s[k] & 0xC0 != 0x80 { col += 1 }
        var e = LooseSyntaxError(column: col, message: message)
        e.byteOffset = min(i, s.count)
        return e
    }

    mutating func skipSpace() {
        while i < s.count, s[i] == 0x20 || s[i] == 0x09 || s[i] == 0x0A || s[i] == 0x0D { i += 1 }
    }

    func found() -> String {
        guard i < s.count else { return "the end of the line" }
        let b = s[i]
        return b < 0x80 ? "'\(Character(Unicode.Scalar(b)))'" : "a non-ASCII character"
    }

    mutating func value(depth: Int) throws -> LooseValue {
        guard depth < 200 else { throw error("nested too deeply") }
        guard i < s.count else { throw error("expected a value, found the end of the line") }
        switch s[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [(String, LooseValue)] = []
            skipSpace()
            if i < s.count, s[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: "\"") || (python && s[i] == UInt8(ascii: "'")) else {
                    throw error("expected a quoted key, found \(found())")
                }
                let key = try string()
                skipSpace()
                guard i < s.count, s[i] == UInt8(ascii: ":") else { throw error("expected ':' after a key, found \(found())") }
                i += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard i < s.count else { throw error("expected ',' or '}', found the end of the line") }
                if s[i] == UInt8(ascii: ",") { i += 1; continue }
                if s[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw error("expected ',' or '}', found \(found())")
            }
        case UInt8(ascii: "["),
             UInt8(ascii: "(") where python:
            let close = s[i] == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: ")")
            i += 1
            var items: [LooseValue] = []
            skipSpace()
            if i < s.count, s[i] == close { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < s.count else { throw error("expected ',' or '\(Character(Unicode.Scalar(close)))', found the end of the line") }
                if s[i] == UInt8(ascii: ",") {
                    i += 1
                    skipSpace()
                    if python, i < s.count, s[i] == close { i += 1; return .array(items) }
                    continue
                }
                if s[i] == close { i += 1; return .array(items) }
                throw error("expected ',' or '\(Character(Unicode.Scalar(close)))', found \(found())")
            }
        case UInt8(ascii: "\""):
            return .string(try string())
        case UInt8(ascii: "'") where python:
            return .string(try string())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            i += 1
            while i < s.count {
                let c = s[i]
                if c &- 48 < 10 || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
                    || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { i += 1 } else { break }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: s[start..<i]), as: UTF8.self)
            guard Double(text) != nil else { i = start; throw error("malformed number \"\(text)\"") }
            return .number(text)
        default:
            for (word, v) in [("true", LooseValue.bool(true)), ("false", .bool(false)), ("null", .null)]
                + (python ? [("True", LooseValue.bool(true)), ("False", .bool(false)), ("None", .null)] : []) where matches(word) {
                i += word.utf8.count
                return v
            }
            throw error("expected a value, found \(found())")
        }
    }

    func matches(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= s.count else { return false }
        for k in 0..<w.count where s[i + k] != w[k] { return false }
        return true
    }

    mutating func hex(_ n: Int) throws -> UInt32 {
        guard i + n <= s.count else { throw error("incomplete escape") }
        var v: UInt32 = 0
        for _ in 0..<n {
            let c = s[i]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 48)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 87)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 55)
            default: throw error("bad hexadecimal digit in an escape")
            }
            v = v * 16 + d
            i += 1
        }
        return v
    }

    /// A quoted string (the opening quote at `i`).
    mutating func string() throws -> String {
        let q = s[i]
        i += 1
        var bytes: [UInt8] = []
        var start = i
        while true {
            guard i < s.count else { throw error("a string is not closed before the end of the line") }
            let c = s[i]
            if c == q { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[start..<i])); i += 1; break }
            if c == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: s[start..<i]))
                i += 1
                guard i < s.count else { throw error("a string is not closed before the end of the line") }
                let e = s[i]
                i += 1
                var scalar: UInt32?
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "'"): bytes.append(e)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "u"):
                    var u = try hex(4)
                    if (0xD800..<0xDC00).contains(u), i + 1 < s.count, s[i] == UInt8(ascii: "\\"), s[i + 1] == UInt8(ascii: "u") {
                        i += 2
                        let lo = try hex(4)
                        if (0xDC00..<0xE000).contains(lo) { u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00) } else { u = 0xFFFD }
                    }
                    scalar = u
                case UInt8(ascii: "x") where python:
                    // Python 2 wrote byte strings with \xhh: keep the byte (UTF-8 or Latin-1, decided below).
                    bytes.append(UInt8(try hex(2)))
                case UInt8(ascii: "U") where python: scalar = try hex(8)
                default:
                    if python { bytes.append(UInt8(ascii: "\\")); bytes.append(e) } else {
                        i -= 2
                        throw error("unknown escape \\\(Character(Unicode.Scalar(e)))")
                    }
                }
                if let scalar {
                    let us = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    bytes.append(contentsOf: Array(String(Character(us)).utf8))
                }
                start = i
                continue
            }
            if c < 0x20 && !python { throw error("a control character inside a string") }
            i += 1
        }
        return bytes.withUnsafeBufferPointer { b in String(validating: b, as: UTF8.self) ?? ByteText.repairLatin1(b) }
    }
}

/// Lines of a (possibly gzipped) file, as byte slices of the read buffer (valid until the next
/// call), without their LF or CRLF. A UTF-8 byte-order mark at the start is skipped.
public final class LineReader {
    public let path: String
    private let stream: ByteStream
    private var buf: UnsafeMutablePointer<UInt8>
    private var cap: Int
    private var len = 0, pos = 0
    private var eof = false
    private var first = true
    /// The 1-based number of the line last returned.
    public private(set) var line = 0

    public init(path: String, bufferSize: Int = 1 << 20) throws {
        self.path = path
        stream = try ByteStream(path: path)
        cap = bufferSize
        buf = .allocate(capacity: cap)
    }

    deinit { buf.deallocate() }

    /// Calls `body` with the next line; false at the end of the file.
    public func next(_ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
        while true {
            var p = pos
            while p < len && buf[p] != 0x0A { p += 1 }
            if p < len || (eof && pos < len) {
                var start = pos, end = p
                pos = min(p + 1, len)
                if first {
                    first = false
                    if end - start >= 3, buf[start] == 0xEF, buf[start + 1] == 0xBB, buf[start + 2] == 0xBF { start += 3 }
                }
                if end > start && buf[end - 1] == 0x0D { end -= 1 }
                line += 1
                try body(UnsafeBufferPointer(start: buf + start, count: end - start))
                return true
            }
            if eof { return false }
            // Need more: keep the partial line, grow when it fills the buffer.
            if pos > 0 {
                let rest = len - pos
                if rest > 0 { buf.update(from: buf + pos, count: rest) }
                len = rest; pos = 0
            }
            if len == cap {
                let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: cap * 2)
                nb.update(from: buf, count: len)
                buf.deallocate()
                buf = nb; cap *= 2
            }
            let n = try stream.read(into: buf + len, count: cap - len)
            if n == 0 { eof = true }
            len += n
        }
    }
}
