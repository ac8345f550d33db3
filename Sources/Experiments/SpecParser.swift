import Foundation
import JSON
import ModelCatalog
import Retrieval
import Statistics

/// A spec that cannot be used: the file, the JSON path (or line and column for syntax errors)
/// and what was expected.
public struct SpecError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let path: String
    public let message: String
    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
    }
    public var description: String { path.isEmpty ? "\(file): \(message)" : "\(file): \(path) \(message)" }
}

/// Parses and validates experiment specs (see docs/spec.md).
public enum SpecParser {
    /// Reads and validates the spec file at `path`.
    public static func load(path: String) throws -> ExperimentSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            throw SpecError(file: path, path: "", message: exists ? (isDir.boolValue ? "is a folder, expected a JSON spec file" : "cannot be read") : "no such file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SpecError(file: path, path: "", message: "is not valid UTF-8 text")
        }
        return try parse(text: text, path: path)
    }

    /// Validates the spec `text`; `path` names it in errors and anchors a relative dataset path.
    public static func parse(text: String, path: String) throws -> ExperimentSpec {
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch let e as JSONSyntaxError {
            throw SpecError(file: path, path: "", message: "is not valid JSON: \(e)")
        }
        let r = Reader(file: path)
        let top = try r.object(root, at: "", keys: ["name", "dataset", "protocol", "encoders", "strategies", "event_weights",
                                                    "reductions", "metrics", "exclude_seen", "compare", "seed", "sample_users", "description",
                                                    "runs", "published"])
        let name = try top["name"].map { try r.string($0, at: "name", nonEmpty: true) }
            ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if name.contains("/") || name == "." || name == ".." {
            throw SpecError(file: path, path: "name", message: "must not contain '/' (got \"\(name)\")")
        }
        guard let datasetValue = top["dataset"] else { throw SpecError(file: path, path: "dataset", message: "is required (the path of an HDF5 dataset)") }
        let dataset = try r.string(datasetValue, at: "dataset", nonEmpty: true)
        var datasetPath = dataset
        if !dataset.hasPrefix("/") && !FileManager.default.fileExists(atPath: dataset) {
            let besideSpec = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(dataset).path
            if FileManager.default.fileExists(atPath: besideSpec) { datasetPath = besideSpec }
        }

        guard let protocolValue = top["protocol"] else { throw SpecError(file: path, path: "protocol", message: "is required") }
        var protocols: [ProtocolSpec] = []
        if let list = protocolValue.arrayValue {
            if list.isEmpty { throw SpecError(file: path, path: "protocol", message: "must not be an empty array") }
            for (i, p) in list.enumerated() { protocols.append(try parseProtocol(p, at: "protocol[\(i)]", r)) }
        } else {
            protocols.append(try parseProtocol(protocolValue, at: "protocol", r))
        }
        try r.unique(protocols.map(\.id), at: "protocol", what: "protocol")

        let encoders = try r.list(top["encoders"], at: "encoders", required: true).enumerated().map { i, v in
            try parseEncoder(v, at: "encoders[\(i)]", r)
        }
        try r.unique(encoders.map(\.id), at: "encoders", what: "encoder")
        let strategies = try r.list(top["strategies"], at: "strategies", required: true).enumerated().map { i, v in
            try parseStrategy(v, at: "strategies[\(i)]", r)
        }
        try r.unique(strategies.map(\.id), at: "strategies", what: "strategy")
        var reductions: [ReductionSpec] = [.none]
        if top["reductions"] != nil {
            reductions = try r.list(top["reductions"], at: "reductions", required: true).enumerated().map { i, v in
                try parseReduction(v, at: "reductions[\(i)]", r)
            }
        }
        try r.unique(reductions.map(\.id), at: "reductions", what: "reduction")

        var weights: [(String, Double)] = []
        if let w = top["event_weights"] {
            guard let members = w.objectValue else { throw SpecError(file: path, path: "event_weights", message: "must be an object of event type → weight (got \(w.typeName))") }
            for (k, v) in members {
                guard let d = v.doubleValue else { throw SpecError(file: path, path: "event_weights.\(k)", message: "must be a number (got \(v.typeName))") }
                guard d >= 0, d.isFinite else { throw SpecError(file: path, path: "event_weights.\(k)", message: "must be >= 0 (got \(formatParameter(d)))") }
                weights.append((k, d))
            }
        }

        let metricValues = try r.list(top["metrics"], at: "metrics", required: true)
        var metrics: [MetricSpec] = []
        for (i, v) in metricValues.enumerated() {
            let s = try r.string(v, at: "metrics[\(i)]", nonEmpty: true)
            guard let m = MetricSpec(parsing: s) else {
                throw SpecError(file: path, path: "metrics[\(i)]", message: "\"\(s)\" is not a metric: expected <name>@<K> with K >= 1 and name one of \(MetricFamily.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            metrics.append(m)
        }
        try r.unique(metrics.map(\.name), at: "metrics", what: "metric")

        let excludeSeen = try top["exclude_seen"].map { try r.bool($0, at: "exclude_seen") } ?? true
        var seed: UInt64 = 0
        if let s = top["seed"] {
            guard let v = s.intValue, v >= 0 else { throw SpecError(file: path, path: "seed", message: "must be an integer >= 0 (got \(describe(s)))") }
            seed = UInt64(v)
        }
        var runs: [RunSpec] = []
        if top["runs"] != nil {
            runs = try r.list(top["runs"], at: "runs", required: true).enumerated().map { i, v in
                try parseRun(v, at: "runs[\(i)]", specPath: path, r)
            }
            try r.unique(runs.map(\.name), at: "runs", what: "run name")
            if let i = encoders.firstIndex(where: { $0.id == RunSpec.encoderName }) {
                throw SpecError(file: path, path: "encoders[\(i)].name", message: "must not be \"\(RunSpec.encoderName)\" in a spec with runs: run variants are named run/<name>/none")
            }
        }
        let published = try top["published"].map { try parsePublished($0, metrics: metrics, r) }
        var compare: CompareSpec?
        if let c = top["compare"] {
            compare = try parseCompare(c, strategies: strategies, runs: runs, r)
            if let b = compare?.baseline, b.contains("/") {
                let ids = encoders.flatMap { e in reductions.flatMap { red in strategies.map { Variant(encoder: e, strategy: $0, reduction: red).id } } }
                    + runs.map(\.variantID)
                guard ids.contains(b) else {
                    throw SpecError(file: path, path: "compare.baseline", message: "names no variant of the spec (got \"\(b)\"; e.g. \(ids.first ?? "none"))\(didYouMean(b, ids))")
                }
            }
        }
        var sampleUsers: Int?
        if let v = top["sample_users"] {
            guard let n = v.intValue else { throw SpecError(file: path, path: "sample_users", message: "must be an integer (got \(describe(v)))") }
            guard n >= 1 else { throw SpecError(file: path, path: "sample_users", message: "must be >= 1 (got \(n))") }
            sampleUsers = n
        }
        if top["description"] != nil { _ = try r.string(top["description"]!, at: "description", nonEmpty: false) }

        return ExperimentSpec(name: name, dataset: dataset, datasetPath: datasetPath, protocols: protocols, encoders: encoders,
                              strategies: strategies, eventWeights: weights, reductions: reductions, metrics: metrics,
                              excludeSeen: excludeSeen, compare: compare, seed: seed, sampleUsers: sampleUsers, runs: runs, published: published,
                              sourcePath: path, sourceText: text)
    }

    static func parseRun(_ v: JSONValue, at p: String, specPath: String, _ r: Reader) throws -> RunSpec {
        let o = try r.object(v, at: p, keys: ["name", "file"])
        guard let n = o["name"] else { throw SpecError(file: r.file, path: "\(p).name", message: "is required (the run's name, e.g. \"sasrec\")") }
        let name = try r.string(n, at: "\(p).name", nonEmpty: true)
        if name.contains("/") || name.contains(",") || name.contains(where: \.isWhitespace) {
            throw SpecError(file: r.file, path: "\(p).name", message: "must not contain '/', ',' or spaces (got \"\(name)\")")
        }
        guard let f = o["file"] else { throw SpecError(file: r.file, path: "\(p).file", message: "is required (a TREC run file: qid Q0 docid rank score tag)") }
        let file = try r.string(f, at: "\(p).file", nonEmpty: true)
        return RunSpec(name: name, file: file, path: resolve(file, besideSpec: specPath))
    }

    static func parsePublished(_ v: JSONValue, metrics: [MetricSpec], _ r: Reader) throws -> PublishedSpec {
        let o = try r.object(v, at: "published", keys: ["source", "rows"])
        guard let s = o["source"] else { throw SpecError(file: r.file, path: "published.source", message: "is required (where the numbers come from)") }
        let source = try r.string(s, at: "published.source", nonEmpty: true)
        guard let rowsValue = o["rows"] else { throw SpecError(file: r.file, path: "published.rows", message: "is required (model → metric → value)") }
        guard let rows = rowsValue.objectValue else {
            throw SpecError(file: r.file, path: "published.rows", message: "must be an object of model → {metric: value} (got \(rowsValue.typeName))")
        }
        if rows.isEmpty { throw SpecError(file: r.file, path: "published.rows", message: "must not be empty") }
        let names = metrics.map(\.name)
        return PublishedSpec(source: source, rows: try rows.map { model, values in
            guard let members = values.objectValue else {
                throw SpecError(file: r.file, path: "published.rows.\(model)", message: "must be an object of metric → value (got \(values.typeName))")
            }
            if members.isEmpty { throw SpecError(file: r.file, path: "published.rows.\(model)", message: "must not be empty") }
            return (model, try members.map { metric, x in
                guard names.contains(metric) else {
                    throw SpecError(file: r.file, path: "published.rows.\(model).\(metric)", message: "is not one of the spec's metrics (\(names.joined(separator: ", ")))\(didYouMean(metric, names))")
                }
                let d = try r.number(x, at: "published.rows.\(model).\(metric)")
                guard d.isFinite, d >= 0 else { throw SpecError(file: r.file, path: "published.rows.\(model).\(metric)", message: "must be a number >= 0 (got \(formatParameter(d)))") }
                return (metric, d)
            })
        })
    }

    /// A relative path as it opens from the working folder, else beside the spec.
    static func resolve(_ file: String, besideSpec specPath: String) -> String {
        if file.hasPrefix("/") || FileManager.default.fileExists(atPath: file) { return file }
        let beside = URL(fileURLWithPath: specPath).deletingLastPathComponent().appendingPathComponent(file).path
        return FileManager.default.fileExists(atPath: beside) ? beside : file
    }

    static func parseProtocol(_ v: JSONValue, at p: String, _ r: Reader) throws -> ProtocolSpec {
        let keys = ["kind", "history", "update", "test", "window_events", "window_days", "valid", "targets",
                    "test_from", "test_from_quantile", "valid_from", "valid_from_quantile", "split"]
        let o = try r.object(v, at: p, keys: keys)
        let kinds = ["holdout", "prequential", "leave-last", "temporal", "cases"]
        guard let kindValue = o["kind"] else { throw SpecError(file: r.file, path: "\(p).kind", message: "is required (\(kinds.joined(separator: ", ")))") }
        let kind = try r.string(kindValue, at: "\(p).kind", nonEmpty: true)
        /// Every key but `kind` and `own` is an error naming the protocol it belongs to.
        func only(_ own: [String]) throws {
            for k in keys where k != "kind" && !own.contains(k) && o[k] != nil {
                throw SpecError(file: r.file, path: "\(p).\(k)", message: "is not a parameter of the \(kind) protocol (its parameters: \(own.isEmpty ? "none" : own.joined(separator: ", ")))")
            }
        }
        func targets() throws -> ProtocolTargets { try r.choice(o["targets"], at: "\(p).targets", default: .test) }
        /// A cut given as a unix time (`key`) or as a quantile of all event times (`key_quantile`).
        func cut(_ key: String, required: Bool) throws -> TimeCut? {
            let t = o[key], q = o[key + "_quantile"]
            if t != nil && q != nil { throw SpecError(file: r.file, path: p, message: "gives both \(key) and \(key)_quantile; give one") }
            if let t {
                guard let x = t.intValue else { throw SpecError(file: r.file, path: "\(p).\(key)", message: "must be an integer unix time in seconds (got \(describe(t)))") }
                return .time(Int64(x))
            }
            if let q {
                let x = try r.number(q, at: "\(p).\(key)_quantile")
                guard x > 0, x < 1 else { throw SpecError(file: r.file, path: "\(p).\(key)_quantile", message: "must be between 0 and 1, exclusive (got \(formatParameter(x)))") }
                return .quantile(x)
            }
            if required { throw SpecError(file: r.file, path: p, message: "needs \(key) (a unix time) or \(key)_quantile (a quantile of all event times)") }
            return nil
        }
        switch kind {
        case "leave-last":
            try only(["valid", "targets"])
            let valid = try o["valid"].map { try r.bool($0, at: "\(p).valid") } ?? true
            let t = try targets()
            if t == .valid && !valid {
                throw SpecError(file: r.file, path: "\(p).targets", message: "is valid, but valid is false: there is no validation target to rank")
            }
            return .leaveLast(valid: valid, targets: t)
        case "temporal":
            try only(["test_from", "test_from_quantile", "valid_from", "valid_from_quantile", "targets"])
            let test = try cut("test_from", required: true)!
            let valid = try cut("valid_from", required: false)
            let t = try targets()
            if t == .valid && valid == nil {
                throw SpecError(file: r.file, path: "\(p).targets", message: "is valid, but no valid_from or valid_from_quantile sets the validation period")
            }
            switch (test, valid) {
            case let (.time(a), .time(b)?) where b >= a:
                throw SpecError(file: r.file, path: "\(p).valid_from", message: "must be before test_from (got \(b) >= \(a))")
            case let (.quantile(a), .quantile(b)?) where b >= a:
                throw SpecError(file: r.file, path: "\(p).valid_from_quantile", message: "must be below test_from_quantile (got \(formatParameter(b)) >= \(formatParameter(a)))")
            case (.time, .quantile?), (.quantile, .time?):
                throw SpecError(file: r.file, path: p, message: "gives one cut as a time and the other as a quantile; give both the same way")
            default: break
            }
            return .temporal(testFrom: test, validFrom: valid, targets: t)
        case "cases":
            try only(["split"])
            let split = try o["split"].map { try r.string($0, at: "\(p).split", nonEmpty: true) } ?? "test"
            if split.contains("/") { throw SpecError(file: r.file, path: "\(p).split", message: "must not contain '/' (got \"\(split)\")") }
            return .cases(split: split)
        case "holdout":
            try only(["history", "update", "test"])
            let h = try r.fraction(o["history"], at: "\(p).history", default: 0.6)
            let u = try r.fraction(o["update"], at: "\(p).update", default: 0.2)
            let t = try r.fraction(o["test"], at: "\(p).test", default: 0.2)
            if h <= 0 { throw SpecError(file: r.file, path: "\(p).history", message: "must be > 0 (got \(formatParameter(h)))") }
            if t <= 0 { throw SpecError(file: r.file, path: "\(p).test", message: "must be > 0 (got \(formatParameter(t)))") }
            if abs(h + u + t - 1) > 1e-9 {
                throw SpecError(file: r.file, path: p, message: "history + update + test must sum to 1 (got \(formatParameter(h)) + \(formatParameter(u)) + \(formatParameter(t)) = \(formatParameter(h + u + t)))")
            }
            return .holdout(history: h, update: u, test: t)
        case "prequential":
            try only(["history", "window_events", "window_days"])
            let h = try r.fraction(o["history"], at: "\(p).history", default: 0.5)
            if h <= 0 { throw SpecError(file: r.file, path: "\(p).history", message: "must be > 0 (got \(formatParameter(h)))") }
            let we = o["window_events"], wd = o["window_days"]
            if (we == nil) == (wd == nil) {
                throw SpecError(file: r.file, path: p, message: "needs exactly one of window_events, window_days")
            }
            if let we {
                guard let n = we.intValue else { throw SpecError(file: r.file, path: "\(p).window_events", message: "must be an integer (got \(describe(we)))") }
                guard n >= 1 else { throw SpecError(file: r.file, path: "\(p).window_events", message: "must be >= 1 (got \(n))") }
                return .prequential(history: h, windowEvents: n, windowDays: nil)
            }
            let d = try r.number(wd!, at: "\(p).window_days")
            guard d > 0 else { throw SpecError(file: r.file, path: "\(p).window_days", message: "must be > 0 (got \(formatParameter(d)))") }
            return .prequential(history: h, windowEvents: nil, windowDays: d)
        default:
            throw SpecError(file: r.file, path: "\(p).kind", message: "must be one of \(kinds.joined(separator: ", ")) (got \"\(kind)\")\(didYouMean(kind, kinds))")
        }
    }

    static func parseEncoder(_ v: JSONValue, at p: String, _ r: Reader) throws -> EncoderSpec {
        let o = try r.object(v, at: p, keys: ["name", "layers", "template"])
        guard let n = o["name"] else { throw SpecError(file: r.file, path: "\(p).name", message: "is required") }
        let name = try r.string(n, at: "\(p).name", nonEmpty: true)
        if name.contains("/") { throw SpecError(file: r.file, path: "\(p).name", message: "must not contain '/' (got \"\(name)\")") }
        var layers: Int?
        if let l = o["layers"] {
            guard let k = l.intValue else { throw SpecError(file: r.file, path: "\(p).layers", message: "must be an integer (got \(describe(l)))") }
            guard k >= 1 else { throw SpecError(file: r.file, path: "\(p).layers", message: "must be >= 1 (got \(k))") }
            guard let maxLayers = BuiltinModel(rawValue: name)?.layers else {
                throw SpecError(file: r.file, path: "\(p).layers", message: "applies only to the transformer encoders \(BuiltinModel.names(joinedBy: "and")) (got encoder \"\(name)\")")
            }
            guard k <= maxLayers else { throw SpecError(file: r.file, path: "\(p).layers", message: "must be <= \(maxLayers) for \(name) (got \(k))") }
            layers = k == maxLayers ? nil : k
        }
        let template = try o["template"].map { try r.string($0, at: "\(p).template", nonEmpty: true) }
        return EncoderSpec(name: name, layers: layers, template: template)
    }

    static func parseStrategy(_ v: JSONValue, at p: String, _ r: Reader) throws -> StrategySpec {
        let names = ["static", "mean", "decay", "concat", "interests", "attention", "mlp", "online"]
        guard let members = v.objectValue else { throw SpecError(file: r.file, path: p, message: "must be an object (got \(v.typeName))") }
        guard let n = members.first(where: { $0.0 == "name" })?.1 else {
            throw SpecError(file: r.file, path: "\(p).name", message: "is required (\(names.joined(separator: ", ")))")
        }
        let name = try r.string(n, at: "\(p).name", nonEmpty: true)
        // The learned strategies have keys of their own.
        switch name {
        case "attention": return try parseAttention(r.object(v, at: p, keys: ["name", "window", "dim", "age", "buckets", "training"]), at: p, r)
        case "mlp":
            return try parseMLP(r.object(v, at: p, keys: ["name", "window", "hidden", "activation", "layer_norm", "residual", "half_life_events", "training"]), at: p, r)
        case "online": return try parseOnline(r.object(v, at: p, keys: ["name", "init", "half_life_events", "steps", "lr", "chunk", "scale"]), at: p, r)
        default: break
        }
        let all = ["name", "half_life_days", "half_life_events", "window", "aggregate", "temperature", "k", "center"]
        let o = try r.object(v, at: p, keys: all)
        switch name {
        case "static", "mean":
            try r.forbid(o, Array(all.dropFirst()), at: p, because: "is not a parameter of \(name)")
            return name == "static" ? .static : .mean
        case "decay":
            try r.forbid(o, ["window", "aggregate", "temperature", "k", "center"], at: p, because: "is not a parameter of decay")
            let d = o["half_life_days"], e = o["half_life_events"]
            if (d == nil) == (e == nil) { throw SpecError(file: r.file, path: p, message: "decay needs exactly one of half_life_days, half_life_events") }
            if let d {
                let x = try r.number(d, at: "\(p).half_life_days")
                guard x > 0 else { throw SpecError(file: r.file, path: "\(p).half_life_days", message: "must be > 0 (got \(formatParameter(x)))") }
                return .decayDays(halfLife: x)
            }
            let x = try r.number(e!, at: "\(p).half_life_events")
            guard x > 0 else { throw SpecError(file: r.file, path: "\(p).half_life_events", message: "must be > 0 (got \(formatParameter(x)))") }
            return .decayEvents(halfLife: x)
        case "interests":
            try r.forbid(o, ["half_life_days", "half_life_events", "temperature"], at: p, because: "is not a parameter of interests")
            let window = try r.integer(o["window"], at: "\(p).window", min: 1, default: 50)
            let k = try r.integer(o["k"], at: "\(p).k", min: 1, default: 3)
            guard k <= window else { throw SpecError(file: r.file, path: "\(p).k", message: "must be <= window \(window): a window of n vectors has at most n directions (got \(k))") }
            let aggregate = try r.choice(o["aggregate"], at: "\(p).aggregate", default: InterestAggregate.max)
            let center = try o["center"].map { try r.bool($0, at: "\(p).center") } ?? false
            return .interests(window: window, k: k, aggregate: aggregate, center: center)
        case "concat":
            try r.forbid(o, ["half_life_days", "half_life_events", "k", "center"], at: p, because: "is not a parameter of concat")
            let window = try r.integer(o["window"], at: "\(p).window", min: 1, default: 50)
            let aggregate = try r.choice(o["aggregate"], at: "\(p).aggregate", default: ConcatAggregate.max)
            var temperature: Double?
            if aggregate == .softmax {
                guard let t = o["temperature"] else { throw SpecError(file: r.file, path: "\(p).temperature", message: "is required with aggregate softmax (a number > 0)") }
                let x = try r.number(t, at: "\(p).temperature")
                guard x > 0 else { throw SpecError(file: r.file, path: "\(p).temperature", message: "must be > 0 (got \(formatParameter(x)))") }
                temperature = x
            } else if o["temperature"] != nil {
                throw SpecError(file: r.file, path: "\(p).temperature", message: "applies only with aggregate softmax (aggregate is \(aggregate.rawValue))")
            }
            return .concat(window: window, aggregate: aggregate, temperature: temperature)
        default:
            throw SpecError(file: r.file, path: "\(p).name", message: "must be one of \(names.joined(separator: ", ")) (got \"\(name)\")\(didYouMean(name, names))")
        }
    }

    static func parseReduction(_ v: JSONValue, at p: String, _ r: Reader) throws -> ReductionSpec {
        let o = try r.object(v, at: p, keys: ["method", "components"])
        guard let m = o["method"] else { throw SpecError(file: r.file, path: "\(p).method", message: "is required (none, pca or random-projection)") }
        let method = try r.string(m, at: "\(p).method", nonEmpty: true)
        switch method {
        case "none":
            try r.forbid(o, ["components"], at: p, because: "is not a parameter of none")
            return .none
        case "pca", "random-projection":
            guard let c = o["components"] else { throw SpecError(file: r.file, path: "\(p).components", message: "is required for \(method)") }
            guard let k = c.intValue else { throw SpecError(file: r.file, path: "\(p).components", message: "must be an integer (got \(describe(c)))") }
            guard k >= 1 else { throw SpecError(file: r.file, path: "\(p).components", message: "must be >= 1 (got \(k))") }
            return method == "pca" ? .pca(components: k) : .randomProjection(components: k)
        default:
            throw SpecError(file: r.file, path: "\(p).method", message: "must be none, pca or random-projection (got \"\(method)\")\(didYouMean(method, ["none", "pca", "random-projection"]))")
        }
    }

    static func parseCompare(_ v: JSONValue, strategies: [StrategySpec], runs: [RunSpec] = [], _ r: Reader) throws -> CompareSpec {
        let o = try r.object(v, at: "compare", keys: ["baseline", "tests", "alpha", "correction"])
        guard let b = o["baseline"] else { throw SpecError(file: r.file, path: "compare.baseline", message: "is required (a strategy id or a variant id)") }
        var baseline = try r.string(b, at: "compare.baseline", nonEmpty: true)
        // A run named alone is its variant: every variant is compared with the run.
        if let run = runs.first(where: { $0.name == baseline }), !strategies.contains(where: { $0.id == baseline || $0.name == baseline }) {
            baseline = run.variantID
        }
        if !baseline.contains("/") && !strategies.contains(where: { $0.id == baseline || $0.name == baseline }) {
            throw SpecError(file: r.file, path: "compare.baseline", message: "names no strategy of the spec (got \"\(baseline)\"; strategies: \(strategies.map(\.id).joined(separator: ", ")))")
        }
        if !baseline.contains("/") && !strategies.contains(where: { $0.id == baseline }) && strategies.filter({ $0.name == baseline }).count > 1 {
            throw SpecError(file: r.file, path: "compare.baseline", message: "\"\(baseline)\" names several strategies; name one by its id (\(strategies.filter { $0.name == baseline }.map(\.id).joined(separator: ", ")))")
        }
        var tests = SignificanceTest.allCases
        if let t = o["tests"] {
            tests = try r.list(t, at: "compare.tests", required: true).enumerated().map { i, x in
                let s = try r.string(x, at: "compare.tests[\(i)]", nonEmpty: true)
                guard let test = SignificanceTest(rawValue: s) else {
                    throw SpecError(file: r.file, path: "compare.tests[\(i)]", message: "must be one of \(SignificanceTest.allCases.map(\.rawValue).joined(separator: ", ")) (got \"\(s)\")")
                }
                return test
            }
        }
        var alpha = 0.05
        if let a = o["alpha"] {
            alpha = try r.number(a, at: "compare.alpha")
            guard alpha > 0, alpha < 1 else { throw SpecError(file: r.file, path: "compare.alpha", message: "must be between 0 and 1, exclusive (got \(formatParameter(alpha)))") }
        }
        var correction = PValueCorrection.holm
        if let c = o["correction"] {
            let name = try r.string(c, at: "compare.correction", nonEmpty: true)
            guard let known = PValueCorrection(rawValue: name) else {
                throw SpecError(file: r.file, path: "compare.correction", message: "must be \(PValueCorrection.names(joinedBy: "or")) (got \"\(name)\")")
            }
            correction = known
        }
        return CompareSpec(baseline: baseline, tests: tests, alpha: alpha, correction: correction)
    }
}

/// Typed access to JSON values that reports the JSON path of every problem.
struct Reader {
    let file: String

    func object(_ v: JSONValue, at p: String, keys: [String]) throws -> [String: JSONValue] {
        guard let members = v.objectValue else {
            throw SpecError(file: file, path: p, message: "must be an object (got \(v.typeName))")
        }
        var out: [String: JSONValue] = [:]
        for (k, value) in members {
            guard keys.contains(k) else {
                let prefix = p.isEmpty ? k : "\(p).\(k)"
                throw SpecError(file: file, path: prefix, message: "is not a known key\(didYouMean(k, keys)) (allowed: \(keys.joined(separator: ", ")))")
            }
            out[k] = value
        }
        return out
    }

    func forbid(_ o: [String: JSONValue], _ keys: [String], at p: String, because: String) throws {
        for k in keys where o[k] != nil {
            throw SpecError(file: file, path: "\(p).\(k)", message: because)
        }
    }

    func string(_ v: JSONValue, at p: String, nonEmpty: Bool) throws -> String {
        guard let s = v.stringValue else { throw SpecError(file: file, path: p, message: "must be a string (got \(v.typeName))") }
        if nonEmpty && s.isEmpty { throw SpecError(file: file, path: p, message: "must not be empty") }
        return s
    }

    func number(_ v: JSONValue, at p: String) throws -> Double {
        guard let d = v.doubleValue else { throw SpecError(file: file, path: p, message: "must be a number (got \(v.typeName))") }
        return d
    }

    /// An optional integer ≥ `min`, `d` when absent.
    func integer(_ v: JSONValue?, at p: String, min: Int, default d: Int) throws -> Int {
        guard let v else { return d }
        guard let x = v.intValue else { throw SpecError(file: file, path: p, message: "must be an integer (got \(describe(v)))") }
        guard x >= min else { throw SpecError(file: file, path: p, message: "must be >= \(min) (got \(x))") }
        return x
    }

    /// An optional string naming one of `E`'s cases (`must be max, mean or softmax`), `d` when absent.
    func choice<E: RawRepresentable & CaseIterable>(_ v: JSONValue?, at p: String, default d: E) throws -> E where E.RawValue == String {
        guard let v else { return d }
        let s = try string(v, at: p, nonEmpty: true)
        guard let x = E(rawValue: s) else {
            let names = E.allCases.map(\.rawValue)
            let list = names.count > 1 ? names.dropLast().joined(separator: ", ") + " or " + names.last! : names.joined()
            throw SpecError(file: file, path: p, message: "must be \(list) (got \"\(s)\")")
        }
        return x
    }

    func bool(_ v: JSONValue, at p: String) throws -> Bool {
        guard let b = v.boolValue else { throw SpecError(file: file, path: p, message: "must be true or false (got \(v.typeName))") }
        return b
    }

    func fraction(_ v: JSONValue?, at p: String, default d: Double) throws -> Double {
        guard let v else { return d }
        let x = try number(v, at: p)
        guard x >= 0, x <= 1 else { throw SpecError(file: file, path: p, message: "must be between 0 and 1 (got \(formatParameter(x)))") }
        return x
    }

    func list(_ v: JSONValue?, at p: String, required: Bool) throws -> [JSONValue] {
        guard let v else {
            if required { throw SpecError(file: file, path: p, message: "is required (a non-empty array)") }
            return []
        }
        guard let a = v.arrayValue else { throw SpecError(file: file, path: p, message: "must be an array (got \(v.typeName))") }
        if required && a.isEmpty { throw SpecError(file: file, path: p, message: "must not be empty") }
        return a
    }

    func unique(_ ids: [String], at p: String, what: String) throws {
        var seen = Set<String>()
        for (i, id) in ids.enumerated() where !seen.insert(id).inserted {
            throw SpecError(file: file, path: "\(p)[\(i)]", message: "repeats the \(what) \(id)")
        }
    }
}

func describe(_ v: JSONValue) -> String {
    switch v {
    case .int(let i): return String(i)
    case .double(let d): return formatParameter(d)
    case .string(let s): return "\"\(s)\""
    default: return v.typeName
    }
}

/// `; did you mean "x"?` when a candidate is within edit distance 2 (or a third of the length).
public func didYouMean(_ word: String, _ candidates: [String]) -> String {
    let scored = candidates.map { ($0, editDistance(word.lowercased(), $0.lowercased())) }.min { $0.1 < $1.1 }
    guard let (best, d) = scored, d <= max(2, word.count / 3) else { return "" }
    return "; did you mean \"\(best)\"?"
}

/// Levenshtein distance.
public func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        for j in 1...max(y.count, 1) where j <= y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}
