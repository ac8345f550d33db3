import Experiments
import Foundation
import Learning

extension ExperimentRunner {
    /// Per protocol, the events its learned strategies may train on (nil when the spec has none
    /// that trains). A protocol that leaves no next-event example is an error naming the first
    /// learned strategy, before anything is encoded or ranked.
    func visibleEvents(querySets: [QuerySet], logs: [EventLog], caseUsers: [String: [Int32]]) throws -> [VisibleEvents?] {
        guard let first = spec.strategies.firstIndex(where: \.trainsModel) else { return querySets.map { _ in nil } }
        var out: [VisibleEvents?] = []
        for (i, (p, qs)) in zip(spec.protocols, querySets).enumerated() {
            let v = VisibleEvents(queries: qs.queries, log: logs[i], unitUser: caseUsers[p.id])
            let examples = v.exampleCount
            guard examples > 0 else {
                let name = spec.strategies[first].name
                throw SpecError(file: spec.sourcePath, path: "strategies[\(first)]",
                                message: "\(name) learns from next-event examples inside the events a protocol lets it see (those before each ranked period), "
                                    + "but protocol \(p.id) leaves none: none of its \(qs.scoredUsers) ranked users has 2 or more such events")
            }
            log("protocol \(p.id): learned strategies train on \(v.corpus.eventCount) visible events of \(v.corpus.userCount) ranked users (\(examples) next-event examples)")
            out.append(v)
        }
        return out
    }

    /// Trains (attention, mlp) or steps (online) one learned variant, then ranks and scores it.
    func evaluateLearned(_ variant: Variant, strategyIndex si: Int, protocol p: ProtocolSpec, queries qs: QuerySet, log eventLog: EventLog,
                         visible: VisibleEvents?, engine: ScoringEngine) throws -> VariantResult {
        resetPeakMemory()
        let items = Matrix<Float>(rows: engine.items.rows, cols: engine.items.dim, values: engine.items.values)
        var t = RankingTimings()
        var outcome: TrainingOutcome?
        let lists: RankedLists
        do {
            switch variant.strategy {
            case .online(let o):
                lists = try engine.rank(qs.queries, timings: &t) { slice, t in
                    try LearnedProfiles.online(slice, spec: o, log: eventLog, items: items, timings: &t)
                }
            default:
                guard let visible else { preconditionFailure("visibleEvents(querySets:logs:) covers every learned strategy") }
                let seed = LearnedProfiles.seed(spec: spec.seed, protocolID: p.id, variantID: variant.id)
                let (model, trained) = try LearnedProfiles.train(variant.strategy, visible: visible, items: items, typeCount: eventLog.typeCount,
                                                                 seed: seed, label: variant.strategy.name, log: log)
                let r = trained.report
                let last = r.epochs.first { $0.epoch == r.bestEpoch }
                log("  trained in \(fixed(trained.seconds, 1)) s: \(r.epochs.count) epochs (best \(r.bestEpoch)\(r.stoppedEarly ? ", stopped early" : "")), "
                    + "\(trained.trainingExamples) examples of \(trained.trainingUsers) users"
                    + (last?.validationLoss.map { ", validation loss \(fixed($0, 4)), hit@10 \(fixed(last?.validationHitRate ?? 0, 4))" } ?? ""))
                outcome = trained
                lists = try engine.rank(qs.queries, timings: &t) { slice, t in
                    try LearnedProfiles.profiles(slice, model: model, log: eventLog, items: items, timings: &t)
                }
            }
        } catch let e as LearningError {
            throw SpecError(file: spec.sourcePath, path: "strategies[\(si)]", message: "\(variant.id) under \(p.id) failed: \(e.message)")
        }
        var result = evaluate(variant, protocol: p, queries: qs, lists: lists, itemCount: engine.items.rows, timings: t)
        result.training = outcome
        result.timings.trainingSeconds = outcome?.seconds ?? 0
        return result
    }
}
