import Foundation
import TextFiles
import JSON

/// A variant under a protocol: the unit that is compared.
public struct VariantKey: Hashable, Sendable, CustomStringConvertible {
    public var protocolID: String
    public var id: String
    public init(protocolID: String, id: String) {
        self.protocolID = protocolID
        self.id = id
    }
    public var description: String { protocolID.isEmpty ? id : "\(protocolID) \(id)" }
}

/// The unit a per-user row is about: a user, or under a `cases` protocol one evaluation case of
/// a user (`case` is the case's row in its split; "" for a plain user row).
public struct ResultUnit: Sendable, Equatable {
    public var user: String
    public var `case`: String
    public init(user: String, case c: String = "") {
        self.user = user
        self.case = c
    }
    /// What comparisons pair on: the user id, or `user:case` (the form a TREC run's query id
    /// takes under the `cases` protocol).
    public var key: String { self.case.isEmpty ? user : "\(user):\(self.case)" }
}

/// One CSV file of a results folder being read: its records, with errors that name the file,
/// the line and the column.
struct CSVFile {
    let file: String
    let header: [String]
    let rows: [[String]]

    init(_ file: String) throws {
        guard FileManager.default.fileExists(atPath: file) else { throw ResultsError("\(file): no such file") }
        let reader: CSVReader
        var records: [[String]] = []
        do {
            reader = try CSVReader(path: file, delimiter: UInt8(ascii: ","))
            while try reader.next() {
                let r = reader.record()
                if let header = records.first, r.count != header.count {
                    throw ResultsError("\(file): line \(reader.line) has \(r.count) fields, expected \(header.count)")
                }
                records.append(r)
            }
        } catch let e as CSVRowError {
            throw ResultsError(e.description)
        } catch let e as TextFileError {
            throw ResultsError(e.description)
        }
        guard let header = records.first else { throw ResultsError("\(file): empty, expected a header line") }
        self.file = file
        self.header = header
        rows = Array(records.dropFirst())
    }

    func fail(_ line: Int, _ column: Int, _ expected: String) -> ResultsError {
        ResultsError("\(file): line \(line + 2), \(header[column]): expected \(expected), found \"\(rows[line][column])\"")
    }
    /// A metric value: a number, or `null` (NaN).
    func value(_ line: Int, _ column: Int) throws -> Double {
        let s = rows[line][column]
        if s == "null" { return .nan }
        guard let d = Double(s) else { throw fail(line, column, "a number or null") }
        return d
    }
    func int(_ line: Int, _ column: Int) throws -> Int {
        guard let i = Int(rows[line][column]) else { throw fail(line, column, "an integer") }
        return i
    }
    func double(_ line: Int, _ column: Int, optional: Bool = false) throws -> Double? {
        let s = rows[line][column]
        if optional && s.isEmpty { return nil }
        guard let d = Double(s) else { throw fail(line, column, "a number") }
        return d
    }
}

/// A metric value as the CSV files write it (`null` for NaN).
func csvNumber(_ d: Double) -> String { JSONWriter.format(d) }

/// per_user.csv: per (protocol, variant), each unit's metric values (coverage left out).
public struct PerUserTable: Sendable {
    /// One variant's rows, units in file order (ascending by dense id).
    public struct Rows: Sendable {
        public var units: [ResultUnit]
        /// Row-major: `values[i * metrics.count + j]` is unit i's metric j.
        public var values: [Double]
        public init(units: [ResultUnit] = [], values: [Double] = []) {
            self.units = units
            self.values = values
        }
    }

    public var metrics: [String]
    /// Whether the file has a protocol column (the spec has several protocols) and a case
    /// column (one of them ranks evaluation cases).
    public var hasProtocolColumn: Bool
    public var hasCaseColumn: Bool
    /// Variants in file order.
    public var order: [VariantKey]
    public var rows: [VariantKey: Rows]

    public init(metrics: [String], hasProtocolColumn: Bool, hasCaseColumn: Bool, order: [VariantKey] = [], rows: [VariantKey: Rows] = [:]) {
        self.metrics = metrics
        self.hasProtocolColumn = hasProtocolColumn
        self.hasCaseColumn = hasCaseColumn
        self.order = order
        self.rows = rows
    }

    /// Appends a variant's rows.
    public mutating func append(_ key: VariantKey, _ r: Rows) {
        if rows[key] == nil { order.append(key) }
        rows[key] = r
    }

