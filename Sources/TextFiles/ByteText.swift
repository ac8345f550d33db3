import Foundation

/// ISO-8859-1 decoding.
public enum Latin1 {
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var s = String()
        s.reserveCapacity(bytes.count)
        for b in bytes { s.unicodeScalars.append(Unicode.Scalar(b)) }
        return s
    }
}

/// Bytes shown in messages.
public enum ByteText {
    /// The bytes as text: valid UTF-8 sequences as they are, each invalid byte as `\xNN`.
    public static func display(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var out = "", i = 0
        while i < bytes.count {
            let b = bytes[i]
            var len = 1
            if b >= 0xC2 && b <= 0xDF { len = 2 } else if b >= 0xE0 && b <= 0xEF { len = 3 } else if b >= 0xF0 && b <= 0xF4 { len = 4 }
            if b < 0x80 {
                out.unicodeScalars.append(Unicode.Scalar(b)); i += 1; continue
            }
            if len > 1, i + len <= bytes.count,
               let s = String(validating: UnsafeBufferPointer(rebasing: bytes[i..<(i + len)]), as: UTF8.self) {
                out += s; i += len; continue
            }
            out += "\\x" + String(b, radix: 16, uppercase: true).leftPadded(2)
            i += 1
        }
        return out
    }

    /// Valid UTF-8 sequences as they are, every other byte read as ISO-8859-1.
    public static func repairLatin1(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var out = "", i = 0
        while i < bytes.count {
            let b = bytes[i]
            var len = 1
            if b >= 0xC2 && b <= 0xDF { len = 2 } else if b >= 0xE0 && b <= 0xEF { len = 3 } else if b >= 0xF0 && b <= 0xF4 { len = 4 }
            if len > 1, i + len <= bytes.count,
               let s = String(validating: UnsafeBufferPointer(rebasing: bytes[i..<(i + len)]), as: UTF8.self) {
                out += s; i += len; continue
            }
            out.unicodeScalars.append(Unicode.Scalar(b))
            i += 1
        }
        return out
    }

    /// True when the bytes are valid UTF-8 (a fast pass for ASCII).
    public static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in bytes where b >= 0x80 { return String(validating: bytes, as: UTF8.self) != nil }
        return true
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
