import Experiments
import JSON

/// A variant's strategy as metrics.json records it: its name and parameters, or an outside run.
public struct StrategyRecord: Sendable, Equatable {
    public var name: String
    /// Parameters in the spec's (alphabetical) order; integral numbers as `.int`.
    public var parameters: [(String, JSONValue)]
    /// An outside run's name and file (then `name` is `run`).
    public var run: (name: String, file: String)?

    public init(name: String, parameters: [(String, JSONValue)] = [], run: (name: String, file: String)? = nil) {
        self.name = name
        self.parameters = parameters
        self.run = run
    }

    /// The record of a spec variant's strategy.
    public init(_ v: Variant) {
        if let run = v.run {
            self.init(name: v.strategyName, run: (run.name, run.file))
        } else {
            self.init(name: v.strategy.name, parameters: v.strategy.parameters.map { k, p in
                switch p {
                case .number(let d): return (k, d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d))
                case .text(let s): return (k, .string(s))
                }
            })
        }
    }

    /// The strategy part of the variant id, built as the spec builds it (`decay(half_life_days=14)`),
    /// or the run's name.
    public var id: String {
        if let run { return run.name }
        if parameters.isEmpty { return name }
        return name + "(" + parameters.map { k, v in
            let text: String
            switch v {
            case .int(let i): text = formatParameter(Double(i))
            case .double(let d): text = formatParameter(d)
            case .string(let s): text = s
            default: text = JSONWriter.string(v)
            }
            return "\(k)=\(text)"
        }.joined(separator: ",") + ")"
    }

    public static func == (a: StrategyRecord, b: StrategyRecord) -> Bool {
        a.name == b.name && a.run?.name == b.run?.name && a.run?.file == b.run?.file && a.parameters.count == b.parameters.count
            && zip(a.parameters, b.parameters).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    var json: JSONValue {
        if let run { return .object([("name", .string(name)), ("run", .string(run.name)), ("file", .string(run.file))]) }
        return .object([("name", .string(name))] + parameters)
    }

    init(_ f: JSONFields) throws {
        let name = try f.string("name")
        if f.has("run") {
            self.init(name: name, run: (try f.string("run"), try f.string("file")))
        } else {
            self.init(name: name, parameters: f.value.objectValue!.filter { $0.0 != "name" })
        }
    }
}

/// A variant's reduction as metrics.json records it.
public struct ReductionRecord: Sendable, Equatable {
    public var method: String
    public var components: Int?
    public init(method: String, components: Int?) {
        self.method = method
        self.components = components
    }
    /// `none`, `pca(64)`: the reduction part of the variant id.
    public var id: String { components.map { "\(method)(\($0))" } ?? method }
}

/// One metric of a variant: its mean over users, 95% bootstrap interval (nil for coverage) and n.
public struct MetricValue: Sendable, Equatable {
    public var metric: String
    public var mean: Double
    public var ci95: (lo: Double, hi: Double)?
    public var n: Int
    public init(metric: String, mean: Double, ci95: (lo: Double, hi: Double)?, n: Int) {
        self.metric = metric
        self.mean = mean
        self.ci95 = ci95
        self.n = n
    }
    public static func == (a: MetricValue, b: MetricValue) -> Bool {
        a.metric == b.metric && a.mean == b.mean && a.n == b.n && a.ci95?.lo == b.ci95?.lo && a.ci95?.hi == b.ci95?.hi
    }
}

/// One variant of metrics.json under one protocol; encoder, strategy and reduction are typed
/// fields (the id is checked against them when read, never cut apart).
public struct VariantEntry: Sendable {
    public var protocolID: String
    public var id: String
    public var encoder: String
    public var strategy: StrategyRecord
    public var reduction: ReductionRecord
    /// In metrics.json order (the spec's metrics, coverage included).
    public var summaries: [MetricValue]
    public var skippedUsers: Int
    /// Outside runs only.
    public var missingLists: Int?
    /// Prequential only.
    public var skippedSteps: Int?

    public init(protocolID: String, id: String, encoder: String, strategy: StrategyRecord, reduction: ReductionRecord,
                summaries: [MetricValue], skippedUsers: Int, missingLists: Int? = nil, skippedSteps: Int? = nil) {
        self.protocolID = protocolID; self.id = id; self.encoder = encoder; self.strategy = strategy; self.reduction = reduction
        self.summaries = summaries; self.skippedUsers = skippedUsers; self.missingLists = missingLists; self.skippedSteps = skippedSteps
    }

