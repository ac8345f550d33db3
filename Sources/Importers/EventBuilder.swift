import Datasets
import TextFiles

/// Choices shared by every importer.
public struct ImportOptions: Sendable {
    /// Iterative k-core: users with fewer events are dropped, until stable (0: off).
    public var minUserEvents = 0
    /// Iterative k-core: items with fewer events are dropped, until stable (0: off).
    public var minItemEvents = 0
    /// Drop exact duplicate events (same user, item, time, type and value), keeping the first.
    public var dedupe = false
    /// Count bad rows by reason and go on, instead of stopping at the first one.
    public var skipBadRows = false
    /// Drop events whose item is not in the item file (when one is given).
    public var dropUnknownItems = false
    /// Called with the number of rows read so far, every `progressInterval` rows.
    public var progress: (@Sendable (Int) -> Void)?
    public var progressInterval = 1_000_000

    public init() {}
}

/// What an import did: the counts, what was dropped and why, what was detected.
public struct ImportSummary: Sendable {
    public var users = 0
    public var items = 0
    public var events = 0
    /// Event rows read (data lines, header excluded).
    public var rows = 0
    /// Dropped rows by reason, in the order the reasons first occurred.
    public var dropped: [(reason: String, count: Int)] = []
    /// What was detected (delimiter, columns, format version).
    public var notes: [String] = []
    /// Things the user should know that did not stop the import.
    public var warnings: [String] = []

    public func droppedCount(_ reason: String) -> Int { dropped.first { $0.reason == reason }?.count ?? 0 }
}

public struct ImportResult: Sendable {
    public var dataset: Dataset
    public var summary: ImportSummary
}

/// Item text fields from an item file, keyed by the original item id.
public struct Catalogue: Sendable {
    /// Field names in file order (become `/items/<name>`).
    public var fieldNames: [String]
    /// Item id → row.
    public var ids = IDTable()
    /// `values[field][row]`.
    public var values: [[String]]
    /// Rows whose id was already in the catalogue (the first row is kept).
    public var duplicateRows = 0

    public init(fieldNames: [String]) {
        self.fieldNames = fieldNames
        values = Array(repeating: [], count: fieldNames.count)
    }

    public var count: Int { ids.count }

    /// Adds a row; a repeated id keeps its first row. Returns false for a repeat.
    @discardableResult
    public mutating func add(id: String, fields: [String]) -> Bool {
        precondition(fields.count == fieldNames.count)
        let before = ids.count
        _ = ids.intern(id)
        guard ids.count > before else { duplicateRows += 1; return false }
        for (k, v) in fields.enumerated() { values[k].append(v) }
        return true
    }

    /// Sets field `name` of row `row` (adding the field, empty for every row, if new).
    public mutating func set(_ name: String, row: Int, _ value: String) {
        if let k = fieldNames.firstIndex(of: name) { values[k][row] = value; return }
        fieldNames.append(name)
        var column = [String](repeating: "", count: count)
        column[row] = value
        values.append(column)
    }

    /// A field name usable as an HDF5 object name under /items.
    public static func objectName(_ column: String) -> String {
        let s = column.replacingOccurrences(of: "/", with: "_").trimmingCharacters(in: .whitespaces)
        return s.isEmpty || s == "." || s == ".." ? "field" : s
    }
}

/// Collects events row by row (ids mapped through `IDTable`s, never holding the input text) and
/// builds the dataset: duplicates dropped, k-core applied, ids made dense in order of first
/// appearance among the surviving events, item fields attached.
public final class EventBuilder {
    public let options: ImportOptions
    public private(set) var users = IDTable()
    public private(set) var items = IDTable()
    private var eventUser: [UInt32] = []
    private var eventItem: [UInt32] = []
    private var eventTime: [Int64] = []
    private var eventType: [UInt8]?
    private var eventValue: [Float]?
    private var types = IDTable()
    private var fixedTypes: [String]?
    /// Event rows read so far.
    public private(set) var rows = 0
    private var nextProgress: Int
    public var summary = ImportSummary()
    public var catalogue: Catalogue?
    /// Events whose item is not in the catalogue (kept unless `dropUnknownItems`).
    public private(set) var unknownItemEvents = 0

