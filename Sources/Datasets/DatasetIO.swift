import AtomicIO
import Foundation
import HDF5Kit

/// A dataset that cannot be used, naming the file and the object inside it.
public struct DatasetError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let object: String
    public let message: String
    public init(file: String, object: String = "", message: String) {
        self.file = file
        self.object = object
        self.message = message
    }
    public var description: String { object.isEmpty ? "\(file): \(message)" : "\(file): \(object) \(message)" }
}

/// Reads and writes the HDF5 layout of format version 1 (docs/dataset-format.md).
public enum DatasetIO {
    public static let formatName = "profilebench"
    public static let formatVersion: Int64 = 1

    /// Opens `path` read-only after checking that it exists and is HDF5.
    public static func open(_ path: String) throws -> HDF5File {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw DatasetError(file: path, message: "no such file (create one with `profilebench synth` or `profilebench import`)")
        }
        if isDir.boolValue { throw DatasetError(file: path, message: "is a folder, expected an HDF5 dataset file") }
        guard HDF5File.isHDF5(path: path) else {
            throw DatasetError(file: path, message: "is not an HDF5 file")
        }
        return try HDF5File(path: path, mode: .readOnly)
    }

    /// Reads and validates everything but the embeddings.
    public static func read(_ path: String) throws -> Dataset {
        let f = try open(path)
        return try read(f)
    }

    static func read(_ f: HDF5File) throws -> Dataset {
        let path = f.path
        let format = try f.attribute("format", of: "/")?.stringValue
        guard format == formatName else {
            throw DatasetError(file: path, object: "/", message: "has no attribute format = \"profilebench\"\(format.map { " (found \"\($0)\")" } ?? ""): not a ProfileBench dataset")
        }
        let version = try f.attribute("format_version", of: "/")?.intValue
        guard version == formatVersion else {
            throw DatasetError(file: path, object: "/", message: "has format_version \(version.map(String.init) ?? "missing"), expected 1")
        }
        let itemIDs = try strings(f, "/items/id")
        let userIDs = try strings(f, "/users/id")
        let user = try integers(f, "/events/user")
        let n = user.count
        let item = try integers(f, "/events/item", count: n)
        let time = try integers(f, "/events/time", count: n)
        if n == 0 { throw DatasetError(file: path, object: "/events", message: "holds no events: the dataset is empty") }
        var eventUser = [UInt32](repeating: 0, count: n), eventItem = [UInt32](repeating: 0, count: n)
        for i in 0..<n {
            guard user[i] >= 0, user[i] < Int64(userIDs.count) else {
                throw DatasetError(file: path, object: "/events/user", message: "has id \(user[i]) at row \(i), outside 0..<\(userIDs.count) (the length of /users/id)")
            }
            guard item[i] >= 0, item[i] < Int64(itemIDs.count) else {
                throw DatasetError(file: path, object: "/events/item", message: "has id \(item[i]) at row \(i), outside 0..<\(itemIDs.count) (the length of /items/id)")
            }
            eventUser[i] = UInt32(user[i]); eventItem[i] = UInt32(item[i])
        }
        var eventType: [UInt8]?
        var typeNames: [String] = []
        if f.exists("/events/type") {
            let codes = try integers(f, "/events/type", count: n)
            guard let names = try f.attribute("names", of: "/events/type")?.stringsValue else {
                throw DatasetError(file: path, object: "/events/type", message: "has no `names` attribute (the event type names, e.g. view, cart, purchase)")
            }
            typeNames = names
            var t = [UInt8](repeating: 0, count: n)
            for i in 0..<n {
                guard codes[i] >= 0, codes[i] < Int64(names.count), codes[i] < 256 else {
                    throw DatasetError(file: path, object: "/events/type", message: "has code \(codes[i]) at row \(i), but `names` lists \(names.count) types")
                }
                t[i] = UInt8(codes[i])
            }
            eventType = t
        }
        var eventValue: [Float]?
        if f.exists("/events/value") {
            let info = try f.info("/events/value")
            guard info.shape == [n], info.typeClass == .float || info.typeClass == .integer else {
                throw DatasetError(file: path, object: "/events/value", message: "has shape \(info.shape) of \(info.typeClass.rawValue), expected [\(n)] numbers")
            }
            eventValue = try f.read("/events/value", as: Float.self).values
        }
        var fields: [(name: String, values: [String])] = []
        for name in try f.members(of: "/items") where name != "id" {
            let values = try strings(f, "/items/\(name)")
            guard values.count == itemIDs.count else {
                throw DatasetError(file: path, object: "/items/\(name)", message: "has \(values.count) rows, expected \(itemIDs.count) (the length of /items/id)")
            }
            fields.append((name, values))
        }
        var cases: [String: EvaluationCases] = [:]
        for split in try f.members(of: "/cases") {
            cases[split] = try readCases(f, split: split, users: userIDs.count, items: itemIDs.count)
        }
        return Dataset(eventUser: eventUser, eventItem: eventItem, eventTime: time, eventType: eventType, typeNames: typeNames,
                       eventValue: eventValue, itemIDs: itemIDs, userIDs: userIDs, itemFields: fields, cases: cases)
    }

    /// True when `name` can name a split: a non-empty HDF5 link name (no `/`, not `.` or `..`).
    public static func isValidSplitName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/")
    }

    /// Reads and validates `/cases/<split>`: shapes, history offsets (0 first, nondecreasing,
    /// the last equal to the length of the histories), user ids `< users`, item ids `< items`.
    static func readCases(_ f: HDF5File, split: String, users: Int, items: Int) throws -> EvaluationCases {
        let g = "/cases/\(split)"
        let path = f.path
        func column(_ name: String, count: Int?, of what: String) throws -> [Int64] {
            try integers(f, "\(g)/\(name)", count: count, lengthOf: what)
        }
        let user = try column("user", count: nil, of: "")
        let c = user.count
        let target = try column("target", count: c, of: "\(g)/user")
        let offsets = try column("history_offsets", count: c + 1, of: "\(g)/user, plus one")
        guard offsets[0] == 0 else {
            throw DatasetError(file: path, object: "\(g)/history_offsets[0]", message: "= \(offsets[0]), expected 0")
        }
        for k in 1..<offsets.count where offsets[k] < offsets[k - 1] {
            throw DatasetError(file: path, object: "\(g)/history_offsets[\(k)]", message: "= \(offsets[k]) is below history_offsets[\(k - 1)] = \(offsets[k - 1])")
        }
        let historyItem = try column("history_item", count: nil, of: "")
        let h = historyItem.count
        guard offsets[c] == Int64(h) else {
            throw DatasetError(file: path, object: "\(g)/history_offsets[\(c)]", message: "= \(offsets[c]), expected \(h) (the length of \(g)/history_item)")
        }
        let historyTime = try column("history_time", count: h, of: "\(g)/history_item")
        func ids(_ values: [Int64], _ name: String, below bound: Int, _ what: String) throws -> [UInt32] {
            var out = [UInt32](repeating: 0, count: values.count)
            for (k, v) in values.enumerated() {
                guard v >= 0, v < Int64(bound) else {
                    throw DatasetError(file: path, object: "\(g)/\(name)[\(k)]", message: "= \(v) is outside 0..<\(bound) (the length of \(what))")
                }
                out[k] = UInt32(v)
            }
            return out
        }
        return EvaluationCases(user: try ids(user, "user", below: users, "/users/id"),
                               historyOffsets: offsets.map { UInt64($0) },
                               historyItem: try ids(historyItem, "history_item", below: items, "/items/id"),
                               historyTime: historyTime,
                               target: try ids(target, "target", below: items, "/items/id"))
    }

    /// Names of the embedding tables the file holds.
    public static func embeddingNames(_ path: String) throws -> [String] {
        let f = try open(path)
        return try f.members(of: "/embeddings")
    }

    /// Shape of `/embeddings/<name>` without reading it, or nil if absent.
    public static func embeddingShape(_ path: String, name: String) throws -> [Int]? {
        let f = try open(path)
        guard f.exists("/embeddings/\(name)") else { return nil }
        return try f.info("/embeddings/\(name)").shape
    }

    /// Reads and validates every table under `/embeddings`, in name order, with the same
    /// `readEmbeddings` that `run` uses, handing each to `body` before reading the next (so at
    /// most one table is in memory). The first invalid table throws its `DatasetError`.
    public static func forEachEmbeddingTable(_ path: String, itemIDs: [String], _ body: (EmbeddingTable) throws -> Void) throws {
        let f = try open(path)
        for name in try f.members(of: "/embeddings") {
            try body(try readEmbeddings(f, name: name, itemIDs: itemIDs))
        }
    }

    /// Reads and validates `/embeddings/<name>`: a float matrix `[items × d]` of finite values.
    public static func readEmbeddings(_ path: String, name: String, itemIDs: [String]) throws -> EmbeddingTable {
        try readEmbeddings(try open(path), name: name, itemIDs: itemIDs)
    }

    /// The dimension `d` of `/embeddings/<name>`, after the element type and shape checks of
    /// `readEmbeddings` but without reading the values; nil if the table is absent.
    public static func embeddingDimension(_ path: String, name: String, itemIDs: [String]) throws -> Int? {
        let f = try open(path)
        guard f.exists("/embeddings/\(name)") else { return nil }
        return try embeddingLayout(f, name: name, itemIDs: itemIDs).dim
    }

    /// Checks that `/embeddings/<name>` exists and is a `[items × d]` matrix of numbers.
    static func embeddingLayout(_ f: HDF5File, name: String, itemIDs: [String]) throws -> (rows: Int, dim: Int) {
        let path = f.path
        let object = "/embeddings/\(name)"
        guard f.exists(object) else {
            throw DatasetError(file: path, object: object, message: "does not exist")
        }
        let info = try f.info(object)
        guard info.typeClass == .float || info.typeClass == .integer else {
            throw DatasetError(file: path, object: object, message: "holds \(info.typeClass.rawValue) elements, expected float32")
        }
        guard info.shape.count == 2, info.shape[0] == itemIDs.count, info.shape[1] >= 1 else {
            throw DatasetError(file: path, object: object, message: "has shape \(info.shape), expected [\(itemIDs.count), d] (one row per item)")
        }
        return (info.shape[0], info.shape[1])
    }

    static func readEmbeddings(_ f: HDF5File, name: String, itemIDs: [String]) throws -> EmbeddingTable {
        let path = f.path
        let object = "/embeddings/\(name)"
        let (rows, dim) = try embeddingLayout(f, name: name, itemIDs: itemIDs)
        let (values, _) = try f.read(object, as: Float.self)
        for r in 0..<rows {
            for j in 0..<dim where !values[r * dim + j].isFinite {
                throw DatasetError(file: path, object: object, message: "row \(r) (item \(itemIDs[r])) has a non-finite value (\(values[r * dim + j])) in column \(j)")
            }
        }
        func attr(_ k: String) throws -> HDF5Attribute? { try f.attribute(k, of: object) }
        let attributes = EmbeddingAttributes(
            encoder: try attr("encoder")?.stringValue ?? name, dim: dim,
            layers: Int(try attr("layers")?.intValue ?? 0),
            normalized: (try attr("normalized")?.intValue ?? 0) != 0,
            weightsSHA256: try attr("weights_sha256")?.stringValue ?? "",
            textTemplate: try attr("text_template")?.stringValue ?? "")
        return EmbeddingTable(name: name, rows: rows, dim: dim, values: values, attributes: attributes)
    }

    /// Writes `dataset` (and `embeddings`) to `path` atomically.
    public static func write(_ dataset: Dataset, embeddings: [EmbeddingTable] = [], to path: String) throws {
        try AtomicIO.produceFile(at: path) { tmp in
            let f = try HDF5File(path: tmp, mode: .create)
            try f.setAttribute("format", .string(formatName), on: "/")
            try f.setAttribute("format_version", .int(formatVersion), on: "/")
            let storage = HDF5Storage(chunkRows: 65_536, deflateLevel: 4, shuffle: true)
            let n = dataset.eventCount
            try f.write("/events/user", dataset.eventUser, shape: [n], storage: storage)
            try f.write("/events/item", dataset.eventItem, shape: [n], storage: storage)
            try f.write("/events/time", dataset.eventTime, shape: [n], storage: storage)
            if let t = dataset.eventType {
                try f.write("/events/type", t, shape: [n], storage: storage)
                try f.setAttribute("names", .strings(dataset.typeNames), on: "/events/type")
            }
            if let v = dataset.eventValue { try f.write("/events/value", v, shape: [n], storage: storage) }
            let strStorage = HDF5Storage(chunkRows: 16_384, deflateLevel: 4, shuffle: false)
            try f.writeStrings("/items/id", dataset.itemIDs, storage: strStorage)
            for field in dataset.itemFields { try f.writeStrings("/items/\(field.name)", field.values, storage: strStorage) }
            try f.writeStrings("/users/id", dataset.userIDs, storage: strStorage)
            for split in dataset.cases.keys.sorted() {
                try writeCases(dataset.cases[split]!, split: split, into: f, storage: storage, file: path)
            }
            for e in embeddings { try writeEmbeddings(e, into: f) }
            try f.close()
        }
    }

    /// Adds (or replaces) `/embeddings/<table.name>` in the dataset at `path`. The file is
    /// copied, changed and renamed over the original, so an interruption leaves it intact.
    public static func storeEmbeddings(_ table: EmbeddingTable, in path: String) throws {
        _ = try open(path)
        try AtomicIO.produceFile(at: path) { tmp in
            try FileManager.default.copyItem(atPath: path, toPath: tmp)
            let f = try HDF5File(path: tmp, mode: .readWrite)
            if f.exists("/embeddings/\(table.name)") { try f.remove("/embeddings/\(table.name)") }
            try writeEmbeddings(table, into: f)
            try f.close()
        }
    }

    /// Writes `/cases/<split>`, chunked and compressed as the events are.
    static func writeCases(_ cases: EvaluationCases, split: String, into f: HDF5File, storage: HDF5Storage, file: String) throws {
        guard isValidSplitName(split) else {
            throw DatasetError(file: file, object: "/cases", message: "cannot hold a split named \"\(split)\" (a split name is a non-empty name without '/')")
        }
        let g = "/cases/\(split)"
        let c = cases.count, h = cases.historyItem.count
        precondition(cases.user.count == c && cases.historyOffsets.count == c + 1 && cases.historyTime.count == h
                     && cases.historyOffsets.first == 0 && cases.historyOffsets.last == UInt64(h),
                     "\(g): inconsistent EvaluationCases arrays")
        try f.createGroups(g)
        try f.write("\(g)/user", cases.user, shape: [c], storage: storage)
        try f.write("\(g)/history_offsets", cases.historyOffsets, shape: [c + 1], storage: storage)
        try f.write("\(g)/history_item", cases.historyItem, shape: [h], storage: storage)
        try f.write("\(g)/history_time", cases.historyTime, shape: [h], storage: storage)
        try f.write("\(g)/target", cases.target, shape: [c], storage: storage)
    }

    static func writeEmbeddings(_ e: EmbeddingTable, into f: HDF5File) throws {
        let object = "/embeddings/\(e.name)"
        try f.write(object, e.values, shape: [e.rows, e.dim],
                    storage: HDF5Storage(chunkRows: max(1, min(e.rows, 1 << 20 / max(e.dim, 1))), deflateLevel: 0, shuffle: false))
        let a = e.attributes
        try f.setAttribute("encoder", .string(a.encoder), on: object)
        try f.setAttribute("dim", .int(Int64(a.dim)), on: object)
        try f.setAttribute("layers", .int(Int64(a.layers)), on: object)
        try f.setAttribute("normalized", .int(a.normalized ? 1 : 0), on: object)
        try f.setAttribute("weights_sha256", .string(a.weightsSHA256), on: object)
        try f.setAttribute("text_template", .string(a.textTemplate), on: object)
    }

    // MARK: - Validated reads

    static func strings(_ f: HDF5File, _ object: String) throws -> [String] {
        guard f.exists(object) else { throw DatasetError(file: f.path, object: object, message: "is missing") }
        let info = try f.info(object)
        guard info.shape.count == 1, info.typeClass == .string else {
            throw DatasetError(file: f.path, object: object, message: "has shape \(info.shape) of \(info.typeClass.rawValue), expected a 1-D array of strings")
        }
        return try f.readStrings(object)
    }

    static func integers(_ f: HDF5File, _ object: String, count: Int? = nil, lengthOf: String = "/events/user") throws -> [Int64] {
        guard f.exists(object) else { throw DatasetError(file: f.path, object: object, message: "is missing") }
        let info = try f.info(object)
        guard info.typeClass == .integer else {
            throw DatasetError(file: f.path, object: object, message: "holds \(info.typeClass.rawValue) elements, expected integers")
        }
        guard info.shape.count == 1 else {
            throw DatasetError(file: f.path, object: object, message: "has shape \(info.shape), expected a 1-D array")
        }
        if let count, info.shape[0] != count {
            throw DatasetError(file: f.path, object: object, message: "has \(info.shape[0]) rows, expected \(count) (the length of \(lengthOf))")
        }
        if !info.isSigned && info.elementSize == 8 {
            let v = try f.read(object, as: UInt64.self).values
            if let bad = v.firstIndex(where: { $0 > UInt64(Int64.max) }) {
                throw DatasetError(file: f.path, object: object, message: "has value \(v[bad]) at row \(bad), out of range")
            }
            return v.map { Int64($0) }
        }
        return try f.read(object, as: Int64.self).values
    }
}

/// An encoder a spec names whose embedding table the dataset does not hold and that cannot be
/// computed (not a built-in encoder, or its weights are missing).
public struct EncoderUnavailable: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
