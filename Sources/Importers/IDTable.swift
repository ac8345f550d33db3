/// Original ids (byte strings) mapped to dense ids `0..<count` in order of first insertion.
///
/// An open-addressing table (linear probing, load ≤ 1/2) of 16-byte slots that hold 26 bits of
/// the hash, the length (up to 31), the id and the first 8 bytes of the key, so finding an id of
/// up to 8 bytes touches one slot and makes no `String`; longer keys are also compared with
/// their bytes in the arena that keeps every key. Small slots matter: with hundreds of thousands
/// of users the table outgrows the caches, and each lookup costs one memory access.
///
/// - Complexity: `intern` and `lookup` are O(key length) on average; memory is the key bytes
///   plus about 40 bytes per key.
public struct IDTable: Sendable {
    struct Slot {
        var tag: UInt32 = 0  // hash bits 31…6, bit 5 set, length (capped at 31) in bits 4…0; 0: empty
        var id: UInt32 = 0
        var w0: UInt64 = 0
    }

    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []  // per id, for growing the table
    private var readAhead: UInt32 = 0  // keeps the read-ahead loads of `intern(block:)` alive
    private var scratch: [UInt64] = []  // hashes and words of a block
    private var slots = [Slot](repeating: Slot(), count: 1024)
    private var mask = 1023
    public private(set) var count = 0

    public init() {}

