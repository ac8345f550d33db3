import Foundation
import TextFiles

/// `import recbole PATH…`: RecBole atomic files (https://recbole.io/docs/user_guide/data/atomic_files.html).
///
/// Tab-separated, one header line of `name:type` fields, type one of `token`, `token_seq`,
/// `float`, `float_seq`. `.inter` holds the events (user, item and time columns found by name
/// as in `csv`, e.g. `user_id:token`, `item_id:token`, `timestamp:float`; a `rating` column
/// becomes the value and the event type `rating`); every non-id field of `.item` becomes
/// `/items/<name>` with the text as stored (sequences keep their space-separated form).
/// `.user` is read for its ids only (the dataset format has no user fields).
public enum RecBoleImporter {
    public static let types: Set<String> = ["token", "token_seq", "float", "float_seq"]

    /// The `.inter`, `.item` and `.user` files among `inputs` (files or folders).
    public static func locate(_ inputs: [String]) throws -> (inter: String, item: String?, user: String?) {
        var inter: [String] = [], item: [String] = [], user: [String] = []
        let fm = FileManager.default
        for input in inputs {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDir) else { throw ImportError("\(input): no such file or folder") }
            let files = isDir.boolValue
                ? try fm.contentsOfDirectory(atPath: input).sorted().map { (input as NSString).appendingPathComponent($0) }
                : [input]
            for f in files {
                let name = (f as NSString).lastPathComponent.replacingOccurrences(of: ".gz", with: "")
                if name.hasSuffix(".inter") { inter.append(f) } else if name.hasSuffix(".item") { item.append(f) }
                else if name.hasSuffix(".user") { user.append(f) }
                else if !isDir.boolValue { throw ImportError("\(f): not a RecBole atomic file (expected a name ending in .inter, .item or .user)") }
            }
        }
        let where_ = inputs.joined(separator: ", ")
        guard inter.count == 1 else {
            throw ImportError(inter.isEmpty ? "\(where_): no .inter file (RecBole atomic files: NAME.inter, NAME.item, NAME.user)"
                                            : "\(where_): \(inter.count) .inter files (\(inter.joined(separator: ", "))); give one")
        }
        guard item.count <= 1, user.count <= 1 else { throw ImportError("\(where_): more than one .item or .user file; give the files one by one") }
        return (inter[0], item.first, user.first)
    }

    /// Splits the typed header: names without their `:type`; a field without a known type is an error.
    static func typedHeader(_ r: CSVReader) throws -> (names: [String], types: [String]) {
        let raw = try CSVImporter.readHeader(r)
        var names: [String] = [], kinds: [String] = []
        for (k, field) in raw.enumerated() {
            guard let colon = field.lastIndex(of: ":"), types.contains(String(field[field.index(after: colon)...])) else {
                throw ImportError("\(r.path):\(r.line): header field \(k + 1) \"\(field)\" is not name:type with type token, token_seq, float or float_seq")
            }
            names.append(String(field[..<colon]))
            kinds.append(String(field[field.index(after: colon)...]))
        }
        return (names, kinds)
    }

    public static func run(_ inputs: [String], columns: ColumnMapping.Names, options: ImportOptions) throws -> ImportResult {
        let files = try locate(inputs)
        var catalogue: Catalogue?
        var notes: [String] = []
        if let itemPath = files.item {
            let r = try CSVReader(path: itemPath, delimiter: 0x09)
            let (names, _) = try typedHeader(r)
            guard let id = columns.item.flatMap({ names.firstIndex(of: $0) }) ?? ColumnMapping.detect(ColumnMapping.itemNames, in: names) else {
                throw ImportError("\(itemPath): missing item column: none of \(names.joined(separator: ", ")) is a known item column name; name it with --item-col")
            }
            let fieldCols = names.indices.filter { $0 != id }
            var c = Catalogue(fieldNames: fieldCols.map { Catalogue.objectName(names[$0]) })
            let b = EventBuilder(options: options, hasType: false, hasValue: false)
            while true {
                do { guard try r.next() else { break } } catch let e as CSVRowError {
                    try b.bad("item file: broken quoting", e.description); continue
                }
                // RecBole (pandas) reads a short row with empty trailing fields.
                guard r.fieldCount <= names.count, r.fieldCount > id else {
                    try b.bad("item file: wrong field count", "\(itemPath):\(r.line): expected \(names.count) fields (as in the header), found \(r.fieldCount)")
                    continue
                }
                var values: [String] = []
                var ok = true
                for k in [id] + fieldCols {
                    if k >= r.fieldCount { values.append(""); continue }
                    guard let s = r.string(k) else {
                        try b.bad("item file: invalid UTF-8", "\(itemPath):\(r.line): column \(names[k]): invalid UTF-8 in \"\(r.displayValue(k))\"")
                        ok = false
                        break
                    }
                    values.append(s)
                }
                guard ok else { continue }
                guard !values[0].isEmpty else {
                    try b.bad("item file: empty id", "\(itemPath):\(r.line): column \(names[id]) is empty"); continue
                }
                c.add(id: values[0], fields: Array(values.dropFirst()))
            }
            catalogue = c
            notes.append("\(itemPath): \(c.count) items, fields \(c.fieldNames.joined(separator: ", "))")
        }
        let r = try CSVReader(path: files.inter, delimiter: 0x09)
        let (names, _) = try typedHeader(r)
        let m = try ColumnMapping.resolve(header: names, names: columns, file: files.inter)
        notes.insert("\(files.inter): columns \(m.describe(names))", at: 0)
        let ratingType = m.type == nil && m.value != nil
        let b = EventBuilder(options: options, hasType: m.type != nil || ratingType, hasValue: m.value != nil,
                             typeNames: ratingType ? ["rating"] : nil)
        b.catalogue = catalogue
        b.summary.notes = notes
        if let u = files.user { b.summary.notes.append("\(u): not used (the dataset format has no user fields)") }
        try CSVImporter.readEvents(r, header: names, mapping: m, into: b)
        return try b.finish(source: files.inter)
    }
}
