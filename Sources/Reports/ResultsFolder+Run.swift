import Experiments
import Foundation
import JSON
import Results
import Runner

extension ResultsFolder {
    /// The results folder of a finished run, built in memory (nothing is read back from disk):
    /// what ``ResultsWriter/write(_:to:)`` writes and the reports are rendered from.
    public init(run r: RunResult, path: String) {
        let spec = r.spec
        let perUserMetrics = spec.metrics.filter { $0.family != .coverage }.map(\.name)
        let hasCases = spec.protocols.contains(where: \.isCases)
        /// The unit of a per-user row: a dense user id, or a case row under a `cases` protocol.
        func unit(_ p: ProtocolSpec, _ u: Int32) -> ResultUnit {
            guard hasCases, let rows = r.caseUsers[p.id] else { return ResultUnit(user: r.userIDs[Int(u)]) }
            return ResultUnit(user: r.userIDs[Int(rows[Int(u)])], case: "\(u)")
        }
        var perUser = PerUserTable(metrics: perUserMetrics, hasProtocolColumn: spec.protocols.count > 1, hasCaseColumn: hasCases)
        for v in r.variants {
            perUser.append(VariantKey(protocolID: v.protocolSpec.id, id: v.variant.id),
                           PerUserTable.Rows(units: v.perUser.map { unit(v.protocolSpec, $0.user) }, values: v.perUser.flatMap(\.values)))
        }
        let segments = SegmentTable(hasCaseColumn: hasCases, protocols: r.covariates.map { p, users in
            (p.id, users.map { SegmentCovariate(unit: unit(p, $0.unit), historyEvents: $0.historyEvents, drift: $0.drift) })
        })
        let metrics = MetricsDocument(name: spec.name, variants: r.variants.map { v in
            VariantEntry(protocolID: v.protocolSpec.id, id: v.variant.id, encoder: v.variant.encoder.id, strategy: StrategyRecord(v.variant),
                         reduction: ReductionRecord(method: v.variant.reduction.method, components: v.variant.reduction.components),
                         summaries: v.summaries.map { MetricValue(metric: $0.metric.name, mean: $0.summary.mean, ci95: $0.summary.ci95, n: $0.summary.n) },
                         skippedUsers: v.skippedUsers, missingLists: v.missingLists, skippedSteps: v.skippedSteps)
        })
        let timings = Timings(wallSeconds: r.endTime.timeIntervalSince(r.startTime), variants: r.variants.map { v in
            var measured = v.timings
            if v.training == nil { measured.trainingSeconds = nil }   // timings.json names training time for learned variants only
            return Timings.Variant(id: v.variant.id, protocolID: v.protocolSpec.id, measured: measured)
        })
        self.init(path: path, manifest: Manifest(run: r), spec: spec, metrics: metrics, timings: timings, perUser: perUser, segments: segments)
        if r.variants.contains(where: { $0.perStep != nil }) {
            perStepMetrics = perUserMetrics
            perStep = r.variants.flatMap { v in
                (v.perStep ?? []).enumerated().map { j, s in
                    PerStepRow(protocolID: v.protocolSpec.id, variant: v.variant.id, step: j, lists: s.lists,
                               values: zip(perUserMetrics, s.values).map { ($0, $1) })
                }
            }
        }
        if !r.prePeriod.isEmpty {
            prePeriod = PrePeriodTable(metrics: perUserMetrics, hasCaseColumn: hasCases, groups: r.prePeriod.map { p, encoder, reduction, rows in
                PrePeriodTable.Group(protocolID: p.id, encoder: encoder, reduction: reduction, units: rows.map { unit(p, $0.user) },
                                     values: rows.flatMap(\.values))
            })
        }
        let trained = r.variants.filter { $0.training != nil }
        if !trained.isEmpty {
            trainingEpochs = trained.flatMap { v in
                let t = v.training!
                return t.report.epochs.map { e in
                    TrainingEpoch(protocolID: v.protocolSpec.id, variant: v.variant.id, epoch: e.epoch, trainLoss: e.trainLoss,
                                  validationLoss: e.validationLoss, validationHitRate: e.validationHitRate, best: e.epoch == t.report.bestEpoch,
                                  examples: e.examples, events: e.events, seconds: e.seconds, examplesPerSecond: e.examplesPerSecond,
                                  eventsPerSecond: e.eventsPerSecond)
                }
            }
            weights = trained.map { (ResultsWriter.weightsFile($0), $0.training!.weights) }
        }
    }
}

extension Manifest {
    /// The manifest of a finished run: the spec and its sha256, the dataset's, the encoders'
    /// weights', the code's commit, the platform and the times.
    public init(run r: RunResult) {
        let iso = ISO8601DateFormatter()
        self.init(name: r.spec.name, specPath: r.spec.sourcePath,
                  specJSON: (try? JSONParser.parse(r.spec.sourceText)) ?? .string(r.spec.sourceText),
                  specSHA256: Hashing.sha256(text: r.spec.sourceText), dataset: r.spec.dataset,
                  datasetSHA256: (try? Hashing.sha256(file: r.spec.datasetPath)) ?? "",
                  datasetSummary: r.datasetSummary, weightsSHA256: r.weightsSHA256.map { ($0.0, $0.1) }, tool: "profilebench",
                  toolVersion: profileBenchVersion, gitCommit: r.gitCommit ?? ResultsWriter.gitCommit(),
                  platform: ResultsWriter.platformDescription(), seed: Int(r.spec.seed), startTime: iso.string(from: r.startTime),
                  endTime: iso.string(from: r.endTime), warnings: r.warnings)
        let trained = r.variants.filter { $0.training != nil }
        guard !trained.isEmpty else { return }
        blasThreads = r.blasThreads
        openblasCoretype = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? ""
        trainedWeights = trained.map { v in
            let t = v.training!
            return TrainedWeights(protocolID: v.protocolSpec.id, variant: v.variant.id, file: ResultsWriter.weightsFile(v),
                                  sha256: Hashing.sha256(data: t.weights), bytes: t.weights.count, epochs: t.report.epochs.count,
                                  bestEpoch: t.report.bestEpoch, trainingUsers: t.trainingUsers, validationUsers: t.validationUsers,
                                  trainingExamples: t.trainingExamples, validationExamples: t.validationExamples)
        }
    }
}
