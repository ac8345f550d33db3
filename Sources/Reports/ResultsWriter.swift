import AtomicIO
import Comparisons
import Experiments
import Foundation
import JSON
import Runner

/// The tool's version, stamped into every manifest.
public let profileBenchVersion = "0.1.0"

/// Writes a results folder (docs/results.md): manifest.json, metrics.json, timings.json,
/// per_user.csv, segments.csv, per_step.csv (prequential), comparison.json (when the spec has a
/// `compare` block), report.md and report.html, into a temporary folder renamed into place
/// when complete.
public enum ResultsWriter {
    /// Writes `result` to the folder `out`, replacing an older one only when complete.
    public static func write(_ result: RunResult, to out: String, extra: [String: String] = [:]) throws {
        if result.shard != nil { return try ShardFolder.write(result, to: out) }
        let metrics = metricsJSON(result)
        let perUser = perUserCSV(result)
        let timings = timingsJSON(result)
        let manifest = try manifestJSON(result)
        let report = MarkdownReport.render(result)
        try AtomicIO.produceFolder(at: out) { tmp in
            try keepCells(from: out, into: tmp)
            func put(_ name: String, _ text: String) throws {
                try Data(text.utf8).write(to: URL(fileURLWithPath: tmp).appendingPathComponent(name))
            }
            try put("manifest.json", JSONWriter.string(manifest))
            try put("metrics.json", JSONWriter.string(metrics))
            try put("timings.json", JSONWriter.string(timings))
            try put("per_user.csv", perUser)
            try put("segments.csv", segmentsCSV(result))
            if result.variants.contains(where: { $0.perStep != nil }) { try put("per_step.csv", perStepCSV(result)) }
            if !result.prePeriod.isEmpty { try put("pre_period.csv", prePeriodCSV(result)) }
            for (name, text) in extra { try put(name, text) }
            if result.variants.contains(where: { $0.training != nil }) {
                try put("training.csv", trainingCSV(result))
                for v in result.variants {
                    guard let t = v.training else { continue }
                    let url = URL(fileURLWithPath: tmp).appendingPathComponent(weightsFile(v))
                    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try t.weights.write(to: url)
                }
            }
            // The comparison and the HTML report are computed from the files just written, as
            // `compare` computes them from a folder on disk: one code path, the same numbers.
            let folder = try ResultsFolder.load(tmp)
            var markdown = report
            var comparison: ComparisonDocument? = nil
            if result.spec.compare != nil {
                let doc = try ComparisonDocument.within(folder, settings: ComparisonSettings.resolve(folder))
                try put("comparison.json", JSONWriter.string(doc.json()))
                markdown = MarkdownReport.replacingComparison(in: markdown, with: MarkdownReport.comparisonSection(doc))
                comparison = doc
            }
            try put("report.md", markdown)
            try put("report.html", HTMLReport.render(folder, comparison: comparison))
        }
    }

    /// Moves the finished cells of an earlier run of `out` (`.cells/`, for `run --resume`) into
    /// the folder that replaces it.
    static func keepCells(from out: String, into tmp: String) throws {
        let cells = URL(fileURLWithPath: out).appendingPathComponent(".cells").path
        guard FileManager.default.fileExists(atPath: cells) else { return }
        try FileManager.default.moveItem(atPath: cells, toPath: URL(fileURLWithPath: tmp).appendingPathComponent(".cells").path)
    }

    /// Whether the per-user files have a `case` column: when a protocol ranks evaluation cases.
    static func hasCases(_ r: RunResult) -> Bool { r.spec.protocols.contains(where: \.isCases) }

    /// The `user` field, and with a `case` column `,case` (the case's row in its split; empty
    /// under the other protocols), of a per-user row: `unit` is a dense user id, or a case row
    /// under a `cases` protocol.
    static func unitFields(_ r: RunResult, _ p: ProtocolSpec, _ unit: Int32) -> String {
        guard hasCases(r) else { return csvField(r.userIDs[Int(unit)]) }
        if let rows = r.caseUsers[p.id] { return csvField(r.userIDs[Int(rows[Int(unit)])]) + ",\(unit)" }
        return csvField(r.userIDs[Int(unit)]) + ","
    }

    /// `user` or `user,case`.
    static func unitHeader(_ r: RunResult) -> String { hasCases(r) ? "user,case" : "user" }

    /// `protocol,user[,case],history_events,drift`: the per-user covariates that segment comparisons.
    public static func segmentsCSV(_ r: RunResult) -> String {
        var out = "protocol,\(unitHeader(r)),history_events,drift\n"
        for (p, users) in r.covariates {
            let prefix = csvField(p.id) + ","
            for c in users {
                out += prefix + unitFields(r, p, c.user) + ",\(c.historyEvents)," + JSONWriter.format(c.drift) + "\n"
            }
        }
        return out
    }