    /// The first 8 bytes of the key, little-endian, zero-padded.
    @inline(__always)
    static func word(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = key.count
        guard let base = key.baseAddress else { return 0 }
        if n >= 8 { return UnsafeRawPointer(base).loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        var i = 0
        while i < n { w |= UInt64(base[i]) << UInt64(8 * i); i += 1 }
        return w
    }

    /// A 64-bit hash of the key: its 8-byte words mixed by multiply–xorshift, then MurmurHash3's
    /// fmix64 finaliser, so that the bits the table uses depend on every byte (ids such as
    /// `u123456` differ only in a few bits of a few bytes).
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>, _ w0: UInt64) -> UInt64 {
        let n = key.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        h = (h ^ w0) &* 0xBF58_476D_1CE4_E5B9; h ^= h >> 29
        if n > 8, let base = key.baseAddress {
            let raw = UnsafeRawPointer(base)
            var i = 8
            while i + 8 <= n {
                h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
                h ^= h >> 29
                i += 8
            }
            var w: UInt64 = 0
            var k = i
            while k < n { w |= UInt64(base[k]) << UInt64(8 * (k - i)); k += 1 }
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
        }
        h ^= h >> 33; h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33; h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 33)
    }

    @inline(__always)
    static func tag(_ h: UInt64, length: Int) -> UInt32 {
        (UInt32(truncatingIfNeeded: h >> 32) & ~0x3F) | 0x20 | UInt32(min(length, 31))
    }

    /// The slot where probing starts (from hash bits independent of the tag's).
    @inline(__always)
    static func position(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h) & mask }

    /// Compares key `id`'s bytes in the arena with `key` (for keys longer than 8 bytes).
    private func arenaEqual(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = offsets[id]
        guard offsets[id + 1] - s == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            var i = 8
            while i < key.count {
                if a[s + i] != key[i] { return false }
                i += 1
            }
            return true
        }
    }

    /// Finds `key`: (slot index, found).
    @inline(__always)
    private func find(_ key: UnsafeBufferPointer<UInt8>, _ h: UInt64, _ tag: UInt32, _ w0: UInt64) -> (Int, Bool) {
        slots.withUnsafeBufferPointer { sl in
            var i = Self.position(h, mask)
            while true {
                let s = sl[i]
                if s.tag == 0 { return (i, false) }
                if s.tag == tag && s.w0 == w0 && (key.count <= 8 || arenaEqual(Int(s.id), key)) { return (i, true) }
                i = (i + 1) & mask
            }
        }
    }

    /// The dense id of `key`, or nil.
    public func lookup(_ key: UnsafeBufferPointer<UInt8>) -> UInt32? {
        let w0 = Self.word(key)
        let h = Self.hash(key, w0)
        let (i, found) = find(key, h, Self.tag(h, length: key.count), w0)
        return found ? slots[i].id : nil
    }

    /// The dense id of `key`, adding it when new.
    @discardableResult
    public mutating func intern(_ key: UnsafeBufferPointer<UInt8>) -> (id: UInt32, isNew: Bool) {
        let w0 = Self.word(key)
        return intern(key, hash: Self.hash(key, w0), word: w0)
    }

    /// Interns every key of `block` in order, appending their ids to `ids`.
    ///
    /// The same as calling `intern` key by key, but the hashes are computed first and each
    /// key's first slot is read ahead, so that the memory accesses of a block overlap instead of
    /// waiting one after the other (the table is usually larger than the caches).
    public mutating func intern(block: KeyBlock, into ids: inout [UInt32]) {
        let n = block.count
        guard n > 0 else { return }
        if scratch.count < 2 * n { scratch = [UInt64](repeating: 0, count: 2 * n) }
        var touched: UInt32 = 0
        let m = mask
        block.withBuffers { bytes, ends in
            scratch.withUnsafeMutableBufferPointer { hw in
                slots.withUnsafeBufferPointer { sl in
                    var start = 0
                    for k in 0..<n {
                        let key = UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + start }, count: ends[k] - start)
                        let w = Self.word(key), h = Self.hash(key, w)
                        hw[2 * k] = h; hw[2 * k + 1] = w
                        touched ^= sl[Self.position(h, m)].tag
                        start = ends[k]
                    }
                }
            }
            readAhead = touched
            var start = 0
            for k in 0..<n {
                let key = UnsafeBufferPointer(start: bytes.baseAddress.map { $0 + start }, count: ends[k] - start)
                ids.append(intern(key, hash: scratch[2 * k], word: scratch[2 * k + 1]).id)
                start = ends[k]
            }
        }
    }

    @inline(__always)
    private mutating func intern(_ key: UnsafeBufferPointer<UInt8>, hash h: UInt64, word w0: UInt64) -> (id: UInt32, isNew: Bool) {
        let tag = Self.tag(h, length: key.count)
        let (i, found) = find(key, h, tag, w0)
        if found { return (slots[i].id, false) }
        let id = UInt32(count)
        slots[i] = Slot(tag: tag, id: id, w0: w0)
        hashes.append(h)
        arena.append(contentsOf: key)
        offsets.append(arena.count)
        count += 1
        if count * 2 > slots.count { grow() }
        return (id, true)
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
        var new = [Slot](repeating: Slot(), count: n)
        let m = n - 1
        for s in slots where s.tag != 0 {
            var i = Self.position(hashes[Int(s.id)], m)
            while new[i].tag != 0 { i = (i + 1) & m }
            new[i] = s
        }
        slots = new
        mask = m
    }

    /// The key of dense id `id` (keys are checked to be UTF-8 by the importers before they are
    /// added; other bytes would be repaired with U+FFFD here).
    public func key(_ id: Int) -> String {
        arena.withUnsafeBufferPointer { a in
            String(decoding: UnsafeBufferPointer(rebasing: a[offsets[id]..<offsets[id + 1]]), as: UTF8.self)
        }
    }
}

/// Keys (byte strings) gathered for `IDTable.intern(block:into:)`.
public struct KeyBlock: Sendable {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    public init() {}

    public var count: Int { ends.count }

    public mutating func append(_ key: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: key)
        ends.append(bytes.count)
    }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// The keys' bytes back to back and the end offset of each.
    @inline(__always)
    func withBuffers<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<Int>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { b in try ends.withUnsafeBufferPointer { e in try body(b, e) } }
    }

    @inline(__always)
    public func withKey<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let s = i == 0 ? 0 : ends[i - 1]
        return try bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[s..<ends[i]])) }
    }
}