    /// `hasType`: events carry a type; `typeNames` fixes the type names (codes index them),
    /// otherwise types are the distinct values seen, in order of first appearance.
    public init(options: ImportOptions, hasType: Bool, hasValue: Bool, typeNames: [String]? = nil) {
        self.options = options
        if hasType { eventType = [] }
        if hasValue { eventValue = [] }
        fixedTypes = typeNames
        for name in typeNames ?? [] { _ = types.intern(name) }
        nextProgress = options.progressInterval
    }

    /// Counts one row read.
    @inline(__always)
    public func row() {
        rows += 1
        if rows >= nextProgress {
            nextProgress += options.progressInterval
            options.progress?(rows)
        }
    }

    /// Counts a dropped row under `reason`.
    public func drop(_ reason: String, count: Int = 1) {
        if let k = summary.dropped.firstIndex(where: { $0.reason == reason }) {
            summary.dropped[k].count += count
        } else {
            summary.dropped.append((reason, count))
        }
    }

    /// A bad row: with `skipBadRows` it is counted under `reason`, otherwise `message` is thrown.
    public func bad(_ reason: String, _ message: @autoclosure () -> String) throws {
        guard options.skipBadRows else { throw ImportError(message()) }
        drop(reason)
    }

    public enum IDCheck { case ok, empty, invalidUTF8 }

    @inline(__always)
    public static func check(_ key: UnsafeBufferPointer<UInt8>) -> IDCheck {
        if key.isEmpty { return .empty }
        return ByteText.isValidUTF8(key) ? .ok : .invalidUTF8
    }

    /// Checks an id field; a bad one is reported (`location`: "file:line", `column`: its name).
    /// Returns false when the row is to be skipped.
    public func checkID(_ key: UnsafeBufferPointer<UInt8>, location: @autoclosure () -> String, column: String) throws -> Bool {
        switch Self.check(key) {
        case .ok: return true
        case .empty:
            try bad("empty id", "\(location()): column \(column) is empty")
        case .invalidUTF8:
            try bad("invalid UTF-8", "\(location()): column \(column): invalid UTF-8 in \"\(ByteText.display(key))\"")
        }
        return false
    }

    /// The type code of `name`: its index in the fixed type names, or (without them) among the
    /// distinct names in order of first appearance, at most 256.
    public func typeCode(_ name: UnsafeBufferPointer<UInt8>, location: @autoclosure () -> String, column: String) throws -> UInt8? {
        if let c = types.lookup(name) { return UInt8(c) }
        if name.isEmpty {
            try bad("empty event type", "\(location()): column \(column) is empty")
            return nil
        }
        if let fixed = fixedTypes {
            try bad("unknown event type", "\(location()): column \(column): \"\(ByteText.display(name))\" is not an event type of this format (\(fixed.joined(separator: ", ")))")
            return nil
        }
        guard ByteText.isValidUTF8(name) else {
            try bad("invalid UTF-8", "\(location()): column \(column): invalid UTF-8 in \"\(ByteText.display(name))\"")
            return nil
        }
        guard types.count < 256 else {
            throw ImportError("\(location()): column \(column): more than 256 distinct event types (\"\(ByteText.display(name))\" is the 257th); is \(column) really the event type column? (name another with --type-col)")
        }
        return UInt8(types.intern(name).id)
    }

    /// Adds an event whose ids were checked with `checkID`. Returns false when it was dropped
    /// (item not in the catalogue with `dropUnknownItems`).
    @inline(__always)
    @discardableResult
    public func add(user: UnsafeBufferPointer<UInt8>, item: UnsafeBufferPointer<UInt8>, time: Int64,
                    type: UInt8? = nil, value: Float? = nil) -> Bool {
        if let catalogue, catalogue.ids.lookup(item) == nil {
            if options.dropUnknownItems { drop("unknown item"); return false }
            unknownItemEvents += 1
        }
        eventUser.append(users.intern(user).id)
        eventItem.append(items.intern(item).id)
        eventTime.append(time)
        if eventType != nil { eventType!.append(type ?? 0) }
        if eventValue != nil { eventValue!.append(value ?? .nan) }
        return true
    }

