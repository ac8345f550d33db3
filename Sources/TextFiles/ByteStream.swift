import CZlib
import Foundation

/// A file that cannot be opened or read, naming it.
public struct TextFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A file read in chunks, gunzipped on the fly when it starts with the gzip magic bytes
/// (1f 8b), whatever its name. Plain files go through read(2), gzip files through zlib's gzread.
public final class ByteStream {
    public let path: String
    /// True when the file is gzip-compressed.
    public let isGzip: Bool
    private var fd: Int32 = -1
    private var gz: gzFile?

    public init(path: String) throws {
        self.path = path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw TextFileError("\(path): no such file")
        }
        if isDir.boolValue { throw TextFileError("\(path): is a folder, expected a file") }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextFileError("\(path): cannot open: \(String(cString: strerror(errno)))") }
        var magic: (UInt8, UInt8) = (0, 0)
        let n = withUnsafeMutableBytes(of: &magic) { pread(fd, $0.baseAddress, 2, 0) }
        isGzip = n == 2 && magic.0 == 0x1f && magic.1 == 0x8b
        if isGzip {
            // gzdopen takes the descriptor over (gzclose closes it).
            guard let g = gzdopen(fd, "rb") else {
                close(fd)
                throw TextFileError("\(path): cannot open as gzip")
            }
            gzbuffer(g, 1 << 18)
            gz = g
        } else {
            self.fd = fd
        }
    }

    deinit {
        if let gz { gzclose(gz) }
        if fd >= 0 { close(fd) }
    }

    /// Reads up to `count` bytes into `buffer`; 0 means the end of the file.
    public func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        if let gz {
            let n = gzread(gz, buffer, UInt32(min(count, Int(Int32.max))))
            if n < 0 {
                var errnum: Int32 = 0
                let msg = gzerror(gz, &errnum).map { String(cString: $0) } ?? "unknown error"
                throw TextFileError("\(path): corrupt gzip data: \(msg)")
            }
            if n == 0 {
                var errnum: Int32 = 0
                let msg = gzerror(gz, &errnum).map { String(cString: $0) } ?? ""
                if errnum != Z_OK { throw TextFileError("\(path): corrupt gzip data: \(msg.isEmpty ? "truncated" : msg)") }
            }
            return Int(n)
        }
        while true {
            let n = Foundation.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw TextFileError("\(path): read error: \(String(cString: strerror(errno)))")
        }
    }

    /// Size of the file on disk (compressed size for gzip), for progress.
    public var fileSize: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    }

    /// The whole (possibly gzipped) file, without a UTF-8 byte-order mark at its start.
    public static func readAll(path: String) throws -> [UInt8] {
        let stream = try ByteStream(path: path)
        var out: [UInt8] = []
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try buffer.withUnsafeMutableBufferPointer { try stream.read(into: $0.baseAddress!, count: chunk) }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        if out.count >= 3, out[0] == 0xEF, out[1] == 0xBB, out[2] == 0xBF { out.removeFirst(3) }
        return out
    }
}
