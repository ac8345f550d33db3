import Foundation

/// A row that cannot be read as a record, with the physical line it starts on.
public struct CSVRowError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable { case brokenQuoting = "broken quoting" }
    public let kind: Kind
    public let path: String
    public let line: Int
    public let detail: String
    public var description: String { "\(path):\(line): broken quoting: \(detail)" }
}

/// A streaming RFC 4180 reader over the bytes of a (possibly gzipped) file.
///
/// Records end at LF or CRLF (a lone CR also ends a line); a field that starts with `"` is
/// quoted: it runs to the next lone `"`, may hold delimiters and line breaks, and `""` in it
/// stands for one `"`. A `"` inside an unquoted field is kept as it is (as pandas and
/// Python's csv module do). A UTF-8 byte-order mark at the start is skipped; blank lines are
/// skipped. Fields are handed out as byte slices of the read buffer, valid until the next
/// call to `next()`; no `String` is made unless asked for.
///
/// - Complexity: O(bytes); the buffer grows only to hold the longest record.
///
/// We keep our own reader rather than a package of the offline list: swiftcsv/SwiftCSV 0.10
/// loads the whole file with `String(contentsOf:)` and builds every row as strings, and
/// yaslab/CSV.swift 2.5 reads a Foundation `InputStream` (no gzip) into `[String]` rows. The
/// importers read gzipped files of millions of rows (timed against pandas by `bench import`),
/// need the physical line of a broken row and go on after it, and decode only the fields they use.
public final class CSVReader {
    public let path: String
    public private(set) var delimiter: UInt8
    public let quoting: Bool
    /// The physical line (1-based) on which the current record starts.
    public private(set) var line = 0
    /// Number of fields in the current record.
    public private(set) var fieldCount = 0

    private let stream: ByteStream
    private var buf: UnsafeMutablePointer<UInt8>
    private var cap: Int
    private var len = 0
    private var pos = 0
    private var eof = false
    private var nextLine = 1
    /// Per field of the current record: start and end offsets in `buf`; bit 62 of the end
    /// marks a quoted field holding `""` escapes.
    private var spans: UnsafeMutablePointer<Int>
    private var spanCapacity = 64
    private static let escapedBit = 1 << 62

    /// Opens `path`; with `delimiter` nil, the delimiter is sniffed from the first line: the
    /// most frequent of comma, tab and semicolon outside quotes (comma when none occurs).
    public init(path: String, delimiter: UInt8? = nil, quoting: Bool = true, bufferSize: Int = 1 << 20) throws {
        self.path = path
        self.quoting = quoting
        stream = try ByteStream(path: path)
        cap = max(bufferSize, 64)
        buf = .allocate(capacity: cap)
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        spans = .allocate(capacity: 2 * spanCapacity)
        try fill()
        while !eof && len < 3 { try fill() }
        if len >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { pos = 3 }
        if delimiter == nil { self.delimiter = try sniffDelimiter() }
    }

    deinit { buf.deallocate(); spans.deallocate() }

