import Foundation

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
