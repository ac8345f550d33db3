import Foundation
import JSON

/// A results folder read back from disk (docs/results.md): what `compare`, `check`,
/// `reproduce` and the HTML report work from, so they give the same answers on a folder
/// written today or committed a year ago.
public struct ResultsFolder: Sendable {
    /// One variant of metrics.json under one protocol.
    public struct VariantEntry: Sendable {
        public var protocolID: String
        public var id: String
        public var encoder: String
        /// The strategy part of the id (`decay(half_life_days=14)`) and its name (`decay`).
        public var strategyID: String
        public var strategyName: String
        public var reductionID: String
        /// Metric name → mean, in metrics.json order.
        public var means: [(metric: String, mean: Double)]
        /// Metric name → ci95, nil for coverage.
        public var intervals: [String: (lo: Double, hi: Double)]
        public var key: VariantKey { VariantKey(protocolID: protocolID, id: id) }
        /// An outside model's TREC run scored as a variant (`run/<name>/none`).
        public var isOutsideRun: Bool { encoder == "run" && strategyName == "run" }
        public func mean(_ metric: String) -> Double? { means.first(where: { $0.metric == metric })?.mean }
    }

    public let path: String
    public let manifest: JSONValue?
    public let metrics: JSONValue
    public let variants: [VariantEntry]
    /// Distinct protocol ids, in metrics.json order.
    public let protocols: [String]
    public let perUser: PerUserTable
    /// segments.csv, when the run wrote it (protocol → dense rows).
    public let segments: [String: [SegmentCovariate]]
    /// per_step.csv rows (prequential runs).
    public let perStep: [PerStepRow]
    /// pre_period.csv, when the run wrote it.
    public var prePeriod: PrePeriodTable? = nil
    /// training.csv: each learned variant's losses per epoch.
    public var training: [TrainingEpoch] = []

    /// The spec seed from the manifest (0 when there is no manifest).
    public var seed: UInt64 {
        if let s = manifest?["seed"]?.intValue { return UInt64(bitPattern: Int64(s)) }
        return 0
    }

    /// The spec's `compare` block from the manifest, if any.
    public var compareBlock: JSONValue? { manifest?["spec"]?["compare"] }

    public func variant(_ key: VariantKey) -> VariantEntry? { variants.first { $0.key == key } }