    /// A variant's (unit key, value) pairs of one metric in file order; nil when either is absent.
    public func column(_ key: VariantKey, metric: String) -> [(user: String, value: Double)]? {
        guard let j = metrics.firstIndex(of: metric), let r = rows[key] else { return nil }
        let m = metrics.count
        return r.units.enumerated().map { i, u in (u.key, r.values[i * m + j]) }
    }

    /// The same as a lookup by unit key.
    public func values(_ key: VariantKey, metric: String) -> [String: Double]? {
        guard let c = column(key, metric: metric) else { return nil }
        var out: [String: Double] = [:]
        for (u, v) in c { out[u] = v }
        return out
    }

    var header: String {
        (hasProtocolColumn ? "protocol," : "") + "variant,user" + (hasCaseColumn ? ",case" : "") + ","
            + metrics.map(CSVWriter.field).joined(separator: ",")
    }

    /// `[protocol,]variant,user[,case],<metric>…`.
    public var csv: String {
        var out = header + "\n"
        let m = metrics.count
        for key in order {
            guard let r = rows[key] else { continue }
            let prefix = (hasProtocolColumn ? CSVWriter.field(key.protocolID) + "," : "") + CSVWriter.field(key.id) + ","
            for (i, u) in r.units.enumerated() {
                out += prefix + CSVWriter.field(u.user) + (hasCaseColumn ? "," + u.case : "")
                for j in 0..<m { out += "," + csvNumber(r.values[i * m + j]) }
                out += "\n"
            }
        }
        return out
    }

    /// Reads `[protocol,]variant,user[,case],<metric>…`; without a protocol column every row
    /// belongs to `singleProtocol`.
    public static func load(_ file: String, singleProtocol: String?) throws -> PerUserTable {
        let f = try CSVFile(file)
        let hasProtocol = f.header.first == "protocol"
        let userColumn = hasProtocol ? 2 : 1
        guard f.header.count > userColumn, f.header[userColumn - 1] == "variant", f.header[userColumn] == "user" else {
            throw ResultsError("\(file): header must start with [protocol,]variant,user (got \(f.header.prefix(3).joined(separator: ",")))")
        }
        let hasCase = f.header.count > userColumn + 1 && f.header[userColumn + 1] == "case"
        let fixed = userColumn + (hasCase ? 2 : 1)
        if !hasProtocol && singleProtocol == nil {
            throw ResultsError("\(file): has no protocol column but metrics.json lists several protocols")
        }
        var table = PerUserTable(metrics: Array(f.header.dropFirst(fixed)), hasProtocolColumn: hasProtocol, hasCaseColumn: hasCase)
        for (n, r) in f.rows.enumerated() {
            let key = VariantKey(protocolID: hasProtocol ? r[0] : singleProtocol!, id: r[userColumn - 1])
            if table.rows[key] == nil { table.order.append(key); table.rows[key] = Rows() }
            table.rows[key]!.units.append(ResultUnit(user: r[userColumn], case: hasCase ? r[userColumn + 1] : ""))
            for j in fixed..<r.count { table.rows[key]!.values.append(try f.value(n, j)) }
        }
        return table
    }
}

/// Per-unit facts that segment a comparison (docs/statistics.md, "Segments"): how much history
/// built the profile and how far the ranked items lie from it. The runner computes them per
/// dense user id (`UserCovariate`); segments.csv holds them per results unit (`SegmentCovariate`).
public struct Covariate<Unit: Sendable>: Sendable {
    public var unit: Unit
    /// Events that built the initial (static) profile.
    public var historyEvents: Int
    /// 1 − cos(h, t): h the mean of the user's history event vectors, t the mean of the vectors
    /// of every event in the user's ranked periods; in [0, 2]. NaN when either mean is the zero
    /// vector (the cosine is undefined).
    public var drift: Double
    public init(unit: Unit, historyEvents: Int, drift: Double) {
        self.unit = unit
        self.historyEvents = historyEvents
        self.drift = drift
    }
}

extension Covariate: Equatable where Unit: Equatable {}

/// One row of segments.csv: a unit's history length and drift under a protocol.
public typealias SegmentCovariate = Covariate<ResultUnit>

extension Covariate where Unit == ResultUnit {
    /// The unit key comparisons pair on.
    public var user: String { unit.key }
}

/// segments.csv: per protocol (spec order), each scored unit's covariates.
public struct SegmentTable: Sendable {
    public var hasCaseColumn: Bool
    public var protocols: [(protocolID: String, units: [SegmentCovariate])]
    public init(hasCaseColumn: Bool, protocols: [(protocolID: String, units: [SegmentCovariate])] = []) {
        self.hasCaseColumn = hasCaseColumn
        self.protocols = protocols
    }
    public subscript(protocolID: String) -> [SegmentCovariate]? { protocols.first { $0.protocolID == protocolID }?.units }
    public var isEmpty: Bool { protocols.allSatisfy { $0.units.isEmpty } }