    public var key: VariantKey { VariantKey(protocolID: protocolID, id: id) }
    /// The strategy part of the id (`decay(half_life_days=14)`), or an outside run's name.
    public var strategyID: String { strategy.id }
    public var strategyName: String { strategy.name }
    public var reductionID: String { reduction.id }
    /// An outside model's TREC run scored as a variant (`run/<name>/none`).
    public var isOutsideRun: Bool { strategy.run != nil }
    /// Metric name → mean, in metrics.json order.
    public var means: [(metric: String, mean: Double)] { summaries.map { ($0.metric, $0.mean) } }
    /// Metric name → ci95 (coverage has none).
    public var intervals: [String: (lo: Double, hi: Double)] {
        var out: [String: (lo: Double, hi: Double)] = [:]
        for s in summaries { if let ci = s.ci95 { out[s.metric] = ci } }
        return out
    }
    public func mean(_ metric: String) -> Double? { summaries.first(where: { $0.metric == metric })?.mean }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("protocol", .string(protocolID)), ("encoder", .string(encoder)), ("strategy", strategy.json),
            ("reduction", .object([("method", .string(reduction.method))] + (reduction.components.map { [("components", .int($0))] } ?? []))),
            ("metrics", .object(summaries.map { s in
                (s.metric, .object([("mean", .double(s.mean)), ("ci95", s.ci95.map { .array([.double($0.lo), .double($0.hi)]) } ?? .null),
                                    ("n", .int(s.n))]))
            })),
            ("skipped_users", .int(skippedUsers)),
        ]
        if let missingLists { members.append(("missing_lists", .int(missingLists))) }
        if let skippedSteps { members.append(("skipped_steps", .int(skippedSteps))) }
        return .object(members)
    }

    init(_ f: JSONFields) throws {
        let strategy = try StrategyRecord(try f.object("strategy"))
        let r = try f.object("reduction")
        let reduction = ReductionRecord(method: try r.string("method"), components: r.has("components") ? try r.int("components") : nil)
        let metrics = try f.object("metrics")
        let summaries = try metrics.value.objectValue!.map { name, _ -> MetricValue in
            let m = try metrics.object(name)
            var ci: (lo: Double, hi: Double)? = nil
            if try m.raw("ci95") != .null {
                let a = try m.array("ci95")
                guard a.count == 2, let lo = a[0].doubleValue, let hi = a[1].doubleValue else {
                    throw m.error("ci95", expected: "null or [lo, hi]")
                }
                ci = (lo, hi)
            }
            return MetricValue(metric: name, mean: try m.double("mean"), ci95: ci, n: try m.int("n"))
        }
        self.init(protocolID: try f.string("protocol"), id: try f.string("id"), encoder: try f.string("encoder"), strategy: strategy,
                  reduction: reduction, summaries: summaries, skippedUsers: try f.int("skipped_users"),
                  missingLists: f.has("missing_lists") ? try f.int("missing_lists") : nil,
                  skippedSteps: f.has("skipped_steps") ? try f.int("skipped_steps") : nil)
        let expected = "\(encoder)/\(strategyID)/\(reductionID)"
        guard id == expected else {
            throw ResultsError("\(f.file): \(f.path).id: \"\(id)\" is not the id of its encoder, strategy and reduction (\"\(expected)\")")
        }
    }
}

/// metrics.json: the run's name and each variant's metric summaries (docs/results.md).
public struct MetricsDocument: Sendable {
    public var name: String
    public var dialect: String
    public var variants: [VariantEntry]
    public init(name: String, dialect: String = "trec", variants: [VariantEntry]) {
        self.name = name
        self.dialect = dialect
        self.variants = variants
    }

    public var json: JSONValue {
        .object([("metric_dialect", .string(dialect)), ("name", .string(name)), ("variants", .array(variants.map(\.json)))])
    }

    public static func load(_ file: String) throws -> MetricsDocument {
        let f = try JSONFields(file: file, try JSONValue.read(results: file))
        return MetricsDocument(name: try f.string("name"), dialect: try f.string("metric_dialect"),
                               variants: try f.objects("variants").map(VariantEntry.init))
    }
}