    /// Reads metrics.json, per_user.csv and, where present, manifest.json, segments.csv and
    /// per_step.csv of the folder `path`.
    public static func load(_ path: String) throws -> ResultsFolder {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
            throw ResultsError("\(path): no such results folder")
        }
        func url(_ name: String) -> String { URL(fileURLWithPath: path).appendingPathComponent(name).path }
        let metrics = try readJSON(url("metrics.json"))
        let manifest = FileManager.default.fileExists(atPath: url("manifest.json")) ? try readJSON(url("manifest.json")) : nil
        let variants = try parseVariants(metrics, file: url("metrics.json"))
        var protocols: [String] = []
        for v in variants where !protocols.contains(v.protocolID) { protocols.append(v.protocolID) }
        let perUser = try PerUserTable.load(url("per_user.csv"), singleProtocol: protocols.count == 1 ? protocols[0] : nil)
        let segments = FileManager.default.fileExists(atPath: url("segments.csv")) ? try SegmentCovariate.load(url("segments.csv")) : [:]
        let perStep = FileManager.default.fileExists(atPath: url("per_step.csv")) ? try PerStepRow.load(url("per_step.csv")) : []
        let prePeriod = FileManager.default.fileExists(atPath: url("pre_period.csv")) ? try PrePeriodTable.load(url("pre_period.csv")) : nil
        var folder = ResultsFolder(path: path, manifest: manifest, metrics: metrics, variants: variants, protocols: protocols,
                                   perUser: perUser, segments: segments, perStep: perStep, prePeriod: prePeriod)
        if FileManager.default.fileExists(atPath: url("training.csv")) { folder.training = try TrainingEpoch.load(url("training.csv")) }
        return folder
    }

    static func readJSON(_ file: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file) else { throw ResultsError("\(file): no such file") }
        do { return try JSONParser.parse(String(decoding: data, as: UTF8.self)) } catch {
            throw ResultsError("\(file): is not valid JSON: \(error)")
        }
    }

    static func parseVariants(_ metrics: JSONValue, file: String) throws -> [VariantEntry] {
        guard let list = metrics["variants"]?.arrayValue else { throw ResultsError("\(file): expected a \"variants\" array") }
        return try list.enumerated().map { i, v in
            guard let id = v["id"]?.stringValue, let encoder = v["encoder"]?.stringValue,
                  let strategyName = v["strategy"]?["name"]?.stringValue,
                  let method = v["reduction"]?["method"]?.stringValue,
                  let m = v["metrics"]?.objectValue else {
                throw ResultsError("\(file): variants[\(i)] needs id, encoder, strategy.name, reduction.method and metrics")
            }
            let reductionID = v["reduction"]?["components"]?.intValue.map { "\(method)(\($0))" } ?? method
            let prefix = encoder + "/", suffix = "/" + reductionID
            guard id.hasPrefix(prefix), id.hasSuffix(suffix), id.count > prefix.count + suffix.count else {
                throw ResultsError("\(file): variants[\(i)].id \"\(id)\" does not start with its encoder \"\(encoder)\" and end with its reduction \"\(reductionID)\"")
            }
            let strategyID = String(id.dropFirst(prefix.count).dropLast(suffix.count))
            var means: [(String, Double)] = []
            var intervals: [String: (lo: Double, hi: Double)] = [:]
            for (name, s) in m {
                guard let mean = s["mean"]?.doubleValue else { throw ResultsError("\(file): variants[\(i)].metrics.\(name).mean is missing") }
                means.append((name, mean))
                if let ci = s["ci95"]?.arrayValue, ci.count == 2, let lo = ci[0].doubleValue, let hi = ci[1].doubleValue { intervals[name] = (lo, hi) }
            }
            return VariantEntry(protocolID: v["protocol"]?.stringValue ?? "", id: id, encoder: encoder, strategyID: strategyID,
                                strategyName: strategyName, reductionID: reductionID, means: means, intervals: intervals)
        }
    }
}

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

/// per_user.csv: per (protocol, variant), each user's metric values.
public struct PerUserTable: Sendable {
    public var metrics: [String]
    /// Rows of one variant, in file order (users ascending by dense id).
    public var rows: [VariantKey: [(user: String, values: [Double])]]

    /// A variant's (user, value) pairs of one metric in file order; nil when either is absent.
    public func column(_ key: VariantKey, metric: String) -> [(user: String, value: Double)]? {
        guard let j = metrics.firstIndex(of: metric), let r = rows[key] else { return nil }
        return r.map { ($0.user, $0.values[j]) }
    }

    /// The same as a lookup by user id.
    public func values(_ key: VariantKey, metric: String) -> [String: Double]? {
        guard let c = column(key, metric: metric) else { return nil }
        var out: [String: Double] = [:]
        for (u, v) in c { out[u] = v }
        return out
    }

    /// Reads `[protocol,]variant,user[,case],<metric>…`; without a protocol column every row
    /// belongs to `singleProtocol`. With a case column, a row's unit is ``unitKey(user:case:)``.
    public static func load(_ file: String, singleProtocol: String?) throws -> PerUserTable {
        guard let data = FileManager.default.contents(atPath: file) else { throw ResultsError("\(file): no such file") }
        let lines = CSV.records(String(decoding: data, as: UTF8.self))
        guard let header = lines.first else { throw ResultsError("\(file): empty, expected a header line") }
        let hasProtocol = header.first == "protocol"
        let userColumn = hasProtocol ? 2 : 1
        guard header.count > userColumn, header[userColumn - 1] == "variant", header[userColumn] == "user" else {
            throw ResultsError("\(file): header must start with [protocol,]variant,user (got \(header.prefix(3).joined(separator: ",")))")
        }
        let hasCase = header.count > userColumn + 1 && header[userColumn + 1] == "case"
        let fixed = userColumn + (hasCase ? 2 : 1)
        if !hasProtocol && singleProtocol == nil {
            throw ResultsError("\(file): has no protocol column but metrics.json lists several protocols")
        }
        let metrics = Array(header.dropFirst(fixed))
        var rows: [VariantKey: [(user: String, values: [Double])]] = [:]
        for (n, r) in lines.dropFirst().enumerated() {
            guard r.count == header.count else {
                throw ResultsError("\(file): line \(n + 2) has \(r.count) fields, expected \(header.count)")
            }
            let key = VariantKey(protocolID: hasProtocol ? r[0] : singleProtocol!, id: r[userColumn - 1])
            let values = try r.dropFirst(fixed).enumerated().map { j, s -> Double in
                if s == "null" { return .nan }
                guard let d = Double(s) else { throw ResultsError("\(file): line \(n + 2), \(metrics[j]): \"\(s)\" is not a number") }
                return d
            }
            rows[key, default: []].append((unitKey(user: r[userColumn], case: hasCase ? r[userColumn + 1] : ""), values))
        }
        return PerUserTable(metrics: metrics, rows: rows)
    }

