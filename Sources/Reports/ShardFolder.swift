import AtomicIO
import Comparisons
import Experiments
import Foundation
import Results
import JSON
import Runner

/// A shard's partial results folder (`run --shard i/N`) and `merge`, which puts the shards of a
/// grid back together into the folder an unsharded run writes, byte for byte (docs/results.md,
/// docs/cluster.md).
///
/// A shard folder holds manifest.json (with a `shard` member), metrics.json, per_user.csv and
/// timings.json of its own part — readable on their own — and the exact values `merge` needs:
/// `shard.rec` (the spec's text, the dataset's content hash, the segments' covariates, the
/// pre-period values, the user ids) and `cells/<k>.rec`, one ``VariantResult`` record per cell,
/// with every per-user (and per-step) value as float64 bits.
public enum ShardFolder {
    static func write(_ r: RunResult, to out: String) throws {
        guard let shard = r.shard else { preconditionFailure("ShardFolder.write needs a shard") }
        let runner = ExperimentRunner(spec: r.spec)
        let missing = Set(runner.missingListsWarnings(r.variants))
        var header: [(String, JSONValue)] = [
            ("format", .int(1)),
            ("shard", .object([("index", .int(shard.index)), ("count", .int(shard.count)), ("by", .string(shard.by.rawValue))])),
            ("spec_path", .string(r.spec.sourcePath)), ("spec_text", .string(r.spec.sourceText)),
            ("spec_sha256", .string(Hashing.sha256(text: r.spec.sourceText))),
            ("dataset_content_sha256", .string(r.datasetFingerprint)),
            ("git_commit", .string(r.gitCommit ?? ResultsWriter.gitCommit())), ("tool_version", .string(profileBenchVersion)),
            ("weights_sha256", .array(r.weightsSHA256.map { .array([.string($0.0), .string($0.1)]) })),
            ("dataset_summary", .array([.int(r.datasetSummary.users), .int(r.datasetSummary.items), .int(r.datasetSummary.events)])),
            ("warnings", .array(r.warnings.filter { !missing.contains($0) }.map { .string($0) })),
            ("blas_threads", .int(r.blasThreads)),
            ("start_time", .double(r.startTime.timeIntervalSince1970)), ("end_time", .double(r.endTime.timeIntervalSince1970)),
            ("cells", .array(r.variants.enumerated().map { k, v in .array([.string(v.protocolSpec.id), .string(v.variant.id), .string("cells/\(k).rec")]) })),
            ("covariates", .array(r.covariates.map { .array([.string($0.protocolSpec.id), .int($0.users.count)]) })),
            ("pre_period", .array(r.prePeriod.map { e in
                .array([.string(e.protocolSpec.id), .string(e.encoder), .string(e.reduction), .int(e.perUser.count), .int(e.perUser.first?.values.count ?? 0)])
            })),
            ("case_users", .array(r.caseUsers.keys.sorted().map { .array([.string($0), .int(r.caseUsers[$0]!.count)]) })),
        ]
        header.append(("user_count", .int(r.userIDs.count)))
        var rec = BinaryRecord(header: header)
        rec.add("user_ids", bytes: Data(r.userIDs.joined(separator: "\u{0}").utf8))
        for (i, c) in r.covariates.enumerated() {
            rec.add("cov\(i)_users", ints: c.users.map(\.unit))
            rec.add("cov\(i)_history", ints: c.users.map { Int32($0.historyEvents) })
            rec.add("cov\(i)_drift", doubles: c.users.map(\.drift))
        }
        for (j, e) in r.prePeriod.enumerated() {
            rec.add("pre\(j)_units", ints: e.perUser.map(\.user))
            rec.add("pre\(j)_values", doubles: e.perUser.flatMap(\.values))
        }
        for key in r.caseUsers.keys.sorted() { rec.add("case_\(key)", ints: r.caseUsers[key]!) }

        let folder = ResultsFolder(run: r, path: out)
        var manifest = folder.manifest.json
        if case .object(var members) = manifest {
            members.append(("shard", .object([("index", .int(shard.index)), ("count", .int(shard.count)), ("by", .string(shard.by.rawValue))])))
            manifest = .object(members)
        }
        try AtomicIO.produceFolder(at: out) { tmp in
            try ResultsFolder.keepCells(from: out, into: tmp)
            func put(_ name: String, _ data: Data) throws {
                let url = URL(fileURLWithPath: tmp).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
            }
            try put("manifest.json", Data(JSONWriter.string(manifest).utf8))
            try put("metrics.json", Data(JSONWriter.string(folder.metrics.json).utf8))
            try put("per_user.csv", Data(folder.perUser.csv.utf8))
            try put("timings.json", Data(JSONWriter.string(folder.timings.json).utf8))
            try put("shard.rec", rec.encoded())
            for (k, v) in r.variants.enumerated() { try put("cells/\(k).rec", v.record().encoded()) }
        }
    }
}

