import Datasets
import Foundation
import JSON
import TextFiles

/// `import sequences --split NAME=FILE… --items ITEMS`: the case files that generative- and
/// sequential-recommendation benchmarks publish (MiniOneRec's `train.csv`, `valid.csv`,
/// `test.csv`, …), with their item metadata.
///
/// A split file is CSV with a header and one row per case: `user_id`, `history_item_id` (a
/// Python or JSON list of integer item ids, oldest first) and `item_id` (the target); other
/// columns (`history_item_title`, `item_title`, semantic ids) are ignored. ITEMS is one JSON
/// object keyed by the item id as a string, each value an object with `title`, `description`,
/// `brand`, `categories`. Item ids are kept: dense id = the given integer, so the keys must be
/// `0…N-1`. Either file may be gzip-compressed.
///
/// Output: `/cases/<split>` holds each file's rows in file order; the events hold each user's
/// sequence once, rebuilt from the cases (see `UserSequence`); the files carry no times, so an
/// event's time is its position in the user's sequence (0, 1, 2, … seconds), and a history
/// item's time is the same position. docs/import.md describes the rules.
public enum SequencesImporter {
    public struct Split: Sendable, Equatable {
        public var name: String
        public var path: String
        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    static let userColumn = "user_id", historyColumn = "history_item_id", targetColumn = "item_id"

    public static func run(splits: [Split], items: String, options: ImportOptions) throws -> ImportResult {
        guard !splits.isEmpty else { throw ImportError("no split given (name one with --split test=FILE)") }
        var seen = Set<String>()
        for s in splits {
            guard DatasetIO.isValidSplitName(s.name) else {
                throw ImportError("\"\(s.name)\" cannot name a split (a split name is a non-empty name without '/', e.g. test)")
            }
            guard seen.insert(s.name).inserted else { throw ImportError("split \"\(s.name)\" is given twice") }
        }
        let catalogue = try readItems(items)
        let itemCount = catalogue.count
        let b = EventBuilder(options: options, hasType: false, hasValue: false)
        b.summary.notes.append("\(items): \(itemCount) items, fields \(catalogue.fields.map(\.name).joined(separator: ", "))")

        var users = IDTable()
        var sequences: [UserSequence] = []
        var cases: [String: EvaluationCases] = [:]
        var origins: [String: [Int]] = [:]  // per case: where its history starts, see UserSequence.place
        for split in splits {
            var c = EvaluationCases.empty
            var o: [Int] = []
            let note = try readSplit(split, itemCount: itemCount, itemsPath: items, builder: b) { user, history, target, loc in
                let known = users.lookup(user)
                var sequence = known.map { sequences[Int($0)] } ?? UserSequence()
                guard let origin = sequence.place(history: history, target: target) else {
                    try b.bad("inconsistent history", "\(loc): user \(ByteText.display(user)): history \(show(history)) with target \(target) does not continue the user's earlier cases (the latest at \(sequence.lastCase)), whose sequence is \(show(sequence.items)); a case's history must be the items of the user's sequence just before its target (docs/import.md)")
                    return
                }
                sequence.lastCase = loc
                let u: UInt32
                if let known { u = known; sequences[Int(u)] = sequence } else {
                    u = users.intern(user).id
                    sequences.append(sequence)
                }
                c.append(user: u, history: history, times: [Int64](repeating: 0, count: history.count), target: target)
                o.append(origin)
            }
            b.summary.notes.append(note + ": \(c.count) cases")
            if c.count == 0 { b.summary.warnings.append("split \(split.name) (\(split.path)) has no case") }
            cases[split.name] = c
            origins[split.name] = o
        }
        guard users.count > 0 else {
            let dropped = b.summary.dropped.map { "\($0.count) \($0.reason)" }.joined(separator: ", ")
            throw ImportError("\(splits.map(\.path).joined(separator: ", ")): nothing to import: no case was read\(dropped.isEmpty ? "" : " (dropped: \(dropped))")")
        }

        // History times: positions in the user's final sequence (items may have been put in front).
        for (name, o) in origins {
            var c = cases[name]!
            for k in 0..<c.count {
                let shift = sequences[Int(c.user[k])].shift
                let range = c.history(of: k)
                for (j, h) in range.enumerated() { c.historyTime[h] = Int64(o[k] + shift + j) }
            }
            cases[name] = c
        }
        // Events: each user's sequence, without a last target that no history has shown.
        var eventUser: [UInt32] = [], eventItem: [UInt32] = [], eventTime: [Int64] = []
        for (u, s) in sequences.enumerated() {
            let n = s.items.count - (s.lastCovered ? 0 : 1)
            for p in 0..<n {
                eventUser.append(UInt32(u))
                eventItem.append(s.items[p])
                eventTime.append(Int64(p))
            }
        }
        let dataset = Dataset(eventUser: eventUser, eventItem: eventItem, eventTime: eventTime,
                              itemIDs: (0..<itemCount).map(String.init), userIDs: (0..<users.count).map { users.key($0) },
                              itemFields: catalogue.fields, cases: cases)
        var s = b.summary
        s.users = users.count; s.items = itemCount; s.events = eventUser.count; s.rows = b.rows
        s.notes.append("events: each user's sequence rebuilt from the cases, time = position (no times in the files)")
        return ImportResult(dataset: dataset, summary: s)
    }

