import Comparisons
import Results
import Foundation

extension HTMLReport {
    /// Colour means strategy, everywhere in report.html: bars, heatmap row headers, forest-plot
    /// labels, per-step lines, training curves, comparison tables and the legend at the top.
    ///
    /// Each strategy NAME has one fixed hue (``palette``, the Tableau 10 colours), the same in
    /// every run whatever the spec's order; names outside the list share ``fallback``.
    ///
    /// Shading rule: when a run has K > 1 strategy ids of one name (`decay(half_life_days=7)` and
    /// `decay(half_life_days=14)`), the k-th of them (k = 0…K−1, in metrics.json order) gets the
    /// hue mixed with black (k below the middle) or with white (above it) by
    /// 0.7 · |k/(K−1) − ½|: from 35% darker to 35% lighter, the hue itself in the middle. A
    /// name with one id gets the hue itself. The colours depend only on the folder's variants,
    /// so every chart of a report gives a variant the same colour.
    struct StrategyColours {
        /// Strategy name → hue.
        static let palette: [(name: String, hex: String)] = [
            ("static", "#4e79a7"), ("mean", "#f28e2b"), ("decay", "#e15759"), ("concat", "#76b7b2"),
            ("last", "#edc948"), ("interests", "#59a14f"), ("attention", "#b07aa1"), ("mlp", "#ff9da7"),
            ("online", "#9c755f"), ("run", "#bab0ac"),
        ]
        /// The hue of a strategy name not in ``palette``.
        static let fallback = "#17becf"

        /// Strategy names in legend order (palette order, then unknown names as they appear), each
        /// with its ids in metrics.json order.
        private(set) var groups: [(name: String, ids: [String])] = []
        private var byID: [String: String] = [:]
        private var nameOfID: [String: String] = [:]

        init(_ variants: [VariantEntry]) {
            var seen: [(name: String, ids: [String])] = []
            for v in variants {
                if let i = seen.firstIndex(where: { $0.name == v.strategyName }) {
                    if !seen[i].ids.contains(v.strategyID) { seen[i].ids.append(v.strategyID) }
                } else { seen.append((v.strategyName, [v.strategyID])) }
            }
            let known = Self.palette.map(\.name)
            groups = known.compactMap { n in seen.first { $0.name == n } } + seen.filter { !known.contains($0.name) }
            for g in groups {
                let base = Self.hue(g.name)
                for (k, id) in g.ids.enumerated() {
                    let key = Self.key(g.name, id)
                    guard byID[key] == nil else { continue }
                    let t = g.ids.count > 1 ? 0.7 * (Double(k) / Double(g.ids.count - 1) - 0.5) : 0
                    byID[key] = t < 0 ? mix(base, "#000000", -t) : t > 0 ? mix(base, "#ffffff", t) : base
                    if nameOfID[id] == nil { nameOfID[id] = g.name }
                }
            }
        }

        static func hue(_ name: String) -> String { palette.first { $0.name == name }?.hex ?? fallback }
        private static func key(_ name: String, _ id: String) -> String { name + "\u{1}" + id }

        /// The colour of strategy `id` of strategy `name`.
        func colour(name: String, id: String) -> String { byID[Self.key(name, id)] ?? Self.hue(name) }

        /// The colour of a variant's strategy.
        func colour(_ v: VariantEntry) -> String { colour(name: v.strategyName, id: v.strategyID) }

        /// The colour of a strategy id seen in the folder (its name's hue when unknown).
        func colour(strategyID id: String) -> String {
            let name = nameOfID[id] ?? String(id.prefix { $0 != "(" })
            return colour(name: name, id: id)
        }
    }

    /// `a` mixed with `b` by `t` (0: `a`, 1: `b`), as #rrggbb.
    static func mix(_ a: String, _ b: String, _ t: Double) -> String {
        let x = rgb(a), y = rgb(b)
        func c(_ i: Int) -> Int { Int((Double(x[i]) * (1 - t) + Double(y[i]) * t).rounded()) }
        return String(format: "#%02x%02x%02x", c(0), c(1), c(2))
    }

    static func rgb(_ hex: String) -> [Int] {
        let h = Array(hex.dropFirst())
        return (0..<3).map { Int(String(h[2 * $0...2 * $0 + 1]), radix: 16) ?? 0 }
    }

    /// Relative luminance (sRGB weights, no gamma): below about 0.5 wants white text.
    static func luminance(_ hex: String) -> Double {
        let c = rgb(hex)
        return (0.299 * Double(c[0]) + 0.587 * Double(c[1]) + 0.114 * Double(c[2])) / 255
    }

    /// Verdict colours (forest plots, summary matrix, tables): green better, red worse, grey
    /// no detectable difference.
    static func verdictColour(_ v: Verdict) -> String {
        switch v {
        case .better: return "#1a7f37"
        case .worse: return "#cf222e"
        case .noDifference: return "#6e7781"
        }
    }

    static func verdictClass(_ v: Verdict) -> String {
        switch v {
        case .better: return "better"
        case .worse: return "worse"
        case .noDifference: return "same"
        }
    }

    static func verdictGlyph(_ v: Verdict) -> String {
        switch v {
        case .better: return "▲"
        case .worse: return "▼"
        case .noDifference: return "≈"
        }
    }

    /// The heatmaps' sequential scale: `t` in [0, 1] from a pale to a deep indigo.
    static func heat(_ t: Double) -> String {
        let t = t.isFinite ? min(1, max(0, t)) : 0
        return t < 0.5 ? mix("#f3f5fb", "#8c9fd1", t * 2) : mix("#8c9fd1", "#1c2e6e", (t - 0.5) * 2)
    }

    /// A small colour square for HTML (legend, table cells, heatmap rows).
    static func swatch(_ colour: String, strategy id: String) -> String {
        "<span class=\"swatch\" data-strategy=\"\(esc(id))\" style=\"background:\(colour)\"></span>"
    }
}
