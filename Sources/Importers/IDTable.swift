/// Original ids (byte strings) mapped to dense ids `0..<count` in order of first insertion.
///
/// Keys live in one byte arena; an open-addressing table of key indices finds them by a
/// 64-bit FNV-1a hash, so looking up an id already seen makes no `String`.
///
/// - Complexity: `intern` and `lookup` are O(key length) on average; memory is the key bytes
///   plus about 24 bytes per key.
public struct IDTable: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    private var mask = 1023

    public init() {}

    /// Number of distinct keys.
    public var count: Int { hashes.count }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h ^ (h >> 29)
    }

    @inline(__always)
    private func equal(_ k: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = offsets[k], e = offsets[k + 1]
        guard e - s == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            key.count == 0 || memcmp(a.baseAddress! + s, key.baseAddress!, key.count) == 0
        }
    }

    /// The dense id of `key`, or nil.
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let k = Int(slots[i])
            if k < 0 { return nil }
            if hashes[k] == h && equal(k, key) { return UInt32(k) }
            i = (i + 1) & mask
        }
    }

    /// The dense id of `key`, adding it when new.
    @discardableResult
    public mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> (id: UInt32, isNew: Bool) {
        let h = Self.hash(key)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let k = Int(slots[i])
            if k < 0 { break }
            if hashes[k] == h && equal(k, key) { return (UInt32(k), false) }
            i = (i + 1) & mask
        }
        let id = hashes.count
        slots[i] = Int32(id)
        hashes.append(h)
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        if hashes.count * 2 > slots.count { grow() }
        return (UInt32(id), true)
    }

    public mutating func intern(_ key: String) -> UInt32 {
        var k = key
        return k.withUTF8 { intern($0).id }
    }

    public func lookup(_ key: String) -> UInt32? {
        var k = key
        return k.withUTF8 { lookup($0) }
    }

    private mutating func grow() {
        let n = slots.count * 2
        slots = Array(repeating: -1, count: n)
        mask = n - 1
        for k in 0..<hashes.count {
            var i = Int(truncatingIfNeeded: hashes[k]) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(k)
        }
    }

    /// The key of dense id `id` (keys are checked to be UTF-8 by the importers before they are
    /// added; other bytes would be repaired with U+FFFD here).
    public func key(_ id: Int) -> String {
        arena.withUnsafeBufferPointer { a in
            String(decoding: UnsafeBufferPointer(rebasing: a[offsets[id]..<offsets[id + 1]]), as: UTF8.self)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