    /// The unit that comparisons pair on: the user id, or `user:case` for a case (the form a TREC
    /// run's query id takes under the `cases` protocol).
    public static func unitKey(user: String, case c: String) -> String { c.isEmpty ? user : "\(user):\(c)" }
}

/// One row of segments.csv: a user's history length and drift under a protocol.
public struct SegmentCovariate: Sendable {
    public var user: String
    public var historyEvents: Int
    public var drift: Double

    static func load(_ file: String) throws -> [String: [SegmentCovariate]] {
        guard let data = FileManager.default.contents(atPath: file) else { throw ResultsError("\(file): no such file") }
        let lines = CSV.records(String(decoding: data, as: UTF8.self))
        let hasCase = lines.first == ["protocol", "user", "case", "history_events", "drift"]
        guard lines.first == ["protocol", "user", "history_events", "drift"] || hasCase else {
            throw ResultsError("\(file): header must be protocol,user[,case],history_events,drift")
        }
        let o = hasCase ? 1 : 0
        var out: [String: [SegmentCovariate]] = [:]
        for (n, r) in lines.dropFirst().enumerated() {
            guard r.count == 4 + o, let h = Int(r[2 + o]) else { throw ResultsError("\(file): line \(n + 2) is malformed") }
            let drift = r[3 + o] == "null" ? Double.nan : (Double(r[3 + o]) ?? .nan)
            let unit = PerUserTable.unitKey(user: r[1], case: hasCase ? r[2] : "")
            out[r[0], default: []].append(SegmentCovariate(user: unit, historyEvents: h, drift: drift))
        }
        return out
    }
}

/// pre_period.csv: per (protocol, encoder, reduction), each user's pre-period metric values.
public struct PrePeriodTable: Sendable {
    public var metrics: [String]
    /// "protocol\u{1}encoder\u{1}reduction" → user → values.
    var rows: [String: [String: [Double]]]

    /// The pre-period values of `metric` for the users of `protocolID` under `encoder` and `reduction`.
    public func values(protocolID: String, encoder: String, reduction: String, metric: String) -> [String: Double]? {
        guard let j = metrics.firstIndex(of: metric), let r = rows[[protocolID, encoder, reduction].joined(separator: "\u{1}")] else { return nil }
        return r.mapValues { $0[j] }
    }

    static func load(_ file: String) throws -> PrePeriodTable {
        guard let data = FileManager.default.contents(atPath: file) else { throw ResultsError("\(file): no such file") }
        let lines = CSV.records(String(decoding: data, as: UTF8.self))
        guard let header = lines.first, Array(header.prefix(4)) == ["protocol", "encoder", "reduction", "user"] else {
            throw ResultsError("\(file): header must start with protocol,encoder,reduction,user")
        }
        let hasCase = header.count > 4 && header[4] == "case"
        let fixed = hasCase ? 5 : 4
        var rows: [String: [String: [Double]]] = [:]
        for (n, r) in lines.dropFirst().enumerated() {
            guard r.count == header.count else { throw ResultsError("\(file): line \(n + 2) has \(r.count) fields, expected \(header.count)") }
            let unit = PerUserTable.unitKey(user: r[3], case: hasCase ? r[4] : "")
            rows[r[0...2].joined(separator: "\u{1}"), default: [:]][unit] = r.dropFirst(fixed).map { Double($0) ?? .nan }
        }
        return PrePeriodTable(metrics: Array(header.dropFirst(fixed)), rows: rows)
    }
}