    /// A list of ids for a message: up to 12, the rest elided at the front.
    static func show(_ ids: [UInt32]) -> String {
        let tail = ids.suffix(12).map(String.init).joined(separator: ", ")
        return ids.count > 12 ? "[…, \(tail)] (\(ids.count) items)" : "[\(tail)]"
    }

    /// Reads the rows of one split file, checking each, and hands the good ones to `accept`
    /// (user id bytes, history, target, "file:line"). Returns a note for the summary.
    static func readSplit(_ split: Split, itemCount: Int, itemsPath: String, builder b: EventBuilder,
                          accept: (UnsafeBufferPointer<UInt8>, [UInt32], UInt32, String) throws -> Void) throws -> String {
        let path = split.path
        let r = try CSVReader(path: path)
        let header = try CSVImporter.readHeader(r)
        func column(_ name: String) throws -> Int {
            guard let k = header.firstIndex(of: name) else {
                throw ImportError("\(path): missing column \(name): the header has \(header.joined(separator: ", ")) (a sequences file has user_id, history_item_id and item_id)")
            }
            return k
        }
        let uc = try column(userColumn), hc = try column(historyColumn), tc = try column(targetColumn)
        let ignored = header.filter { ![userColumn, historyColumn, targetColumn].contains($0) }
        let last = itemCount - 1
        while true {
            do { guard try r.next() else { break } } catch let e as CSVRowError {
                b.row()
                try b.bad("broken quoting", e.description)
                continue
            }
            b.row()
            let loc = "\(path):\(r.line)"
            guard r.fieldCount == header.count else {
                try b.bad("wrong field count", "\(loc): expected \(header.count) fields (as in the header), found \(r.fieldCount)")
                continue
            }
            guard try r.withField(uc, { try b.checkID($0, location: loc, column: userColumn) }) else { continue }

            let parsed: LooseValue
            do { parsed = try r.withField(hc) { try JSONParser.parseLoose($0, python: true) } } catch let e as JSONSyntaxError {
                try b.bad("unparsable history", "\(loc): column \(historyColumn): cannot read \"\(clip(r.displayValue(hc)))\" as a list of item ids: \(e.withinLine)")
                continue
            }
            guard case .array(let elements) = parsed else {
                try b.bad("unparsable history", "\(loc): column \(historyColumn): \"\(clip(r.displayValue(hc)))\" is \(JSONLImporter.kind(parsed)), expected a list of item ids such as [3, 17]")
                continue
            }
            guard !elements.isEmpty else {
                try b.bad("empty history", "\(loc): column \(historyColumn) is an empty list (a case needs a history)")
                continue
            }
            var history: [UInt32] = []
            history.reserveCapacity(elements.count)
            var bad = false
            for (j, e) in elements.enumerated() {
                guard case .number(let text) = e, let id = UInt32(text) else {
                    let shown = e.scalarText.map { "\"\($0)\"" } ?? JSONLImporter.kind(e)
                    try b.bad("unparsable history", "\(loc): column \(historyColumn): element \(j + 1) (\(shown)) is not an item id (a non-negative integer)")
                    bad = true
                    break
                }
                guard Int(id) < itemCount else {
                    try b.bad("unknown item", "\(loc): column \(historyColumn): item \(id) is not in \(itemsPath) (its ids are 0…\(last))")
                    bad = true
                    break
                }
                history.append(id)
            }
            if bad { continue }
            let targetText = r.displayValue(tc)
            guard let target = UInt32(targetText.trimmingCharacters(in: .whitespaces)) else {
                try b.bad("unparsable item id", "\(loc): column \(targetColumn): cannot read \"\(clip(targetText))\" as an item id (a non-negative integer)")
                continue
            }
            guard Int(target) < itemCount else {
                try b.bad("unknown item", "\(loc): column \(targetColumn): item \(target) is not in \(itemsPath) (its ids are 0…\(last))")
                continue
            }
            try r.withField(uc) { try accept($0, history, target, loc) }
        }
        return "\(path): split \(split.name), columns user=\(userColumn) history=\(historyColumn) target=\(targetColumn)"
            + (ignored.isEmpty ? "" : " (ignored: \(ignored.joined(separator: ", ")))")
    }