    /// Events gathered by `add(block:)`: ids as bytes, the rest as values.
    public struct Block {
        public var users = KeyBlock()
        public var items = KeyBlock()
        public var times: [Int64] = []
        public var types: [UInt8] = []
        public var values: [Float] = []
        public init() {}
        public var count: Int { times.count }
        public mutating func removeAll() {
            users.removeAll(); items.removeAll()
            times.removeAll(keepingCapacity: true); types.removeAll(keepingCapacity: true); values.removeAll(keepingCapacity: true)
        }
    }

    /// Adds the events of `block` (ids checked with `checkID`), in order; the same as `add` event
    /// by event, with the id lookups of the block overlapped (see `IDTable.intern(block:into:)`).
    public func add(block: inout Block) {
        if let catalogue {
            // Rare path: filter unknown items row by row first.
            var kept = Block()
            for k in 0..<block.count {
                let known = block.items.withKey(k) { catalogue.ids.lookup($0) != nil }
                if !known {
                    if options.dropUnknownItems { drop("unknown item"); continue }
                    unknownItemEvents += 1
                }
                block.users.withKey(k) { kept.users.append($0) }
                block.items.withKey(k) { kept.items.append($0) }
                kept.times.append(block.times[k])
                if !block.types.isEmpty { kept.types.append(block.types[k]) }
                if !block.values.isEmpty { kept.values.append(block.values[k]) }
            }
            swap(&kept, &block)
        }
        users.intern(block: block.users, into: &eventUser)
        items.intern(block: block.items, into: &eventItem)
        eventTime.append(contentsOf: block.times)
        if eventType != nil { eventType!.append(contentsOf: block.types.isEmpty ? [UInt8](repeating: 0, count: block.count) : block.types) }
        if eventValue != nil { eventValue!.append(contentsOf: block.values.isEmpty ? [Float](repeating: .nan, count: block.count) : block.values) }
        block.removeAll()
    }

    public func add(user: String, item: String, time: Int64, type: UInt8? = nil, value: Float? = nil) {
        var u = user, i = item
        u.withUTF8 { ub in i.withUTF8 { ib in _ = add(user: ub, item: ib, time: time, type: type, value: value) } }
    }

    /// Builds the dataset. An import left with no event is an error.
    public func finish(source: String) throws -> ImportResult {
        let n = eventUser.count
        var alive = [Bool](repeating: true, count: n)
        if options.dedupe {
            let d = markDuplicates(&alive)
            if d > 0 { drop("duplicate", count: d) }
        }
        let removed = KCore.filter(users: eventUser, items: eventItem, userCount: users.count, itemCount: items.count,
                                   minUserEvents: options.minUserEvents, minItemEvents: options.minItemEvents, alive: &alive)
        if removed > 0 { drop("k-core", count: removed) }
        if catalogue != nil && unknownItemEvents > 0 {
            summary.warnings.append("\(unknownItemEvents) events name an item that is not in the item file (kept, with empty item fields; drop them with --drop-unknown-items)")
        }
        if let c = catalogue, c.duplicateRows > 0 {
            summary.warnings.append("the item file repeats \(c.duplicateRows) item ids (the first row of each is kept)")
        }

        // Dense ids in order of first appearance among the surviving events. The provisional ids
        // are already in order of first appearance, so when nothing was dropped they are final.
        if removedNone(alive) {
            guard n > 0 else { throw ImportError("\(source): nothing to import: no event was read") }
            return result(user: eventUser, item: eventItem, time: eventTime, type: eventType, value: eventValue,
                          userIDs: (0..<users.count).map { users.key($0) }, itemIDs: (0..<items.count).map { items.key($0) })
        }
        var userMap = [Int32](repeating: -1, count: users.count), itemMap = [Int32](repeating: -1, count: items.count)
        var userOrder: [Int] = [], itemOrder: [Int] = []
        let kept = alive.reduce(0) { $0 + ($1 ? 1 : 0) }
        var outUser = [UInt32](), outItem = [UInt32](), outTime = [Int64]()
        outUser.reserveCapacity(kept); outItem.reserveCapacity(kept); outTime.reserveCapacity(kept)
        var outType: [UInt8]? = eventType.map { _ in [UInt8]() }
        var outValue: [Float]? = eventValue.map { _ in [Float]() }
        for e in 0..<n where alive[e] {
            let u = Int(eventUser[e]), i = Int(eventItem[e])
            if userMap[u] < 0 { userMap[u] = Int32(userOrder.count); userOrder.append(u) }
            if itemMap[i] < 0 { itemMap[i] = Int32(itemOrder.count); itemOrder.append(i) }
            outUser.append(UInt32(userMap[u]))
            outItem.append(UInt32(itemMap[i]))
            outTime.append(eventTime[e])
            if let t = eventType { outType!.append(t[e]) }
            if let v = eventValue { outValue!.append(v[e]) }
        }
        guard kept > 0 else {
            let why = n == 0 ? "no event was read" : "all \(n) events were dropped (\(summary.dropped.map { "\($0.count) \($0.reason)" }.joined(separator: ", ")))"
            throw ImportError("\(source): nothing to import: \(why)")
        }
        return result(user: outUser, item: outItem, time: outTime, type: outType, value: outValue,
                      userIDs: userOrder.map { users.key($0) }, itemIDs: itemOrder.map { items.key($0) })
    }