    /// `protocol,user[,case],history_events,drift`.
    public var csv: String {
        var out = "protocol,user" + (hasCaseColumn ? ",case" : "") + ",history_events,drift\n"
        for (p, units) in protocols {
            let prefix = CSVWriter.field(p) + ","
            for c in units {
                out += prefix + CSVWriter.field(c.unit.user) + (hasCaseColumn ? "," + c.unit.case : "") + ",\(c.historyEvents)," + csvNumber(c.drift) + "\n"
            }
        }
        return out
    }

    static func load(_ file: String) throws -> SegmentTable {
        let f = try CSVFile(file)
        let hasCase = f.header == ["protocol", "user", "case", "history_events", "drift"]
        guard f.header == ["protocol", "user", "history_events", "drift"] || hasCase else {
            throw ResultsError("\(file): header must be protocol,user[,case],history_events,drift (got \(f.header.joined(separator: ",")))")
        }
        let o = hasCase ? 1 : 0
        var table = SegmentTable(hasCaseColumn: hasCase)
        for (n, r) in f.rows.enumerated() {
            let c = SegmentCovariate(unit: ResultUnit(user: r[1], case: hasCase ? r[2] : ""), historyEvents: try f.int(n, 2 + o),
                                     drift: try f.value(n, 3 + o))
            if table.protocols.last?.protocolID == r[0] { table.protocols[table.protocols.count - 1].units.append(c) }
            else { table.protocols.append((r[0], [c])) }
        }
        return table
    }
}

/// pre_period.csv: per (protocol, encoder, reduction), each unit's pre-period metric values
/// (CUPED's covariate).
public struct PrePeriodTable: Sendable {
    public struct Group: Sendable {
        public var protocolID: String
        public var encoder: String
        public var reduction: String
        public var units: [ResultUnit]
        /// Row-major, `metrics.count` per unit.
        public var values: [Double]
        public init(protocolID: String, encoder: String, reduction: String, units: [ResultUnit], values: [Double]) {
            self.protocolID = protocolID; self.encoder = encoder; self.reduction = reduction; self.units = units; self.values = values
        }
    }
    public var metrics: [String]
    public var hasCaseColumn: Bool
    public var groups: [Group]
    public init(metrics: [String], hasCaseColumn: Bool, groups: [Group] = []) {
        self.metrics = metrics
        self.hasCaseColumn = hasCaseColumn
        self.groups = groups
    }

    /// The pre-period values of `metric` for the units of `protocolID` under `encoder` and `reduction`.
    public func values(protocolID: String, encoder: String, reduction: String, metric: String) -> [String: Double]? {
        guard let j = metrics.firstIndex(of: metric),
              let g = groups.first(where: { $0.protocolID == protocolID && $0.encoder == encoder && $0.reduction == reduction }) else { return nil }
        var out: [String: Double] = [:]
        for (i, u) in g.units.enumerated() { out[u.key] = g.values[i * metrics.count + j] }
        return out
    }

