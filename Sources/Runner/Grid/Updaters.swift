import Experiments
import Profiles

/// The spec's strategies mapped onto the Profiles target's updaters (Profiles knows nothing of
/// the spec).
/// Makes the updater of a strategy for vectors of dimension `dim`.
public func makeUpdater(_ strategy: StrategySpec, dim: Int) -> any ProfileUpdater {
    switch strategy {
    case .static: return StaticUpdater(dim: dim)
    case .mean: return MeanUpdater(dim: dim)
    case .decayDays(let h): return DecayUpdater(dim: dim, halfLife: .days(h))
    case .decayEvents(let h): return DecayUpdater(dim: dim, halfLife: .events(h))
    case .concat(let window, _, _): return ConcatUpdater(window: window)
    case .interests(let window, _, _, _): return WeightedWindowUpdater(window: window)
    case .online(let o): return makeOnlineInit(o, dim: dim)
    case .attention, .mlp:
        preconditionFailure("\(strategy.name) profiles come from its trained model (LearnedProfiles), not an updater")
    }
}

/// The formula an `online` profile starts from and absorbs each chunk with.
func makeOnlineInit(_ o: OnlineSpec, dim: Int) -> any AdjustableProfileUpdater {
    switch o.initial {
    case .mean: return MeanUpdater(dim: dim)
    case .decay: return DecayUpdater(dim: dim, halfLife: .events(o.halfLifeEvents ?? 5))
    }
}