    private func growSpans() {
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 4 * spanCapacity)
        bigger.update(from: spans, count: 2 * spanCapacity)
        spans.deallocate()
        spans = bigger
        spanCapacity *= 2
    }

    /// Bytes read so far from the file (uncompressed), for progress.
    public private(set) var bytesRead = 0

    private func fill() throws {
        if len == cap {
            let newCap = cap * 2
            let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
            nb.update(from: buf, count: len)
            buf.deallocate()
            buf = nb
            cap = newCap
        }
        let n = try stream.read(into: buf + len, count: cap - len)
        if n == 0 { eof = true }
        len += n
        bytesRead += n
    }

    private func sniffDelimiter() throws -> UInt8 {
        // Make sure the first line is in the buffer (or the whole file is).
        var scanned = pos
        while true {
            var i = scanned, inQuotes = false, found = false
            while i < len {
                let c = buf[i]
                if c == UInt8(ascii: "\"") { inQuotes.toggle() } else if c == 0x0A && !inQuotes { found = true; break }
                i += 1
            }
            if found || eof { break }
            scanned = pos
            if pos > 0 { compact() }
            try fill()
        }
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, 0x09: 0, UInt8(ascii: ";"): 0]
        var i = pos, inQuotes = false
        while i < len {
            let c = buf[i]
            if c == UInt8(ascii: "\"") { inQuotes.toggle() } else if !inQuotes {
                if c == 0x0A || c == 0x0D { break }
                if counts[c] != nil { counts[c]! += 1 }
            }
            i += 1
        }
        let order: [UInt8] = [UInt8(ascii: ","), 0x09, UInt8(ascii: ";")]
        var best = order[0]
        for d in order where counts[d]! > counts[best]! { best = d }
        return best
    }

    /// Moves the unread bytes to the start of the buffer.
    private func compact() {
        if pos > 0 {
            let rest = len - pos
            if rest > 0 { buf.update(from: buf + pos, count: rest) }
            len = rest
            pos = 0
        }
    }

    private enum Outcome { case complete(end: Int, newlines: Int), needMore, broken(String, resume: Int, newlines: Int) }

    /// Reads the next record; false at the end of the file. A record with broken quoting throws
    /// `CSVRowError` after moving past it (to the end of its line, or of the file for an
    /// unclosed quote), so a caller may count it and go on.
    public func next() throws -> Bool {
        while true {
            if pos >= len {
                if eof { return false }
                compact()
                try fill()
                continue
            }
            // Blank lines are skipped (counted in the line numbers).
            if buf[pos] == 0x0A { pos += 1; nextLine += 1; continue }
            if buf[pos] == 0x0D {
                if pos + 1 >= len && !eof { compact(); try fill(); continue }
                pos += (pos + 1 < len && buf[pos + 1] == 0x0A) ? 2 : 1
                nextLine += 1
                continue
            }
            switch parse(from: pos) {
            case .complete(let end, let newlines):
                pos = end
                line = nextLine
                nextLine += newlines
                unescapeInPlace()
                return true
            case .needMore:
                compact()
                try fill()
            case .broken(let detail, let resume, let newlines):
                pos = resume
                line = nextLine
                nextLine += newlines
                throw CSVRowError(kind: .brokenQuoting, path: path, line: line, detail: detail)
            }
        }
    }

    /// Parses one record starting at `start` in the buffer.
    private func parse(from start: Int) -> Outcome {
        var fieldCount = 0
        var f = spans, fcap = spanCapacity
        defer { self.fieldCount = fieldCount }
        @inline(__always) func push(_ start: Int, _ end: Int) {
            if fieldCount == fcap { growSpans(); f = spans; fcap = spanCapacity }
            f[2 * fieldCount] = start
            f[2 * fieldCount + 1] = end
            fieldCount += 1
        }
        let delim = delimiter, quote = UInt8(ascii: "\""), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var p = start, newlines = 0
        let b = buf, n = len, eof = self.eof, quoting = self.quoting
        while true {
            if quoting && p < n && b[p] == quote {
                p += 1
                let contentStart = p
                var hasEscapes = false
                var contentEnd = -1
                while contentEnd < 0 {
                    if p >= n {
                        if !eof { return .needMore }
                        return .broken("field \(fieldCount + 1) opens a quote that is not closed before the end of the file",
                                       resume: n, newlines: newlines)
                    }
                    let c = b[p]
                    if c == quote {
                        if p + 1 >= n && !eof { return .needMore }
                        if p + 1 < n && b[p + 1] == quote { hasEscapes = true; p += 2; continue }
                        contentEnd = p
                        p += 1
                    } else {
                        if c == lf { newlines += 1 }
                        p += 1
                    }
                }
                push(contentStart, hasEscapes ? contentEnd | Self.escapedBit : contentEnd)
                if p >= n { return eof ? .complete(end: p, newlines: newlines + 1) : .needMore }
                let c = b[p]
                if c == delim { p += 1; continue }
                if c == lf { return .complete(end: p + 1, newlines: newlines + 1) }
                if c == cr {
                    if p + 1 >= n && !eof { return .needMore }
                    return .complete(end: (p + 1 < n && b[p + 1] == lf) ? p + 2 : p + 1, newlines: newlines + 1)
                }
                // Text after the closing quote: skip to the end of the line.
                var q = p
                while q < n && b[q] != lf { q += 1 }
                if q >= n && !eof { return .needMore }
                return .broken("field \(fieldCount) has text after its closing quote", resume: min(q + 1, n), newlines: newlines + 1)
            }
            let fieldStart = p
            while p < n {
                let c = b[p]
                if c == delim || c == lf || c == cr { break }
                p += 1
            }
            if p >= n && !eof { return .needMore }
            push(fieldStart, p)
            if p >= n { return .complete(end: p, newlines: newlines + 1) }
            let c = b[p]
            if c == delim { p += 1; continue }
            if c == lf { return .complete(end: p + 1, newlines: newlines + 1) }
            if p + 1 >= n && !eof { return .needMore }
            return .complete(end: (p + 1 < n && b[p + 1] == lf) ? p + 2 : p + 1, newlines: newlines + 1)
        }
    }

    /// Turns `""` into `"` in the quoted fields of the record just read, in the buffer (the
    /// record is complete and will not be parsed again, and the text only shrinks).
    private func unescapeInPlace() {
        for i in 0..<fieldCount where spans[2 * i + 1] & Self.escapedBit != 0 {
            let s = spans[2 * i], e = spans[2 * i + 1] & ~Self.escapedBit
            var p = s, q = s
            while p < e {
                buf[q] = buf[p]
                p += buf[p] == UInt8(ascii: "\"") ? 2 : 1
                q += 1
            }
            spans[2 * i + 1] = q
        }
    }

    /// The bytes of field `i` of the current record (quotes removed, `""` turned into `"`),
    /// valid until the next call to `next()`.
    @inline(__always)
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let s = spans[2 * i]
        return UnsafeBufferPointer(start: buf + s, count: spans[2 * i + 1] - s)
    }

    /// Calls `body` with the bytes of field `i` of the current record (see `field(_:)`).
    @inline(__always)
    public func withField<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(field(i))
    }

    /// Field `i` as a string, or nil when its bytes are not valid UTF-8.
    public func string(_ i: Int) -> String? {
        withField(i) { String(validating: $0, as: UTF8.self) }
    }

    /// Field `i` decoded as ISO-8859-1 (Latin-1): every byte is one code point.
    public func latin1String(_ i: Int) -> String {
        withField(i) { Latin1.decode($0) }
    }

    /// Field `i` for an error message: valid UTF-8 as it is, other bytes as `\xNN`.
    public func displayValue(_ i: Int) -> String {
        withField(i) { ByteText.display($0) }
    }

    /// All fields of the current record as strings (invalid UTF-8 shown with `\xNN`).
    public func record() -> [String] { (0..<fieldCount).map { string($0) ?? displayValue($0) } }
}