    /// `protocol,encoder,reduction,user,<metric>…`: each user's pre-period metrics (static profile
    /// of the history before its last quarter, ranked against that quarter), CUPED's covariate.
    public static func prePeriodCSV(_ r: RunResult) -> String {
        let metrics = r.spec.metrics.filter { $0.family != .coverage }
        var out = "protocol,encoder,reduction,\(unitHeader(r))," + metrics.map(\.name).joined(separator: ",") + "\n"
        for (p, encoder, reduction, rows) in r.prePeriod {
            let prefix = [p.id, encoder, reduction].map(csvField).joined(separator: ",") + ","
            for (u, values) in rows {
                out += prefix + unitFields(r, p, u) + "," + values.map { JSONWriter.format($0) }.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// `protocol,variant,step,lists,<metric>…`: prequential variants' metric means at each step.
    public static func perStepCSV(_ r: RunResult) -> String {
        let metrics = r.spec.metrics.filter { $0.family != .coverage }
        var out = "protocol,variant,step,lists," + metrics.map(\.name).joined(separator: ",") + "\n"
        for v in r.variants {
            guard let steps = v.perStep else { continue }
            for (j, s) in steps.enumerated() {
                out += csvField(v.protocolSpec.id) + "," + csvField(v.variant.id) + ",\(j),\(s.lists),"
                out += s.values.map { JSONWriter.format($0) }.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    /// The deterministic metrics document.
    public static func metricsJSON(_ r: RunResult) -> JSONValue {
        let variants: [JSONValue] = r.variants.map { v in
            var members: [(String, JSONValue)] = [
                ("id", .string(v.variant.id)),
                ("protocol", .string(v.protocolSpec.id)),
                ("encoder", .string(v.variant.encoder.id)),
                ("strategy", v.variant.run.map { run in
                    .object([("name", .string(v.variant.strategyName)), ("run", .string(run.name)), ("file", .string(run.file))])
                } ?? .object([("name", .string(v.variant.strategy.name))] + v.variant.strategy.parameters.map { k, p in
                    switch p {
                    case .number(let d): return (k, d == d.rounded() && abs(d) < 1e15 ? .int(Int(d)) : .double(d))
                    case .text(let s): return (k, .string(s))
                    }
                })),
                ("reduction", .object([("method", .string(v.variant.reduction.method))] + (v.variant.reduction.components.map { [("components", .int($0))] } ?? []))),
            ]
            members.append(("metrics", .object(v.summaries.map { m, s in
                (m.name, .object([
                    ("mean", .double(s.mean)),
                    ("ci95", s.ci95.map { .array([.double($0.lo), .double($0.hi)]) } ?? .null),
                    ("n", .int(s.n)),
                ]))
            })))
            members.append(("skipped_users", .int(v.skippedUsers)))
            if let m = v.missingLists { members.append(("missing_lists", .int(m))) }
            if let s = v.skippedSteps { members.append(("skipped_steps", .int(s))) }
            return .object(members)
        }
        return .object([
            ("metric_dialect", .string("trec")),
            ("name", .string(r.spec.name)),
            ("variants", .array(variants)),
        ])
    }

    /// `[protocol,]variant,user[,case],<metric>…`: one row per scored user (per case, under a
    /// `cases` protocol) and variant; the protocol column appears when the spec has more than one
    /// protocol, the case column when one of them is `cases`.
    public static func perUserCSV(_ r: RunResult) -> String {
        let multi = r.spec.protocols.count > 1
        let metrics = r.spec.metrics.filter { $0.family != .coverage }
        var out = (multi ? "protocol," : "") + "variant,\(unitHeader(r))," + metrics.map(\.name).joined(separator: ",") + "\n"
        for v in r.variants {
            let prefix = (multi ? csvField(v.protocolSpec.id) + "," : "") + csvField(v.variant.id) + ","
            for (u, values) in v.perUser {
                out += prefix + unitFields(r, v.protocolSpec, u) + "," + values.map { JSONWriter.format($0) }.joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    /// Where a learned variant's weights go in the folder: `weights/<protocol>/<variant id>.safetensors`.
    public static func weightsFile(_ v: VariantResult) -> String {
        "weights/\(v.protocolSpec.id)/\(v.variant.id).safetensors"
    }

    /// training.csv: one row per epoch of every learned variant (its wall-clock columns are not
    /// reproducible; the losses are).
    public static func trainingCSV(_ r: RunResult) -> String {
        var s = "protocol,variant,epoch,train_loss,validation_loss,validation_hit@10,best,examples,events,seconds,examples_per_second,events_per_second\n"
        for v in r.variants {
            guard let t = v.training else { continue }
            for e in t.report.epochs {
                let fields = [csvField(v.protocolSpec.id), csvField(v.variant.id), "\(e.epoch)", "\(e.trainLoss)",
                              e.validationLoss.map { "\($0)" } ?? "", e.validationHitRate.map { "\($0)" } ?? "",
                              e.epoch == t.report.bestEpoch ? "1" : "0", "\(e.examples)", "\(e.events)", "\(e.seconds)",
                              "\(e.examplesPerSecond)", "\(e.eventsPerSecond)"]
                s += fields.joined(separator: ",") + "\n"
            }
        }
        return s
    }

    public static func timingsJSON(_ r: RunResult) -> JSONValue {
        .object([
            ("wall_seconds", .double(r.endTime.timeIntervalSince(r.startTime))),
            ("variants", .array(r.variants.map { v in
                .object([
                    ("id", .string(v.variant.id)),
                    ("protocol", .string(v.protocolSpec.id)),
                    ("update_us_per_event", .double(v.timings.updateMicrosecondsPerEvent)),
                    ("scoring_ms_per_user", .double(v.timings.scoringMillisecondsPerList)),
                    ("profile_seconds", .double(v.timings.profileSeconds)),
                    ("scoring_seconds", .double(v.timings.scoringSeconds)),
                    ("lists", .int(v.timings.lists)),
                    ("peak_memory_bytes", .int(v.timings.peakMemoryBytes)),
                ] + (v.training == nil ? [] : [("training_seconds", .double(v.timings.trainingSeconds))]))
            })),
        ])
    }

    public static func manifestJSON(_ r: RunResult) throws -> JSONValue {
        let iso = ISO8601DateFormatter()
        let specJSON = (try? JSONParser.parse(r.spec.sourceText)) ?? .string(r.spec.sourceText)
        let datasetSHA = (try? Hashing.sha256(file: r.spec.datasetPath)) ?? ""
        return .object([
            ("name", .string(r.spec.name)),
            ("spec_path", .string(r.spec.sourcePath)),
            ("spec", specJSON),
            ("spec_sha256", .string(Hashing.sha256(text: r.spec.sourceText))),
            ("dataset", .string(r.spec.dataset)),
            ("dataset_sha256", .string(datasetSHA)),
            ("dataset_summary", .object([("users", .int(r.datasetSummary.users)), ("items", .int(r.datasetSummary.items)),
                                         ("events", .int(r.datasetSummary.events))])),
            ("weights_sha256", .object(r.weightsSHA256.map { ($0.0, .string($0.1)) })),
            ("tool", .string("profilebench")),
            ("tool_version", .string(profileBenchVersion)),
            ("git_commit", .string(r.gitCommit ?? gitCommit())),
            ("platform", .string(platformDescription())),
            ("seed", .int(Int(r.spec.seed))),
            ("start_time", .string(iso.string(from: r.startTime))),
            ("end_time", .string(iso.string(from: r.endTime))),
            ("warnings", .array(r.warnings.map { .string($0) })),
        ] + trainedWeightsJSON(r))
    }

    /// The manifest's `trained_weights` (each learned variant's weights file and its sha256) and
    /// the BLAS settings those bytes depend on; nothing when no variant trains.
    static func trainedWeightsJSON(_ r: RunResult) -> [(String, JSONValue)] {
        let trained = r.variants.filter { $0.training != nil }
        guard !trained.isEmpty else { return [] }
        let coretype = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""
        return [
            ("blas_threads", .int(r.blasThreads)),
            ("openblas_coretype", .string(coretype)),
            ("trained_weights", .array(trained.map { v in
                let t = v.training!
                return .object([
                    ("protocol", .string(v.protocolSpec.id)), ("variant", .string(v.variant.id)), ("file", .string(weightsFile(v))),
                    ("sha256", .string(Hashing.sha256(data: t.weights))), ("bytes", .int(t.weights.count)),
                    ("epochs", .int(t.report.epochs.count)), ("best_epoch", .int(t.report.bestEpoch)),
                    ("training_users", .int(t.trainingUsers)), ("validation_users", .int(t.validationUsers)),
                    ("training_examples", .int(t.trainingExamples)), ("validation_examples", .int(t.validationExamples)),
                ])
            })),
        ]
    }

    /// The commit of the working tree the tool runs from ($PROFILEBENCH_GIT_COMMIT overrides).
    public static func gitCommit() -> String {
        if let c = ProcessInfo.processInfo.environment["PROFILEBENCH_GIT_COMMIT"], !c.isEmpty { return c }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "rev-parse", "HEAD"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return "unknown" }
        p.waitUntilExit()
        let s = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return p.terminationStatus == 0 && !s.isEmpty ? s : "unknown"
    }

    public static func platformDescription() -> String {
        var u = utsname()
        uname(&u)
        func str<T>(_ t: T) -> String { withUnsafeBytes(of: t) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) } }
        return "\(str(u.sysname)) \(str(u.release)) \(str(u.machine)), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
}
