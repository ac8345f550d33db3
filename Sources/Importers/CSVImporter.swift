import TextFiles
/// `import csv EVENTS [--items ITEMS] [--users USERS]`: a delimited events file with a header,
/// columns mapped by name (explicit or detected), optional item and user files.
public enum CSVImporter {
    public struct Config: Sendable {
        public var columns = ColumnMapping.Names()
        /// nil: sniffed from the header line.
        public var delimiter: UInt8?
        public var items: String?
        public var users: String?
        public init() {}
    }

    public static func run(events path: String, config: Config, options: ImportOptions) throws -> ImportResult {
        var catalogue: Catalogue?
        var notes: [String] = []
        if let items = config.items {
            let (c, note) = try readItemFile(items, idColumn: config.columns.item, delimiter: config.delimiter, options: options)
            catalogue = c
            notes.append(note)
        }
        let r = try CSVReader(path: path, delimiter: config.delimiter)
        let header = try readHeader(r)
        let m = try ColumnMapping.resolve(header: header, names: config.columns, file: path)
        notes.insert("\(path): delimiter \(delimiterName(r.delimiter)), columns \(m.describe(header))", at: 0)
        let b = EventBuilder(options: options, hasType: m.type != nil, hasValue: m.value != nil)
        b.catalogue = catalogue
        b.summary.notes = notes
        try readEvents(r, header: header, mapping: m, into: b)
        if let users = config.users {
            let known = try readUserFile(users, idColumn: config.columns.user, delimiter: config.delimiter, options: options)
            var missing = 0
            for u in 0..<b.users.count where known.lookup(b.users.key(u)) == nil { missing += 1 }
            b.summary.notes.append("\(users): \(known.count) users")
            if missing > 0 { b.summary.warnings.append("\(missing) users of the events are not in \(users)") }
        }
        return try b.finish(source: path)
    }

    static func delimiterName(_ d: UInt8) -> String {
        switch d {
        case UInt8(ascii: ","): return "comma"
        case 0x09: return "tab"
        case UInt8(ascii: ";"): return "semicolon"
        default: return "\"\(Unicode.Scalar(d))\""
        }
    }

    /// The header record; an empty file or a header that is not UTF-8 is an error.
    static func readHeader(_ r: CSVReader) throws -> [String] {
        let ok: Bool
        do { ok = try r.next() } catch let e as CSVRowError { throw ImportError("\(e.description) (in the header)") }
        guard ok else { throw ImportError("\(r.path): the file is empty (a header line is expected)") }
        var header: [String] = []
        for i in 0..<r.fieldCount {
            guard let s = r.string(i) else {
                throw ImportError("\(r.path):\(r.line): the header's field \(i + 1) is not valid UTF-8: \"\(r.displayValue(i))\"")
            }
            header.append(s.trimmingCharacters(in: .whitespaces))
        }
        return header
    }

    /// Reads the event rows of `r` (header already read) into `b`, in blocks of 1,024 rows.
    static func readEvents(_ r: CSVReader, header: [String], mapping m: ColumnMapping, into b: EventBuilder) throws {
        let width = header.count
        let path = r.path
        let userCol = header[m.user], itemCol = header[m.item], timeCol = header[m.time]
        var block = EventBuilder.Block()
        let blockSize = 1024
        while true {
            do {
                guard try r.next() else { break }
            } catch let e as CSVRowError {
                b.row()
                try b.bad("broken quoting", e.description)
                continue
            }
            b.row()
            guard r.fieldCount == width else {
                try b.bad("wrong field count", "\(path):\(r.line): expected \(width) fields (as in the header), found \(r.fieldCount)")
                continue
            }
            guard let time = TimeParsing.parse(r.field(m.time)) else {
                try b.bad("unparsable time", "\(path):\(r.line): column \(timeCol): cannot read \"\(r.displayValue(m.time))\" as a time (unix seconds, unix milliseconds or ISO-8601)")
                continue
            }
            var value: Float?
            if let vc = m.value {
                guard let v = NumberParsing.float(r.field(vc)) else {
                    try b.bad("unparsable value", "\(path):\(r.line): column \(header[vc]): cannot read \"\(r.displayValue(vc))\" as a number")
                    continue
                }
                value = v
            }
            var type: UInt8?
            if let tc = m.type {
                guard let t = try b.typeCode(r.field(tc), location: "\(path):\(r.line)", column: header[tc]) else { continue }
                type = t
            }
            let u = r.field(m.user), i = r.field(m.item)
            if EventBuilder.check(u) != .ok || EventBuilder.check(i) != .ok {
                guard try b.checkID(u, location: "\(path):\(r.line)", column: userCol),
                      try b.checkID(i, location: "\(path):\(r.line)", column: itemCol) else { continue }
            }
            block.users.append(u)
            block.items.append(i)
            block.times.append(time)
            if let type { block.types.append(type) }
            if let value { block.values.append(value) }
            if block.count == blockSize { b.add(block: &block) }
        }
        b.add(block: &block)
    }

