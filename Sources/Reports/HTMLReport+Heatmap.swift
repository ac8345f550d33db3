import Comparisons
import Results
import Foundation

extension HTMLReport {
    /// One metric under one protocol as encoder × strategy grids: one HTML table per reduction
    /// (side by side, scrolling inside their own box), rows the strategy ids, columns the
    /// encoders, each cell the mean with its 95% interval. The cell colour deepens with the
    /// value on one scale shared by the reductions' grids, so they compare at a glance; each
    /// grid's best mean is marked with a bold border and ★ (every cell at that mean, on a tie).
    /// Tables rather than SVG: the cells are text, wrap and scroll like the other tables, and
    /// are not counted as charts.
    static func heatmaps(_ rows: [VariantEntry], metric: String, colours: StrategyColours) -> String {
        let reductions = distinct(rows.map(\.reductionID))
        let values = rows.compactMap { $0.mean(metric) }.filter(\.isFinite)
        let lo = values.min() ?? 0, hi = values.max() ?? 0
        var s = "<div class=\"heatmaps scroll\">\n"
        for r in reductions {
            let grid = rows.filter { $0.reductionID == r }
            let strategies = distinct(grid.map(\.strategyID)), encoders = distinct(grid.map(\.encoder))
            let best = grid.compactMap { $0.mean(metric) }.filter(\.isFinite).max()
            s += "<table class=\"heatmap\" data-metric=\"\(esc(metric))\" data-reduction=\"\(esc(r))\">\n"
            s += "<caption>reduction <code>\(esc(r))</code></caption>\n"
            s += "<thead><tr><th class=\"corner\">strategy \\ encoder</th>" + encoders.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for st in strategies {
                let first = grid.first { $0.strategyID == st }!
                let colour = colours.colour(first)
                s += "<tr><th class=\"strategy\" style=\"border-left-color:\(colour)\">\(swatch(colour, strategy: st))<span class=\"sid\">\(breakable(st))</span></th>"
                for e in encoders {
                    guard let v = grid.first(where: { $0.strategyID == st && $0.encoder == e }), let mean = v.mean(metric) else {
                        s += "<td class=\"hm-empty\">–</td>"
                        continue
                    }
                    let t = hi > lo ? (mean - lo) / (hi - lo) : 0.5
                    let bg = heat(t)
                    let isBest = mean.isFinite && mean == best && grid.count > 1
                    let ci = v.intervals[metric]
                    s += "<td class=\"hm-cell\(isBest ? " best" : "")\" data-variant=\"\(esc(v.id))\" data-mean=\"\(mean)\" "
                    s += "style=\"background:\(bg);color:\(luminance(bg) < 0.55 ? "#ffffff" : "#1f2328")\" "
                    s += "title=\"\(esc(v.id)): \(fmt(mean, 4))\(ci.map { " [\(fmt($0.lo, 4)), \(fmt($0.hi, 4))]" } ?? "")\(isBest ? ", best of this grid" : "")\">"
                    s += "<span class=\"v\">\(isBest ? "★ " : "")\(fmt(mean, 4))</span>"
                    if let ci { s += "<span class=\"ci\">\(fmt(ci.lo, 4))–\(fmt(ci.hi, 4))</span>" }
                    s += "</td>"
                }
                s += "</tr>\n"
            }
            s += "</tbody>\n</table>\n"
        }
        return s + "</div>\n"
    }

    /// `s` with a line-break opportunity after each comma and opening parenthesis (long strategy ids in narrow cells).
    static func breakable(_ s: String) -> String {
        esc(s).replacingOccurrences(of: ",", with: ",<wbr>").replacingOccurrences(of: "(", with: "(<wbr>")
    }

    /// The distinct values of `xs` in first-appearance order.
    static func distinct(_ xs: [String]) -> [String] {
        var out: [String] = [], seen = Set<String>()
        for x in xs where seen.insert(x).inserted { out.append(x) }
        return out
    }
}