    /// `protocol,encoder,reduction,user[,case],<metric>…`.
    public var csv: String {
        var out = "protocol,encoder,reduction,user" + (hasCaseColumn ? ",case" : "") + "," + metrics.map(CSVWriter.field).joined(separator: ",") + "\n"
        let m = metrics.count
        for g in groups {
            let prefix = [g.protocolID, g.encoder, g.reduction].map(CSVWriter.field).joined(separator: ",") + ","
            for (i, u) in g.units.enumerated() {
                out += prefix + CSVWriter.field(u.user) + (hasCaseColumn ? "," + u.case : "") + ","
                out += (0..<m).map { csvNumber(g.values[i * m + $0]) }.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func load(_ file: String) throws -> PrePeriodTable {
        let f = try CSVFile(file)
        guard Array(f.header.prefix(4)) == ["protocol", "encoder", "reduction", "user"] else {
            throw ResultsError("\(file): header must start with protocol,encoder,reduction,user")
        }
        let hasCase = f.header.count > 4 && f.header[4] == "case"
        let fixed = hasCase ? 5 : 4
        var table = PrePeriodTable(metrics: Array(f.header.dropFirst(fixed)), hasCaseColumn: hasCase)
        for (n, r) in f.rows.enumerated() {
            if let g = table.groups.last, g.protocolID == r[0], g.encoder == r[1], g.reduction == r[2] {} else {
                table.groups.append(Group(protocolID: r[0], encoder: r[1], reduction: r[2], units: [], values: []))
            }
            table.groups[table.groups.count - 1].units.append(ResultUnit(user: r[3], case: hasCase ? r[4] : ""))
            for j in fixed..<r.count { table.groups[table.groups.count - 1].values.append(try f.value(n, j)) }
        }
        return table
    }
}

/// One row of per_step.csv: a prequential variant's metric means at its users' j-th step.
public struct PerStepRow: Sendable {
    public var protocolID: String
    public var variant: String
    public var step: Int
    public var lists: Int
    public var values: [(metric: String, value: Double)]
    public init(protocolID: String, variant: String, step: Int, lists: Int, values: [(metric: String, value: Double)]) {
        self.protocolID = protocolID; self.variant = variant; self.step = step; self.lists = lists; self.values = values
    }

    /// `protocol,variant,step,lists,<metric>…` (`metrics` names the columns when there are no rows).
    static func csv(_ rows: [PerStepRow], metrics: [String]) -> String {
        var out = "protocol,variant,step,lists," + metrics.map(CSVWriter.field).joined(separator: ",") + "\n"
        for r in rows {
            out += CSVWriter.field(r.protocolID) + "," + CSVWriter.field(r.variant) + ",\(r.step),\(r.lists),"
            out += r.values.map { csvNumber($0.value) }.joined(separator: ",") + "\n"
        }
        return out
    }

    static func load(_ file: String) throws -> (metrics: [String], rows: [PerStepRow]) {
        let f = try CSVFile(file)
        guard Array(f.header.prefix(4)) == ["protocol", "variant", "step", "lists"] else {
            throw ResultsError("\(file): header must start with protocol,variant,step,lists")
        }
        let metrics = Array(f.header.dropFirst(4))
        let rows = try f.rows.enumerated().map { n, r in
            PerStepRow(protocolID: r[0], variant: r[1], step: try f.int(n, 2), lists: try f.int(n, 3),
                       values: try metrics.enumerated().map { j, m in (m, try f.value(n, 4 + j)) })
        }
        return (metrics, rows)
    }
}

/// One row of training.csv: a learned variant's epoch (docs/results.md). The wall-clock
/// columns are not reproducible; the losses are.
public struct TrainingEpoch: Sendable, Equatable {
    public var protocolID: String
    public var variant: String
    public var epoch: Int
    public var trainLoss: Double
    /// nil without a validation slice.
    public var validationLoss: Double?
    public var validationHitRate: Double?
    public var best: Bool
    public var examples: Int
    public var events: Int
    public var seconds: Double
    public var examplesPerSecond: Double
    public var eventsPerSecond: Double

    public init(protocolID: String, variant: String, epoch: Int, trainLoss: Double, validationLoss: Double?, validationHitRate: Double?,
                best: Bool, examples: Int, events: Int, seconds: Double, examplesPerSecond: Double, eventsPerSecond: Double) {
        self.protocolID = protocolID; self.variant = variant; self.epoch = epoch; self.trainLoss = trainLoss
        self.validationLoss = validationLoss; self.validationHitRate = validationHitRate; self.best = best; self.examples = examples
        self.events = events; self.seconds = seconds; self.examplesPerSecond = examplesPerSecond; self.eventsPerSecond = eventsPerSecond
    }

    static let header = ["protocol", "variant", "epoch", "train_loss", "validation_loss", "validation_hit@10", "best",
                         "examples", "events", "seconds", "examples_per_second", "events_per_second"]

    static func csv(_ rows: [TrainingEpoch]) -> String {
        var s = header.joined(separator: ",") + "\n"
        for e in rows {
            let fields = [CSVWriter.field(e.protocolID), CSVWriter.field(e.variant), "\(e.epoch)", "\(e.trainLoss)",
                          e.validationLoss.map { "\($0)" } ?? "", e.validationHitRate.map { "\($0)" } ?? "",
                          e.best ? "1" : "0", "\(e.examples)", "\(e.events)", "\(e.seconds)", "\(e.examplesPerSecond)", "\(e.eventsPerSecond)"]
            s += fields.joined(separator: ",") + "\n"
        }
        return s
    }

    public static func load(_ file: String) throws -> [TrainingEpoch] {
        let f = try CSVFile(file)
        guard f.header == header else { throw ResultsError("\(file): header must be \(header.joined(separator: ","))") }
        return try f.rows.enumerated().map { n, r in
            guard r[6] == "0" || r[6] == "1" else { throw f.fail(n, 6, "0 or 1") }
            return TrainingEpoch(protocolID: r[0], variant: r[1], epoch: try f.int(n, 2), trainLoss: try f.double(n, 3)!,
                                 validationLoss: try f.double(n, 4, optional: true), validationHitRate: try f.double(n, 5, optional: true),
                                 best: r[6] == "1", examples: try f.int(n, 7), events: try f.int(n, 8), seconds: try f.double(n, 9)!,
                                 examplesPerSecond: try f.double(n, 10)!, eventsPerSecond: try f.double(n, 11)!)
        }
    }
}

/// Time and memory of one variant, as the runner measured it (timings.json; kept out of
/// metrics.json, which is deterministic).
public struct VariantTimings: Sendable {
    public var updateMicrosecondsPerEvent: Double
    public var scoringMillisecondsPerList: Double
    public var profileSeconds: Double
    public var scoringSeconds: Double
    public var lists: Int
    public var peakMemoryBytes: Int
    /// Learned strategies only: the wall time of training.
    public var trainingSeconds: Double?

    /// What the runner measured, with the per-event and per-list costs derived from it (0 when
    /// there was nothing to divide by).
    public static func measured(profileSeconds: Double, scoringSeconds: Double, absorbedEvents: Int, lists: Int,
                                peakMemoryBytes: Int) -> VariantTimings {
        VariantTimings(updateMicrosecondsPerEvent: absorbedEvents > 0 ? profileSeconds * 1e6 / Double(absorbedEvents) : 0,
                       scoringMillisecondsPerList: lists == 0 ? 0 : scoringSeconds * 1e3 / Double(lists),
                       profileSeconds: profileSeconds, scoringSeconds: scoringSeconds, lists: lists, peakMemoryBytes: peakMemoryBytes)
    }

    /// The seven numbers a cell record keeps (training time 0 when there is none).
    public var record: [Double] {
        [updateMicrosecondsPerEvent, scoringMillisecondsPerList, profileSeconds, scoringSeconds, Double(lists),
         Double(peakMemoryBytes), trainingSeconds ?? 0]
    }
}

extension VariantTimings {
    /// Timings from a cell record's seven numbers; nil when there are not seven. (An extension,
    /// so that the struct keeps its memberwise initialiser.)
    public init?(record t: [Double]) {
        guard t.count == 7 else { return nil }
        self.init(updateMicrosecondsPerEvent: t[0], scoringMillisecondsPerList: t[1], profileSeconds: t[2], scoringSeconds: t[3],
                  lists: Int(t[4]), peakMemoryBytes: Int(t[5]), trainingSeconds: t[6])
    }
}

/// timings.json: wall time, and per variant the update and scoring cost (not reproducible).
public struct Timings: Sendable {
    public struct Variant: Sendable {
        public var id: String
        public var protocolID: String
        public var measured: VariantTimings
        public init(id: String, protocolID: String, measured: VariantTimings) {
            self.id = id
            self.protocolID = protocolID
            self.measured = measured
        }
    }
    public var wallSeconds: Double
    public var variants: [Variant]
    public init(wallSeconds: Double, variants: [Variant]) {
        self.wallSeconds = wallSeconds
        self.variants = variants
    }

    public var json: JSONValue {
        .object([
            ("wall_seconds", .double(wallSeconds)),
            ("variants", .array(variants.map { v in
                let t = v.measured
                return .object([
                    ("id", .string(v.id)), ("protocol", .string(v.protocolID)),
                    ("update_us_per_event", .double(t.updateMicrosecondsPerEvent)), ("scoring_ms_per_user", .double(t.scoringMillisecondsPerList)),
                    ("profile_seconds", .double(t.profileSeconds)), ("scoring_seconds", .double(t.scoringSeconds)),
                    ("lists", .int(t.lists)), ("peak_memory_bytes", .int(t.peakMemoryBytes)),
                ] + (t.trainingSeconds.map { [("training_seconds", .double($0))] } ?? []))
            })),
        ])
    }

    static func load(_ file: String) throws -> Timings {
        let f = try JSONFields(file: file, try JSONValue.read(results: file))
        return Timings(wallSeconds: try f.double("wall_seconds"), variants: try f.objects("variants").map { v in
            Variant(id: try v.string("id"), protocolID: try v.string("protocol"), measured: VariantTimings(
                updateMicrosecondsPerEvent: try v.double("update_us_per_event"), scoringMillisecondsPerList: try v.double("scoring_ms_per_user"),
                profileSeconds: try v.double("profile_seconds"), scoringSeconds: try v.double("scoring_seconds"), lists: try v.int("lists"),
                peakMemoryBytes: try v.int("peak_memory_bytes"), trainingSeconds: try v.optional("training_seconds", v.double)))
        })
    }
}