    /// Reads an item file: the id column (named `idColumn`, or detected like an event file's item
    /// column), every other column a text field.
    public static func readItemFile(_ path: String, idColumn: String?, delimiter: UInt8?, options: ImportOptions,
                                    latin1: Bool = false) throws -> (Catalogue, String) {
        let r = try CSVReader(path: path, delimiter: delimiter)
        let header = try readHeader(r)
        let id: Int
        if let idColumn, let i = header.firstIndex(of: idColumn) {
            id = i
        } else if let i = ColumnMapping.detect(ColumnMapping.itemNames, in: header) {
            id = i
        } else {
            throw ImportError("\(path): missing item column: none of \(header.joined(separator: ", ")) is a known item column name (\(ColumnMapping.itemNames.joined(separator: ", "))); name it with --item-col")
        }
        let fieldCols = header.indices.filter { $0 != id }
        let names = fieldCols.map { Catalogue.objectName(header[$0]) }
        if let clash = names.first(where: { $0 == "id" }) {
            throw ImportError("\(path): the column \"\(clash)\" would become /items/id, which holds the item ids; rename it")
        }
        var c = Catalogue(fieldNames: names)
        let b = EventBuilder(options: options, hasType: false, hasValue: false)  // for bad-row accounting only
        while true {
            do {
                guard try r.next() else { break }
            } catch let e as CSVRowError {
                try b.bad("item file: broken quoting", e.description)
                continue
            }
            guard r.fieldCount == header.count else {
                try b.bad("item file: wrong field count", "\(path):\(r.line): expected \(header.count) fields (as in the header), found \(r.fieldCount)")
                continue
            }
            guard let key = r.string(id), !key.isEmpty else {
                if r.string(id) == nil {
                    try b.bad("item file: invalid UTF-8", "\(path):\(r.line): column \(header[id]): invalid UTF-8 in \"\(r.displayValue(id))\"")
                } else {
                    try b.bad("item file: empty id", "\(path):\(r.line): column \(header[id]) is empty")
                }
                continue
            }
            var values: [String] = []
            var bad = false
            for k in fieldCols {
                if latin1 { values.append(r.latin1String(k)); continue }
                guard let s = r.string(k) else {
                    try b.bad("item file: invalid UTF-8", "\(path):\(r.line): column \(header[k]): invalid UTF-8 in \"\(r.displayValue(k))\"")
                    bad = true
                    break
                }
                values.append(s)
            }
            if bad { continue }
            c.add(id: key, fields: values)
        }
        return (c, "\(path): \(c.count) items, fields \(names.isEmpty ? "none" : names.joined(separator: ", "))")
    }

    /// The ids of a user file (its user column, named or detected).
    static func readUserFile(_ path: String, idColumn: String?, delimiter: UInt8?, options: ImportOptions) throws -> IDTable {
        let r = try CSVReader(path: path, delimiter: delimiter)
        let header = try readHeader(r)
        guard let id = idColumn.flatMap({ header.firstIndex(of: $0) }) ?? ColumnMapping.detect(ColumnMapping.userNames, in: header) else {
            throw ImportError("\(path): missing user column: none of \(header.joined(separator: ", ")) is a known user column name (\(ColumnMapping.userNames.joined(separator: ", "))); name it with --user-col")
        }
        var t = IDTable()
        while try r.next() {
            if id < r.fieldCount { r.withField(id) { _ = t.intern($0) } }
        }
        return t
    }
}

/// Numbers in fields.
public enum NumberParsing {
    /// A decimal number (integer, fraction, exponent), surrounding spaces allowed; nil otherwise.
    public static func float(_ bytes: UnsafeBufferPointer<UInt8>) -> Float? {
        double(bytes).map { Float($0) }
    }

    public static func double(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        // Fast path: [-]digits[.digits]
        var i = 0, n = bytes.count
        while i < n, bytes[i] == 0x20 { i += 1 }
        while n > i, bytes[n - 1] == 0x20 { n -= 1 }
        guard i < n else { return nil }
        var neg = false
        if bytes[i] == UInt8(ascii: "-") { neg = true; i += 1 }
        var v: Double = 0, digits = 0, scale: Double = 1, frac = false
        var j = i
        while j < n {
            let c = bytes[j]
            if c &- 48 < 10 {
                v = v * 10 + Double(c - 48); digits += 1
                if frac { scale *= 10 }
            } else if c == UInt8(ascii: ".") && !frac {
                frac = true
            } else { break }
            j += 1
        }
        if j == n && digits > 0 && digits <= 15 { return (neg ? -v : v) / scale }
        guard let d = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[0..<bytes.count]), as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)), d.isFinite else { return nil }
        return d
    }
}

import Foundation