    static func clip(_ s: String) -> String { s.count > 80 ? String(s.prefix(80)) + "…" : s }

    // MARK: - Items

    /// The item metadata: `count` items (dense id = the key) and their text fields.
    struct Items {
        var count: Int
        var fields: [(name: String, values: [String])]
    }

    /// Reads ITEMS: one JSON object keyed by item id ("0" … "N-1"); each value an object whose
    /// fields become text: `title`, `description`, `brand`, `categories` (as `/items/category`),
    /// then any other field by its name.
    static func readItems(_ path: String) throws -> Items {
        let bytes = try ByteStream.readAll(path: path)
        let value: LooseValue
        do { value = try bytes.withUnsafeBufferPointer { try JSONParser.parseLoose($0, end: "the end of the file") } } catch let e as JSONSyntaxError {
            throw ImportError("\(path):\(e.line): invalid JSON: \(e.withinLine)")
        }
        guard case .object(let members) = value else {
            throw ImportError("\(path): expected one JSON object keyed by item id ({\"0\": {\"title\": …}, …}), found \(JSONLImporter.kind(value))")
        }
        guard !members.isEmpty else { throw ImportError("\(path): the object holds no item") }
        let n = members.count
        var member = [Int](repeating: -1, count: n)  // dense id → index in `members`
        var beyond: [Int] = []
        for (m, (key, _)) in members.enumerated() {
            guard let id = Int(key), id >= 0, String(id) == key else {
                throw ImportError("\(path): key \"\(key)\" is not an item id (a non-negative integer without leading zeros, as in the case files)")
            }
            if id >= n { beyond.append(id); continue }
            guard member[id] < 0 else { throw ImportError("\(path): item \"\(key)\" is given twice") }
            member[id] = m
        }
        if let missing = member.firstIndex(of: -1) {
            throw ImportError("\(path): the item ids must be 0…\(n - 1) (they are the dense item ids), but \(missing) is missing\(beyond.isEmpty ? "" : " and \(beyond.max()!) is beyond the range")")
        }
        var names = ["title", "description", "brand", "category"]
        var columns = [[String]](repeating: [String](repeating: "", count: n), count: names.count)
        for id in 0..<n {
            let (key, v) = members[member[id]]
            guard case .object(let fields) = v else {
                throw ImportError("\(path): item \"\(key)\" is \(JSONLImporter.kind(v)), expected an object with title, description, brand, categories")
            }
            for (k, fv) in fields {
                let name = k == "categories" ? "category" : Catalogue.objectName(k)
                let col: Int
                if let c = names.firstIndex(of: name) { col = c } else {
                    names.append(name)
                    columns.append([String](repeating: "", count: n))
                    col = names.count - 1
                }
                columns[col][id] = itemText(fv, field: name)
            }
        }
        return Items(count: n, fields: Array(zip(names, columns)).map { (name: $0.0, values: $0.1) })
    }