    private func removedNone(_ alive: [Bool]) -> Bool { !alive.contains(false) }

    private func result(user: [UInt32], item: [UInt32], time: [Int64], type: [UInt8]?, value: [Float]?,
                        userIDs: [String], itemIDs: [String]) -> ImportResult {
        var fields: [(name: String, values: [String])] = []
        if let c = catalogue {
            let rowOf = itemIDs.map { c.ids.lookup($0).map(Int.init) }
            for (k, name) in c.fieldNames.enumerated() {
                fields.append((Catalogue.objectName(name), rowOf.map { $0.map { c.values[k][$0] } ?? "" }))
            }
        }
        let typeNames = fixedTypes ?? (0..<types.count).map { types.key($0) }
        let dataset = Dataset(eventUser: user, eventItem: item, eventTime: time, eventType: type,
                              typeNames: type == nil ? [] : typeNames, eventValue: value,
                              itemIDs: itemIDs, userIDs: userIDs, itemFields: fields)
        var s = summary
        s.users = userIDs.count; s.items = itemIDs.count; s.events = user.count; s.rows = rows
        return ImportResult(dataset: dataset, summary: s)
    }

    /// Marks every event equal to an earlier one (user, item, time, type, value) as not alive.
    private func markDuplicates(_ alive: inout [Bool]) -> Int {
        let n = eventUser.count
        guard n > 1 else { return 0 }
        var size = 1
        while size < 2 * n { size <<= 1 }
        let mask = size - 1
        var slots = [Int32](repeating: -1, count: size)
        var dups = 0
        func same(_ a: Int, _ b: Int) -> Bool {
            eventUser[a] == eventUser[b] && eventItem[a] == eventItem[b] && eventTime[a] == eventTime[b]
                && (eventType.map { $0[a] == $0[b] } ?? true)
                && (eventValue.map { $0[a].bitPattern == $0[b].bitPattern } ?? true)
        }
        for e in 0..<n {
            var h = UInt64(eventUser[e]) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(eventItem[e])) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ UInt64(bitPattern: eventTime[e])) &* 0x94D0_49BB_1331_11EB
            if let t = eventType { h = (h ^ UInt64(t[e])) &* 0x9E37_79B9_7F4A_7C15 }
            if let v = eventValue { h = (h ^ UInt64(v[e].bitPattern)) &* 0xBF58_476D_1CE4_E5B9 }
            var i = Int(truncatingIfNeeded: h ^ (h >> 31)) & mask
            while true {
                let k = Int(slots[i])
                if k < 0 { slots[i] = Int32(e); break }
                if same(k, e) { alive[e] = false; dups += 1; break }
                i = (i + 1) & mask
            }
        }
        return dups
    }
}

import Foundation
