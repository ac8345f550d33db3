import Comparisons
import Results
import Foundation

/// The inline SVG charts of report.html. Every chart is an `<svg class="chart …">` with at
/// least one rect, circle or polyline (the page's script counts the ones drawn).
extension HTMLReport {
    /// One bar of ``barChart(_:)``.
    struct Bar {
        /// The bar's label (the strategy id under a group heading, else the variant id).
        var label: String
        /// The full variant id, for the tooltip.
        var title: String
        var mean: Double
        var ci: (lo: Double, hi: Double)?
        var colour: String
        var strategyID: String
        /// Bars of one group (encoder · reduction) sit together under its heading; nil: no headings.
        var group: String?
    }

    static let plotWidth = 260.0, rowHeight = 20.0, charWidth = 6.65

    /// Room for the longest of `labels` in the charts' 11px monospace font.
    static func labelWidth(_ labels: [String], cap: Double = 470) -> Double {
        min(cap, max(120, Double(labels.map(\.count).max() ?? 0) * charWidth + 16))
    }

    /// Horizontal bars (mean) with whiskers (95% interval), one row per variant, each in its
    /// strategy's colour; with groups, each group under a heading row.
    static func barChart(_ bars: [Bar]) -> String {
        let top = bars.map { max($0.mean, $0.ci?.hi ?? $0.mean) }.filter(\.isFinite).max() ?? 1
        let scaleMax = top > 0 ? top * 1.08 : 1
        var groupStarts: [Int] = []
        for (i, b) in bars.enumerated() where b.group != nil && (i == 0 || bars[i - 1].group != b.group) { groupStarts.append(i) }
        let rows = bars.count + groupStarts.count
        let row = rows > 24 ? 15.0 : rowHeight
        let lw = labelWidth(bars.map(\.label) + groupStarts.map { bars[$0].group! })
        let height = Double(rows) * row + 30
        func x(_ v: Double) -> Double { lw + max(0, v.isFinite ? v : 0) / scaleMax * plotWidth }
        var s = svgOpen(width: lw + plotWidth + 60, height: height, role: "bar-chart")
        s += axis(y: height - 24, ticks: ticks(0, scaleMax), x: x, right: lw + plotWidth)
        var r = 0
        for (i, b) in bars.enumerated() {
            if groupStarts.contains(i), let g = b.group {
                let y = Double(r) * row + 4
                if r > 0 { s += "<line class=\"group\" x1=\"4\" x2=\"\(n(lw + plotWidth))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"#d0d7de\"/>" }
                s += text(4, y + row / 2 + 4, g, anchor: "start", cls: "group") + "\n"
                r += 1
            }
            let y = Double(r) * row + 4
            r += 1
            let mid = y + row / 2
            s += text(lw - 6, mid + 4, b.label, anchor: "end")
            s += "<rect class=\"bar\" data-strategy=\"\(esc(b.strategyID))\" fill=\"\(b.colour)\" x=\"\(n(lw))\" y=\"\(n(y + 2))\" width=\"\(n(x(b.mean) - lw))\" height=\"\(n(row - 5))\"><title>\(esc(b.title)): \(fmt(b.mean, 4))\(b.ci.map { " [\(fmt($0.lo, 4)), \(fmt($0.hi, 4))]" } ?? "")</title></rect>\n"
            if let ci = b.ci {
                let yc = y + row / 2 - 0.5
                s += "<line class=\"ci\" x1=\"\(n(x(ci.lo)))\" x2=\"\(n(x(ci.hi)))\" y1=\"\(n(yc))\" y2=\"\(n(yc))\" stroke=\"#222\"/>"
                s += "<line x1=\"\(n(x(ci.lo)))\" x2=\"\(n(x(ci.lo)))\" y1=\"\(n(yc - 3.5))\" y2=\"\(n(yc + 3.5))\" stroke=\"#222\"/>"
                s += "<line x1=\"\(n(x(ci.hi)))\" x2=\"\(n(x(ci.hi)))\" y1=\"\(n(yc - 3.5))\" y2=\"\(n(yc + 3.5))\" stroke=\"#222\"/>\n"
            }
            s += text(x(b.ci?.hi ?? b.mean) + 4, mid + 4, fmt(b.mean, 4), anchor: "start", cls: "value")
        }
        return s + "</svg>"
    }

    /// A forest plot: each comparison's delta (dot) and 95% interval (line) against 0, sorted by
    /// delta, largest first (undefined deltas last); the dot and line in the verdict's colour,
    /// the label after a square in the variant's strategy colour.
    static func forestPlot(_ comparisons: [PairedComparison], alpha: Double, colour: (PairedComparison) -> (String, String)) -> String {
        let cs = sortedByDelta(comparisons)
        let extent = cs.flatMap { [abs($0.delta), abs($0.ci95?.lo ?? 0), abs($0.ci95?.hi ?? 0)] }.filter(\.isFinite).max() ?? 0
        let half = extent > 0 ? extent * 1.1 : 1
        let row = cs.count > 24 ? 16.0 : rowHeight
        let lw = labelWidth(cs.map(\.variant)) + 16, pw = 250.0
        let height = Double(cs.count) * row + 30
        func x(_ v: Double) -> Double { lw + (v + half) / (2 * half) * pw }
        var s = svgOpen(width: lw + pw + 30, height: height, role: "forest-plot")
        s += axis(y: height - 24, ticks: ticks(-half, half), x: x, right: lw + pw)
        s += "<line class=\"zero\" x1=\"\(n(x(0)))\" x2=\"\(n(x(0)))\" y1=\"0\" y2=\"\(n(height - 24))\" stroke=\"#888\" stroke-dasharray=\"3,3\"/>\n"
        for (i, c) in cs.enumerated() {
            let y = Double(i) * row + 4 + row / 2
            let verdict = c.verdict(alpha: alpha)
            let vc = verdictColour(verdict)
            let (strategyID, sc) = colour(c)
            s += text(lw - 6, y + 4, c.variant, anchor: "end")
            let sx = max(2, lw - 6 - Double(c.variant.count) * charWidth - 14)
            s += "<rect class=\"swatch\" data-strategy=\"\(esc(strategyID))\" fill=\"\(sc)\" x=\"\(n(sx))\" y=\"\(n(y - 5))\" width=\"10\" height=\"10\"/>"
            if let ci = c.ci95 {
                s += "<line class=\"ci\" x1=\"\(n(x(ci.lo)))\" x2=\"\(n(x(ci.hi)))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"\(vc)\" stroke-width=\"2\"/>"
            }
            s += "<circle class=\"delta\" data-delta=\"\(c.delta)\" data-verdict=\"\(verdictClass(verdict))\" cx=\"\(n(x(c.delta)))\" cy=\"\(n(y))\" r=\"4\" fill=\"\(vc)\"><title>\(esc(c.variant)) − \(esc(c.baseline)): \(signed(c.delta))\(c.ci95.map { " [\(signed($0.lo)), \(signed($0.hi))]" } ?? ""), adj. p \(MarkdownReport.pText(c.pAdjusted.first?.value)) (\(verdict.rawValue))</title></circle>\n"
        }
        return s + "</svg>"
    }

    /// Comparisons by delta, largest first; NaN deltas last; ties keep their order.
    static func sortedByDelta(_ cs: [PairedComparison]) -> [PairedComparison] {
        cs.enumerated().sorted { a, b in
            let x = a.element.delta, y = b.element.delta
            if x.isNaN != y.isNaN { return y.isNaN }
            if !x.isNaN && x != y { return x > y }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// One line of ``lineChart(_:xLabel:zoom:yRange:)``.
    struct Series {
        var label: String
        var colour: String
        /// An SVG stroke-dasharray, or nil for a solid line.
        var dash: String?
        var strategyID: String
        var points: [(Int, Double)]
    }

    /// Lines over steps (or epochs) with a legend below; the y axis starts at 0, or with `zoom`
    /// just below the lowest value (loss curves, whose changes are small against their size),
    /// or spans `yRange` (small multiples that share an axis). Without `legend`, the caller
    /// gives one beside the charts.
    static func lineChart(_ series: [Series], xLabel: String = "step", zoom: Bool = false, yRange: (Double, Double)? = nil,
                          width: Double = 520, plotHeight: Double = 200, legend showLegend: Bool = true) -> String {
        let points = series.flatMap(\.points)
        let maxStep = max(1, points.map(\.0).max() ?? 1)
        let finite = points.map(\.1).filter(\.isFinite)
        let top = finite.max() ?? 1
        var yMin = 0.0, yMax = top > 0 ? top * 1.08 : 1
        if let yRange {
            (yMin, yMax) = yRange
        } else if zoom, let lo = finite.min() {
            let pad = max((top - lo) * 0.1, abs(top) * 1e-3, 1e-9)
            yMin = lo - pad
            yMax = top + pad
        }
        if !(yMax > yMin) { yMax = yMin + 1 }
        let left = 50.0, legendWidth = showLegend ? max(width, labelWidth(series.map(\.label), cap: 900) + 40) : 0
        let legend = showLegend ? Double(series.count) * 16 + 8 : 0
        let height = plotHeight + 40 + legend
        func x(_ step: Int) -> Double { left + Double(step) / Double(maxStep) * width }
        func y(_ v: Double) -> Double { 10 + (1 - (v - yMin) / (yMax - yMin)) * plotHeight }
        var s = svgOpen(width: max(left + width + 20, legendWidth + 10), height: height, role: xLabel == "epoch" ? "training-chart" : "step-chart")
        for t in ticks(yMin, yMax) {
            s += "<line x1=\"\(n(left))\" x2=\"\(n(left + width))\" y1=\"\(n(y(t)))\" y2=\"\(n(y(t)))\" stroke=\"#eee\"/>"
            s += text(left - 4, y(t) + 4, fmt(t, 3), anchor: "end", cls: "tick")
        }
        s += "<line x1=\"\(n(left))\" x2=\"\(n(left + width))\" y1=\"\(n(y(yMin)))\" y2=\"\(n(y(yMin)))\" stroke=\"#444\"/>\n"
        let stride = max(1, maxStep / 10)
        for st in Swift.stride(from: 0, through: maxStep, by: stride) {
            s += text(x(st), y(yMin) + 14, "\(st + 1)", anchor: "middle", cls: "tick")
        }
        s += text(left + width / 2, y(yMin) + 28, xLabel, anchor: "middle", cls: "tick")
        for (i, line) in series.enumerated() {
            let path = line.points.filter { $0.1.isFinite }.map { "\(n(x($0.0))),\(n(y($0.1)))" }.joined(separator: " ")
            let dash = line.dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
            s += "<polyline class=\"series\" data-strategy=\"\(esc(line.strategyID))\" stroke=\"\(line.colour)\" fill=\"none\" stroke-width=\"1.8\"\(dash) points=\"\(path)\"><title>\(esc(line.label))</title></polyline>\n"
            guard showLegend else { continue }
            let ly = plotHeight + 44 + Double(i) * 16
            s += "<line x1=\"\(n(left))\" x2=\"\(n(left + 22))\" y1=\"\(n(ly - 4))\" y2=\"\(n(ly - 4))\" stroke=\"\(line.colour)\" stroke-width=\"3\"\(dash)/>"
            s += text(left + 28, ly, line.label, anchor: "start")
            s += "\n"
        }
        return s + "</svg>"
    }

    static func svgOpen(width: Double, height: Double, role: String) -> String {
        "<svg class=\"chart \(role)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\">\n"
    }

    static func axis(y: Double, ticks: [Double], x: (Double) -> Double, right: Double) -> String {
        var s = "<line x1=\"\(n(x(ticks.first ?? 0)))\" x2=\"\(n(right))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"#444\"/>\n"
        for t in ticks {
            s += "<line x1=\"\(n(x(t)))\" x2=\"\(n(x(t)))\" y1=\"\(n(y))\" y2=\"\(n(y + 4))\" stroke=\"#444\"/>"
            s += text(x(t), y + 16, fmt(t, 3), anchor: "middle", cls: "tick")
        }
        return s + "\n"
    }

    /// About five evenly spaced round ticks covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var out: [Double] = []
        var t = (lo / step).rounded(.up) * step
        while t <= hi + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String, cls: String = "label") -> String {
        "<text class=\"\(cls)\" x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\">\(esc(s))</text>"
    }
}