    /// A metadata value as text. Lists (and strings holding a Python list literal, as the
    /// published descriptions are: "['First paragraph.', 'Second.']") are joined: a description
    /// with a space, categories as a path with " > " (several paths with " | "); other fields
    /// as `LooseValue.text()`.
    static func itemText(_ v: LooseValue, field: String) -> String {
        guard field == "description" || field == "category" else { return v.text() }
        var value = v
        if case .string(let s) = v, s.hasPrefix("["), s.hasSuffix("]"),
           let list = try? JSONParser.parseLoose(s, python: true), case .array = list { value = list }
        guard case .array(let elements) = value else { return value.text() }
        if field == "description" { return value.text(separator: " ") }
        let paths = elements.map { e -> String in
            if case .array = e { return e.text(separator: " > ") }
            return e.text()
        }.filter { !$0.isEmpty }
        let nested = elements.contains { if case .array = $0 { return true }; return false }
        return paths.joined(separator: nested ? " | " : " > ")
    }
}

/// One user's item sequence, rebuilt from the user's cases.
///
/// Benchmarks publish a case per target: the items before it (often only the last few: a
/// window) and the target. A user's cases are taken in the order of the splits given, then of
/// the rows, and each one must fit the sequence built so far: its history is a run of the
/// sequence that ends just before its target. `place` finds where, trying in turn:
/// 1. the history is the sequence's end: the case continues it, the target is appended;
/// 2. the history overlaps the sequence's end and runs past it (an intermediate case is not in
///    the files): the new items, then the target, are appended;
/// 3. the history and target lie inside the sequence (an earlier case, e.g. a `valid` split given
///    after `test`): nothing changes;
/// 4. the history starts before the sequence (an earlier case whose window reaches further
///    back): its first items are put in front.
/// A case that fits none of these breaks the sequence (a bad row). Only the last item can be a
/// target that no history has shown (`lastCovered == false`); it is not an event.
struct UserSequence {
    var items: [UInt32] = []
    /// False when the last item is a target no history contains (the held-out item).
    var lastCovered = true
    /// Items put in front of the sequence so far (case 4), so positions can be made final.
    var shift = 0
    /// "file:line" of the user's latest accepted case, for messages.
    var lastCase = ""

    /// Places the case; returns where its history starts, as a position in the final sequence
    /// minus the final `shift` (so position = result + shift + j), or nil when it does not fit.
    mutating func place(history h: [UInt32], target t: UInt32) -> Int? {
        let n = items.count, l = h.count
        func matches(_ start: Int, _ js: Range<Int>) -> Bool {
            for j in js where items[start + j] != h[j] { return false }
            return true
        }
        // 1. The history is the end of the sequence.
        if l <= n && matches(n - l, 0..<l) {
            items.append(t)
            lastCovered = false
            return n - l - shift
        }
        // 2. It overlaps the end (by at least one item) and runs past it; the longest overlap wins.
        if n == 0 {
            items = h + [t]
            lastCovered = false
            return -shift
        }
        for s in max(0, n - l + 1)..<n where matches(s, 0..<(n - s)) {
            items.append(contentsOf: h[(n - s)...])
            items.append(t)
            lastCovered = false
            return s - shift
        }
        // 3. History and target inside the sequence; the latest position wins.
        if n > l {
            for k in stride(from: n - 1, through: l, by: -1) where items[k] == t && matches(k - l, 0..<l) { return k - l - shift }
        }
        // 4. The history starts before the sequence and its end is the sequence's beginning.
        if n >= 2 && l >= 2 {
            for k in stride(from: min(n - 1, l - 1), through: 1, by: -1) where items[k] == t {
                var fits = true
                for p in 0..<k where items[p] != h[l - k + p] { fits = false; break }
                guard fits else { continue }
                items.insert(contentsOf: h[0..<(l - k)], at: 0)
                shift += l - k
                return -shift
            }
        }
        return nil
    }
}
