/// A ProfileBench dataset (HDF5 format version 1) in memory: events, items, users.
///
/// Ids are dense: users `0..<userIDs.count`, items `0..<itemIDs.count`; the original ids are
/// kept as strings. Event arrays are parallel and in file order.
public struct Dataset: Sendable {
    public var eventUser: [UInt32]
    public var eventItem: [UInt32]
    public var eventTime: [Int64]
    /// Event type codes indexing `typeNames`, or nil when the dataset has no types.
    public var eventType: [UInt8]?
    public var typeNames: [String]
    /// Event values (rating, quantity), or nil.
    public var eventValue: [Float]?
    public var itemIDs: [String]
    public var userIDs: [String]
    /// Text fields of items, in a fixed order (title, category, …), each `itemIDs.count` long.
    public var itemFields: [(name: String, values: [String])]
    /// Evaluation cases the dataset brings with it, by split name (`test`, `valid`, …): the
    /// `/cases/<split>` groups; empty when the file has none.
    public var cases: [String: EvaluationCases]

    public init(eventUser: [UInt32], eventItem: [UInt32], eventTime: [Int64], eventType: [UInt8]? = nil,
                typeNames: [String] = [], eventValue: [Float]? = nil, itemIDs: [String], userIDs: [String],
                itemFields: [(name: String, values: [String])] = [], cases: [String: EvaluationCases] = [:]) {
        self.eventUser = eventUser
        self.eventItem = eventItem
        self.eventTime = eventTime
        self.eventType = eventType
        self.typeNames = typeNames
        self.eventValue = eventValue
        self.itemIDs = itemIDs
        self.userIDs = userIDs
        self.itemFields = itemFields
        self.cases = cases
    }

    public var eventCount: Int { eventUser.count }
    public var userCount: Int { userIDs.count }
    public var itemCount: Int { itemIDs.count }

    /// The values of item field `name`, or nil.
    public func field(_ name: String) -> [String]? { itemFields.first(where: { $0.name == name })?.values }
}

/// Explicit evaluation cases a dataset brings with it (one benchmark split: test, valid, …).
///
/// Case `c` asks: given user `user[c]`'s history `historyItem[history(of: c)]` (with the times
/// `historyTime[history(of: c)]`, oldest first), rank the items; `target[c]` is the one relevant
/// item. This is how generative- and sequential-recommendation benchmarks publish their splits
/// (one row per case), so results can be compared with the published tables case for case.
/// Stored as `/cases/<split>/{user, history_offsets, history_item, history_time, target}`
/// (docs/dataset-format.md); the histories are one flat array cut by the offsets (CSR).
public struct EvaluationCases: Sendable, Equatable {
    /// `[C]` dense user id of each case.
    public var user: [UInt32]
    /// `[C+1]`: case `c`'s history is `historyOffsets[c]..<historyOffsets[c+1]`;
    /// `historyOffsets[0] == 0`, nondecreasing, the last equals `historyItem.count`.
    public var historyOffsets: [UInt64]
    /// Dense item ids of every history, back to back.
    public var historyItem: [UInt32]
    /// Times (unix seconds, or positions where the source has no times) of `historyItem`, same length.
    public var historyTime: [Int64]
    /// `[C]` the one target item of each case.
    public var target: [UInt32]

    public init(user: [UInt32], historyOffsets: [UInt64], historyItem: [UInt32], historyTime: [Int64], target: [UInt32]) {
        self.user = user
        self.historyOffsets = historyOffsets
        self.historyItem = historyItem
        self.historyTime = historyTime
        self.target = target
    }

    /// No case.
    public static let empty = EvaluationCases(user: [], historyOffsets: [0], historyItem: [], historyTime: [], target: [])

    /// Number of cases.
    public var count: Int { target.count }

    /// The indices into `historyItem` and `historyTime` of case `c`'s history.
    public func history(of c: Int) -> Range<Int> { Int(historyOffsets[c])..<Int(historyOffsets[c + 1]) }

    /// Appends a case (history oldest first).
    public mutating func append(user u: UInt32, history items: [UInt32], times: [Int64], target t: UInt32) {
        precondition(items.count == times.count, "a case's history items and times differ in length")
        user.append(u)
        historyItem.append(contentsOf: items)
        historyTime.append(contentsOf: times)
        historyOffsets.append(UInt64(historyItem.count))
        target.append(t)
    }
}

/// Attributes stored with `/embeddings/<name>`.
public struct EmbeddingAttributes: Sendable, Equatable {
    public var encoder: String
    public var dim: Int
    public var layers: Int
    public var normalized: Bool
    public var weightsSHA256: String
    public var textTemplate: String

    public init(encoder: String, dim: Int, layers: Int, normalized: Bool, weightsSHA256: String, textTemplate: String) {
        self.encoder = encoder
        self.dim = dim
        self.layers = layers
        self.normalized = normalized
        self.weightsSHA256 = weightsSHA256
        self.textTemplate = textTemplate
    }
}

/// An item embedding table: row `i` is the vector of item `i`, row-major `[rows × dim]`.
public struct EmbeddingTable: Sendable {
    public var name: String
    public var rows: Int
    public var dim: Int
    public var values: [Float]
    public var attributes: EmbeddingAttributes

    public init(name: String, rows: Int, dim: Int, values: [Float], attributes: EmbeddingAttributes) {
        precondition(values.count == rows * dim, "embedding table \(name): \(values.count) values for \(rows) × \(dim)")
        self.name = name
        self.rows = rows
        self.dim = dim
        self.values = values
        self.attributes = attributes
    }

    /// Number of rows whose entries are all zero (they score 0 against everything).
    public var zeroRows: Int {
        var n = 0
        values.withUnsafeBufferPointer { v in
            for r in 0..<rows {
                var allZero = true
                for j in 0..<dim where v[r * dim + j] != 0 { allZero = false; break }
                if allZero { n += 1 }
            }
        }
        return n
    }
}