/// Puts shard folders back together (see ``ShardFolder``).
public enum ShardMerge {
    struct Part {
        var folder: String
        var record: BinaryRecord
        var index: Int, count: Int, by: Shard.By
    }

    static func fail(_ s: String) -> ResultsError { ResultsError(s) }

    /// Checks that `folders` are the complete, disjoint shards of one run (same spec, dataset
    /// content, encoder weights, code and shard count) and returns the run they make up.
    public static func merge(_ folders: [String]) throws -> RunResult {
        guard !folders.isEmpty else { throw fail("merge: no shard folders given") }
        var parts: [Part] = []
        for f in folders {
            let path = URL(fileURLWithPath: f).appendingPathComponent("shard.rec").path
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: f, isDirectory: &isDir), isDir.boolValue else { throw fail("\(f): no such folder") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw fail("\(path): no such file (\(f) is not a shard folder written by run --shard, or it is incomplete)")
            }
            let rec = try BinaryRecord(decoding: data, file: path)
            guard let s = rec["shard"], let i = s["index"]?.intValue, let n = s["count"]?.intValue,
                  let by = s["by"]?.stringValue.flatMap(Shard.By.init(rawValue:)) else { throw fail("\(path): has no shard index, count and kind") }
            parts.append(Part(folder: f, record: rec, index: i, count: n, by: by))
        }
        let first = parts[0]
        for p in parts.dropFirst() {
            for key in ["spec_sha256", "dataset_content_sha256", "weights_sha256", "git_commit", "tool_version"] where p.record[key] != first.record[key] {
                let a = p.record[key].map { JSONWriter.string($0, pretty: false) } ?? "none", b = first.record[key].map { JSONWriter.string($0, pretty: false) } ?? "none"
                throw fail("\(p.folder): is not a shard of the same run as \(first.folder): its \(key) is \(a), not \(b)")
            }
            guard p.count == first.count, p.by == first.by else {
                throw fail("\(p.folder): is shard \(p.index)/\(p.count) by \(p.by.rawValue), but \(first.folder) is one of \(first.count) by \(first.by.rawValue)")
            }
        }
        var byIndex: [Int: Part] = [:]
        for p in parts {
            if let other = byIndex[p.index] { throw fail("\(p.folder): shard \(p.index)/\(p.count) is given twice (also \(other.folder))") }
            byIndex[p.index] = p
        }
        let missing = (0..<first.count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw fail("merge: shard\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(first.count)" }.joined(separator: ", ")) missing (given: \(parts.map { "\($0.folder) = \($0.index)/\($0.count)" }.joined(separator: ", ")))")
        }
        let ordered = (0..<first.count).map { byIndex[$0]! }
        let h = first.record
        guard let specText = h["spec_text"]?.stringValue, let specPath = h["spec_path"]?.stringValue else { throw fail("\(first.folder)/shard.rec: has no spec") }
        let spec = try SpecParser.parse(text: specText, path: specPath)

        // The cells, each from every shard (by users) or from the one that ran it (by cells).
        var cells: [String: [(Part, VariantResult)]] = [:]
        for p in ordered {
            guard let list = p.record["cells"]?.arrayValue else { throw fail("\(p.folder)/shard.rec: has no cell list") }
            for entry in list {
                guard let e = entry.arrayValue, e.count == 3, let pid = e[0].stringValue, let vid = e[1].stringValue, let file = e[2].stringValue else {
                    throw fail("\(p.folder)/shard.rec: a cell entry must be [protocol, variant, file]")
                }
                guard let proto = spec.protocols.first(where: { $0.id == pid }), let variant = spec.variants.first(where: { $0.id == vid }) else {
                    throw fail("\(p.folder)/shard.rec: names a cell the spec does not have (\(pid) \(vid))")
                }
                let path = URL(fileURLWithPath: p.folder).appendingPathComponent(file).path
                guard let data = FileManager.default.contents(atPath: path) else { throw fail("\(path): no such file (the shard folder is incomplete)") }
                let v = try VariantResult(record: BinaryRecord(decoding: data, file: path), protocolSpec: proto, variant: variant, file: path)
                cells["\(pid)\u{1}\(vid)", default: []].append((p, v))
            }
        }
        var variants: [VariantResult] = []
        for c in spec.cellOrder {
            let got = cells["\(c.protocolID)\u{1}\(c.variantID)"] ?? []
            let expected = first.by == .users ? first.count : 1
            guard got.count == expected else {
                throw fail("merge: cell \(c.protocolID) \(c.variantID) is in \(got.count) of the shards, expected \(expected)"
                           + (got.isEmpty ? "" : " (\(got.map(\.0.folder).joined(separator: ", ")))"))
            }
            var v = try combine(got.map(\.1), folders: got.map(\.0.folder))
            v.summarize(metrics: spec.metrics, seed: spec.seed, bootstrapResamples: 1000)
            variants.append(v)
        }

        // Covariates and pre-period values: per unit, so by users the shards' lists interleave;
        // by cells every shard computed them all.
        let sources = first.by == .users ? ordered : [first]
        var covariates: [(protocolSpec: ProtocolSpec, users: [UserCovariate])] = []
        for (i, entry) in (h["covariates"]?.arrayValue ?? []).enumerated() {
            guard let pid = entry.arrayValue?.first?.stringValue, let proto = spec.protocols.first(where: { $0.id == pid }) else { throw fail("\(first.folder)/shard.rec: bad covariates entry \(i)") }
            var users: [UserCovariate] = []
            for p in sources {
                let file = "\(p.folder)/shard.rec"
                guard let n = p.record["covariates"]?.arrayValue?[i].arrayValue?[1].intValue else { throw fail("\(file): bad covariates entry \(i)") }
                let u = try p.record.ints("cov\(i)_users", count: n, file: file), hist = try p.record.ints("cov\(i)_history", count: n, file: file)
                let drift = try p.record.doubles("cov\(i)_drift", count: n, file: file)
                for k in 0..<n { users.append(UserCovariate(unit: u[k], historyEvents: Int(hist[k]), drift: drift[k])) }
            }
            users.sort { $0.unit < $1.unit }
            covariates.append((proto, users))
        }
        var prePeriod: [(protocolSpec: ProtocolSpec, encoder: String, reduction: String, perUser: [(user: Int32, values: [Double])])] = []
        for (j, entry) in (h["pre_period"]?.arrayValue ?? []).enumerated() {
            guard let e = entry.arrayValue, e.count == 5, let pid = e[0].stringValue, let enc = e[1].stringValue, let red = e[2].stringValue,
                  let proto = spec.protocols.first(where: { $0.id == pid }) else { throw fail("\(first.folder)/shard.rec: bad pre_period entry \(j)") }
            var rows: [(user: Int32, values: [Double])] = []
            for p in sources {
                let file = "\(p.folder)/shard.rec"
                guard let f = p.record["pre_period"]?.arrayValue?[j].arrayValue, let n = f[3].intValue, let m = f[4].intValue else { throw fail("\(file): bad pre_period entry \(j)") }
                let u = try p.record.ints("pre\(j)_units", count: n, file: file), x = try p.record.doubles("pre\(j)_values", count: n * m, file: file)
                for k in 0..<n { rows.append((u[k], Array(x[(k * m)..<((k + 1) * m)]))) }
            }
            rows.sort { $0.user < $1.user }
            prePeriod.append((proto, enc, red, rows))
        }
        var caseUsers: [String: [Int32]] = [:]
        for entry in h["case_users"]?.arrayValue ?? [] {
            guard let e = entry.arrayValue, let pid = e[0].stringValue, let n = e[1].intValue else { continue }
            caseUsers[pid] = try h.ints("case_\(pid)", count: n, file: "\(first.folder)/shard.rec")
        }
        let ids = String(decoding: try h.blob("user_ids", file: "\(first.folder)/shard.rec"), as: UTF8.self)
        let userIDs = ids.isEmpty ? [] : ids.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        let summary = h["dataset_summary"]?.arrayValue?.compactMap(\.intValue) ?? [0, 0, 0]
        let weights = (h["weights_sha256"]?.arrayValue ?? []).compactMap { e -> (String, String)? in
            guard let a = e.arrayValue, a.count == 2, let k = a[0].stringValue, let v = a[1].stringValue else { return nil }
            return (k, v)
        }
        let runner = ExperimentRunner(spec: spec)
        let warnings = (h["warnings"]?.arrayValue ?? []).compactMap(\.stringValue) + runner.missingListsWarnings(variants)
        let start = ordered.compactMap { $0.record["start_time"]?.doubleValue }.min() ?? 0
        let end = ordered.compactMap { $0.record["end_time"]?.doubleValue }.max() ?? 0
        var result = RunResult(spec: spec, variants: variants, userIDs: userIDs, warnings: warnings,
                               startTime: Date(timeIntervalSince1970: start), endTime: Date(timeIntervalSince1970: end),
                               weightsSHA256: weights, datasetSummary: (summary[0], summary[1], summary[2]), covariates: covariates,
                               caseUsers: caseUsers, prePeriod: prePeriod, blasThreads: h["blas_threads"]?.intValue ?? 0,
                               gitCommit: h["git_commit"]?.stringValue)
        result.datasetFingerprint = h["dataset_content_sha256"]?.stringValue ?? ""
        return result
    }

    /// One cell from its shards' parts: units interleaved in unit order, counts summed, the
    /// covered items united; a learned cell's training (the same in every shard) from the first.
    static func combine(_ parts: [VariantResult], folders: [String]) throws -> VariantResult {
        var v = parts[0]
        guard parts.count > 1 else { return v }
        var rows: [(unit: Int32, values: [Double], steps: [[Double]]?)] = []
        for p in parts {
            for (k, u) in p.perUser.enumerated() { rows.append((u.user, u.values, p.stepValues?[k])) }
        }
        rows.sort { $0.unit < $1.unit }
        for k in 1..<rows.count where rows[k].unit == rows[k - 1].unit {
            throw fail("merge: unit \(rows[k].unit) of \(v.protocolSpec.id) \(v.variant.id) is in two shards: the shards overlap")
        }
        v.perUser = rows.map { ($0.unit, $0.values) }
        if v.stepValues != nil { v.stepValues = rows.map { $0.steps ?? [] } }
        v.skippedUsers = parts.reduce(0) { $0 + $1.skippedUsers }
        if v.skippedSteps != nil { v.skippedSteps = parts.reduce(0) { $0 + ($1.skippedSteps ?? 0) } }
        if v.missingLists != nil { v.missingLists = parts.reduce(0) { $0 + ($1.missingLists ?? 0) } }
        v.covered = v.covered.indices.map { i in Array(Set(parts.flatMap { $0.covered[i] })).sorted() }
        var t = v.timings
        t.lists = parts.reduce(0) { $0 + $1.timings.lists }
        t.profileSeconds = parts.reduce(0) { $0 + $1.timings.profileSeconds }
        t.scoringSeconds = parts.reduce(0) { $0 + $1.timings.scoringSeconds }
        t.peakMemoryBytes = parts.map(\.timings.peakMemoryBytes).max() ?? 0
        t.scoringMillisecondsPerList = t.lists > 0 ? t.scoringSeconds * 1e3 / Double(t.lists) : 0
        v.timings = t
        for (p, folder) in zip(parts, folders) where p.training?.weights != v.training?.weights {
            throw fail("\(folder): trained other weights for \(v.protocolSpec.id) \(v.variant.id) than \(folders[0]) (another BLAS thread count or CPU kernel?)")
        }
        return v
    }
}