/// One row of per_step.csv: a prequential variant's metric means at its users' j-th step.
public struct PerStepRow: Sendable {
    public var protocolID: String
    public var variant: String
    public var step: Int
    public var lists: Int
    public var values: [(metric: String, value: Double)]

    static func load(_ file: String) throws -> [PerStepRow] {
        guard let data = FileManager.default.contents(atPath: file) else { throw ResultsError("\(file): no such file") }
        let lines = CSV.records(String(decoding: data, as: UTF8.self))
        guard let header = lines.first, Array(header.prefix(4)) == ["protocol", "variant", "step", "lists"] else {
            throw ResultsError("\(file): header must start with protocol,variant,step,lists")
        }
        let metrics = Array(header.dropFirst(4))
        return try lines.dropFirst().enumerated().map { n, r in
            guard r.count == header.count, let step = Int(r[2]), let lists = Int(r[3]) else {
                throw ResultsError("\(file): line \(n + 2) is malformed")
            }
            return PerStepRow(protocolID: r[0], variant: r[1], step: step, lists: lists,
                              values: zip(metrics, r.dropFirst(4)).map { ($0, Double($1) ?? .nan) })
        }
    }
}

/// A results folder that cannot be read or compared, with the file and what is wrong.
public struct ResultsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ message: String) { description = message }
}

/// RFC 4180 records: fields separated by commas, optionally double-quoted with "" for a quote.
enum CSV {
    static func records(_ text: String) -> [[String]] {
        var out: [[String]] = []
        var record: [String] = [], field = "", quoted = false, atFieldStart = true, any = false
        var it = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { field.unicodeScalars.append(c) }
                continue
            }
            switch c {
            case "\"" where atFieldStart: quoted = true; atFieldStart = false; any = true
            case ",": record.append(field); field = ""; atFieldStart = true; any = true
            case "\r": continue
            case "\n":
                if any || !field.isEmpty { record.append(field); out.append(record) }
                record = []; field = ""; atFieldStart = true; any = false
            default: field.unicodeScalars.append(c); atFieldStart = false; any = true
            }
        }
        if any || !field.isEmpty { record.append(field); out.append(record) }
        return out
    }
}

/// One row of training.csv (docs/results.md).
public struct TrainingEpoch: Sendable, Equatable {
    public var protocolID: String
    public var variant: String
    public var epoch: Int
    public var trainLoss: Double
    /// nil without a validation slice.
    public var validationLoss: Double?
    public var validationHitRate: Double?
    public var best: Bool

    static let header = ["protocol", "variant", "epoch", "train_loss", "validation_loss", "validation_hit@10", "best"]

    public static func load(_ file: String) throws -> [TrainingEpoch] {
        guard let data = FileManager.default.contents(atPath: file) else { throw ResultsError("\(file): no such file") }
        let lines = CSV.records(String(decoding: data, as: UTF8.self))
        guard let head = lines.first, Array(head.prefix(header.count)) == header else {
            throw ResultsError("\(file): header must start with \(header.joined(separator: ","))")
        }
        return try lines.dropFirst().enumerated().map { n, r in
            guard r.count == head.count else { throw ResultsError("\(file): line \(n + 2) has \(r.count) fields, expected \(head.count)") }
            func number(_ j: Int, optional: Bool) throws -> Double? {
                if optional && r[j].isEmpty { return nil }
                guard let d = Double(r[j]) else { throw ResultsError("\(file): line \(n + 2), \(head[j]): \"\(r[j])\" is not a number") }
                return d
            }
            guard let epoch = Int(r[2]) else { throw ResultsError("\(file): line \(n + 2), epoch: \"\(r[2])\" is not an integer") }
            return TrainingEpoch(protocolID: r[0], variant: r[1], epoch: epoch, trainLoss: try number(3, optional: false)!,
                                 validationLoss: try number(4, optional: true), validationHitRate: try number(5, optional: true),
                                 best: r[6] == "1")
        }
    }
}
