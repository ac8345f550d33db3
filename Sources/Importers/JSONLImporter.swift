import JSON
import TextFiles
/// `import jsonl EVENTS [--items ITEMS]`: one JSON object per line, fields mapped by name as in
/// `csv` (explicit, or detected from the first object's keys). Ids may be strings or numbers
/// (numbers keep their text); times are numbers or strings in any form `TimeParsing` reads.
public enum JSONLImporter {
    public static func run(events: String, items: String?, columns: ColumnMapping.Names, options: ImportOptions) throws -> ImportResult {
        var catalogue: Catalogue?
        var notes: [String] = []
        if let items {
            let c = try readItems(items, idField: columns.item, options: options)
            catalogue = c
            notes.append("\(items): \(c.count) items, fields \(c.fieldNames.isEmpty ? "none" : c.fieldNames.joined(separator: ", "))")
        }
        let r = try LineReader(path: events)
        var mapping: (user: String, item: String, time: String, type: String?, value: String?)?
        var builder: EventBuilder?
        var sawLine = false
        var early: [String] = []  // bad lines before the first object (skipped with --skip-bad-rows)
        while try r.next({ bytes in
            sawLine = true
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let loc = "\(events):\(r.line)"
            guard let object = try parseObject(bytes, location: loc, bad: { reason, message in
                if let builder { builder.row(); try builder.bad(reason, message) } else {
                    guard options.skipBadRows else { throw ImportError(message) }
                    early.append(reason)
                }
            }) else { return }
            if mapping == nil {
                let keys = object.map(\.0)
                let m = try ColumnMapping.resolve(header: keys, names: columns, file: events, what: "field")
                mapping = (keys[m.user], keys[m.item], keys[m.time], m.type.map { keys[$0] }, m.value.map { keys[$0] })
                let b = EventBuilder(options: options, hasType: m.type != nil, hasValue: m.value != nil)
                b.catalogue = catalogue
                b.summary.notes = ["\(events): fields \(m.describe(keys))"] + notes
                for reason in early { b.row(); b.drop(reason) }
                builder = b
            }
            let b = builder!, m = mapping!
            b.row()
            func field(_ name: String) -> LooseValue? { object.first { $0.0 == name }?.1 }
            var texts: [String] = []
            for name in [m.user, m.item, m.time] {
                guard let v = field(name) else {
                    try b.bad("missing field", "\(loc): field \"\(name)\" is missing"); return
                }
                guard let t = v.scalarText else {
                    try b.bad("wrong field type", "\(loc): field \"\(name)\" is \(kind(v)), expected a string or a number"); return
                }
                texts.append(t)
            }
            guard let time = TimeParsing.parse(texts[2]) else {
                try b.bad("unparsable time", "\(loc): field \"\(m.time)\": cannot read \"\(texts[2])\" as a time (unix seconds, unix milliseconds or ISO-8601)")
                return
            }
            var value: Float?
            if let vf = m.value {
                guard let t = field(vf)?.scalarText, let v = Double(t.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    let shown = field(vf).map { $0.scalarText ?? kind($0) } ?? "nothing (the field is missing)"
                    try b.bad("unparsable value", "\(loc): field \"\(vf)\": cannot read \"\(shown)\" as a number")
                    return
                }
                value = Float(v)
            }
            var type: UInt8?
            if let tf = m.type {
                guard let t = field(tf)?.scalarText else {
                    try b.bad("missing field", "\(loc): field \"\(tf)\" is missing"); return
                }
                var tt = t
                guard let code = try tt.withUTF8({ try b.typeCode($0, location: loc, column: tf) }) else { return }
                type = code
            }
            for (k, name) in [m.user, m.item].enumerated() where texts[k].isEmpty {
                try b.bad("empty id", "\(loc): field \"\(name)\" is empty"); return
            }
            var u = texts[0], i = texts[1]
            u.withUTF8 { ub in i.withUTF8 { ib in _ = b.add(user: ub, item: ib, time: time, type: type, value: value) } }
        }) {}
        guard sawLine, let b = builder else { throw ImportError("\(events): the file is empty (one JSON object per line is expected)") }
        return try b.finish(source: events)
    }

    static func kind(_ v: LooseValue) -> String {
        switch v {
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        case .bool: return "a boolean"
        case .string: return "a string"
        case .number: return "a number"
        }
    }

    /// Parses a line as an object; a bad line is reported (and nil returned when skipped).
    /// Before the first object no builder exists, so a bad first line is always an error.
    static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>, location: String, python: Bool = false,
                            bad: (String, String) throws -> Void) throws -> [(String, LooseValue)]? {
        guard ByteText.isValidUTF8(bytes) else {
            try bad("invalid UTF-8", "\(location): invalid UTF-8 in \"\(ByteText.display(bytes))\"")
            return nil
        }
        let v: LooseValue
        do { v = try JSONParser.parseLoose(bytes, python: python) } catch let e as JSONSyntaxError {
            try bad("invalid JSON", "\(location): invalid JSON: \(e.withinLine)")
            return nil
        }
        guard case .object(let o) = v else {
            try bad("invalid JSON", "\(location): expected a JSON object, found \(kind(v))")
            return nil
        }
        return o
    }

    /// Reads a JSON-lines item file: the id field (named or detected) and every other field as text.
    static func readItems(_ path: String, idField: String?, options: ImportOptions) throws -> Catalogue {
        let r = try LineReader(path: path)
        var c = Catalogue(fieldNames: [])
        let b = EventBuilder(options: options, hasType: false, hasValue: false)
        var id: String?
        while try r.next({ bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let loc = "\(path):\(r.line)"
            guard let o = try parseObject(bytes, location: loc, bad: { try b.bad("item file: \($0)", $1) }) else { return }
            if id == nil {
                let keys = o.map(\.0)
                if let idField, keys.contains(idField) { id = idField } else if let k = ColumnMapping.detect(ColumnMapping.itemNames, in: keys) {
                    id = keys[k]
                } else {
                    throw ImportError("\(path): missing item field: none of \(keys.joined(separator: ", ")) is a known item field name; name it with --item-col")
                }
            }
            guard let key = o.first(where: { $0.0 == id })?.1.scalarText, !key.isEmpty else {
                try b.bad("item file: missing field", "\(loc): field \"\(id!)\" is missing or empty"); return
            }
            let before = c.count
            c.add(id: key, fields: Array(repeating: "", count: c.fieldNames.count))
            guard c.count > before else { return }
            for (k, v) in o where k != id { c.set(Catalogue.objectName(k), row: c.count - 1, v.text()) }
        }) {}
        return c
    }
}

import Foundation
