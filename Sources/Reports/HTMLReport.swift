import Comparisons
import Experiments
import Foundation
import Results

/// report.html: the report with inline SVG charts, one self-contained file with no external
/// resources, so it opens offline. Charts: per metric, the variants' means with their 95%
/// intervals; a forest plot of each variant's delta against its baseline; and for prequential
/// runs the metric at each step.
public enum HTMLReport {
    /// Renders the report of `folder`, with `comparison` when there is one.
    public static func render(_ folder: ResultsFolder, comparison: ComparisonDocument?) -> String {
        let name = folder.metrics.name, m = folder.manifest
        var body = "<h1>\(esc(name))</h1>\n"
        body += "<p class=\"meta\">Dataset <code>\(esc(m.dataset))</code>: \(m.datasetSummary.users) users, \(m.datasetSummary.items) items"
        body += ". Seed \(folder.seed). Tool \(esc(m.toolVersion)), commit <code>\(esc(String(m.gitCommit.prefix(12))))</code>. "
        body += "Means over users with 95% bootstrap intervals (metrics in the trec dialect).</p>\n"
        for p in folder.protocols {
            let rows = folder.variants.filter { $0.protocolID == p }
            body += "<section>\n<h2>\(esc(p.isEmpty ? "Results" : p))</h2>\n"
            let metricNames = rows.first?.means.map(\.metric) ?? []
            body += "<div class=\"grid\">\n"
            for metric in metricNames {
                let bars = rows.compactMap { v in v.mean(metric).map { (v.id, $0, v.intervals[metric]) } }
                body += figure("\(metric): mean per variant", barChart(bars))
            }
            body += "</div>\n"
            if let published = folder.spec.published {
                body += publishedTable(published, variants: rows)
            }
            if let doc = comparison {
                let cs = doc.comparisons.filter { $0.protocolID == p }
                if !cs.isEmpty {
                    body += "<h3>Deltas against the baseline</h3>\n<div class=\"grid\">\n"
                    var metrics: [String] = []
                    for c in cs where !metrics.contains(c.metric) { metrics.append(c.metric) }
                    for metric in metrics {
                        body += figure("\(metric): Δ with 95% interval", forestPlot(cs.filter { $0.metric == metric }, alpha: doc.settings.alpha))
                    }
                    body += "</div>\n"
                    body += comparisonTable(cs, alpha: doc.settings.alpha)
                }
            }
            let curves = folder.training.filter { $0.protocolID == p }
            if !curves.isEmpty {
                body += "<h3>Training</h3>\n<p>Loss per epoch of each learned variant (training: the configured loss over the "
                body += "training users' examples; validation: the full-softmax loss on the held-out users' last visible events). "
                body += "The weights kept are the best validation epoch's.</p>\n<div class=\"grid\">\n"
                var variants: [String] = []
                for c in curves where !variants.contains(c.variant) { variants.append(c.variant) }
                for v in variants {
                    let rows = curves.filter { $0.variant == v }
                    var series: [(String, [(Int, Double)])] = [("train loss", rows.map { ($0.epoch - 1, $0.trainLoss) })]
                    let valid = rows.compactMap { r in r.validationLoss.map { (r.epoch - 1, $0) } }
                    if !valid.isEmpty { series.append(("validation loss", valid)) }
                    body += figure("\(v): loss per epoch", lineChart(series, xLabel: "epoch", zoom: true))
                }
                body += "</div>\n"
            }
            let steps = folder.perStep.filter { $0.protocolID == p }
            if !steps.isEmpty {
                body += "<h3>Per step</h3>\n<div class=\"grid\">\n"
                let metrics = steps[0].values.map(\.metric)
                for metric in metrics {
                    var series: [(String, [(Int, Double)])] = []
                    for r in steps {
                        let value = r.values.first(where: { $0.metric == metric })?.value ?? .nan
                        if let i = series.firstIndex(where: { $0.0 == r.variant }) { series[i].1.append((r.step, value)) }
                        else { series.append((r.variant, [(r.step, value)])) }
                    }
                    body += figure("\(metric) at each step (mean over the users that reached it)", lineChart(series))
                }
                body += "</div>\n"
            }
            body += "</section>\n"
        }
        if let doc = comparison, !doc.segments.isEmpty {
            body += "<section>\n<h2>Segments</h2>\n<p>Terciles of history length (<code>activity</code>) and of drift "
            body += "(1 − cos(history profile, mean of the ranked items)); p adjusted over all segment comparisons.</p>\n"
            for seg in doc.segments {
                body += "<h3>\(esc(seg.segmentation)) \(esc(seg.segment)) (\(rangeText(seg)), \(seg.users) users), \(esc(seg.protocolID))</h3>\n"
                body += comparisonTable(seg.comparisons, alpha: doc.settings.alpha)
            }
            body += "</section>\n"
        }
        return page(title: name, body: body)
    }

    /// The published reference numbers beside the run's best variants (``PublishedTable``).
    static func publishedTable(_ published: PublishedSpec, variants: [VariantEntry]) -> String {
        let metrics = PublishedTable.metrics(published)
        let rows = PublishedTable.rows(published, variants: variants.map { v in
            (v.id, v.encoder, Dictionary(v.means.map { ($0.metric, $0.mean) }, uniquingKeysWith: { a, _ in a }))
        })
        var s = "<h3>Published numbers beside this run</h3>\n<p>Rows marked <em>published</em> are quoted from \(esc(published.source)), "
        s += "not recomputed here; the other rows are this run's best variant of each encoder by \(esc(metrics.first ?? "the first metric")).</p>\n"
        s += "<table class=\"published\"><thead><tr><th>model</th><th>source</th>" + metrics.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            let isPublished = row.source == "published"
            s += "<tr\(isPublished ? " class=\"published-row\"" : "")><td>\(isPublished ? esc(row.label) : "<code>\(esc(row.label))</code>")</td>"
            s += "<td>\(isPublished ? "<em>published</em>" : "this run")</td>"
            s += row.values.map { "<td class=\"num\">\($0.map { fmt($0, isPublished ? 3 : 4) } ?? "–")</td>" }.joined() + "</tr>\n"
        }
        return s + "</tbody></table>\n"
    }

    // MARK: Charts

    static let palette = ["#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5", "#9c6b4e", "#9498a0"]
    static let labelWidth = 410.0, plotWidth = 380.0, rowHeight = 20.0

    /// Horizontal bars (mean) with whiskers (95% interval), one row per variant.
    static func barChart(_ bars: [(String, Double, (lo: Double, hi: Double)?)]) -> String {
        let top = bars.map { max($0.1, $0.2?.hi ?? $0.1) }.filter(\.isFinite).max() ?? 1
        let scaleMax = top > 0 ? top * 1.08 : 1
        let height = Double(bars.count) * rowHeight + 30
        func x(_ v: Double) -> Double { labelWidth + max(0, v) / scaleMax * plotWidth }
        var s = svgOpen(width: labelWidth + plotWidth + 60, height: height, role: "bar-chart")
        s += axis(y: height - 24, ticks: ticks(0, scaleMax), x: x)
        for (i, (label, mean, ci)) in bars.enumerated() {
            let y = Double(i) * rowHeight + 4
            s += text(labelWidth - 6, y + 13, label, anchor: "end")
            s += "<rect class=\"bar\" x=\"\(n(labelWidth))\" y=\"\(n(y + 2))\" width=\"\(n(x(mean) - labelWidth))\" height=\"\(n(rowHeight - 6))\" fill=\"\(palette[i % palette.count])\"><title>\(esc(label)): \(fmt(mean, 4))</title></rect>\n"
            if let ci {
                let yc = y + rowHeight / 2 - 1
                s += "<line class=\"ci\" x1=\"\(n(x(ci.lo)))\" x2=\"\(n(x(ci.hi)))\" y1=\"\(n(yc))\" y2=\"\(n(yc))\" stroke=\"#222\"/>"
                s += "<line x1=\"\(n(x(ci.lo)))\" x2=\"\(n(x(ci.lo)))\" y1=\"\(n(yc - 4))\" y2=\"\(n(yc + 4))\" stroke=\"#222\"/>"
                s += "<line x1=\"\(n(x(ci.hi)))\" x2=\"\(n(x(ci.hi)))\" y1=\"\(n(yc - 4))\" y2=\"\(n(yc + 4))\" stroke=\"#222\"/>\n"
            }
            s += text(x(ci?.hi ?? mean) + 4, y + 13, fmt(mean, 4), anchor: "start", cls: "value")
        }
        return s + "</svg>"
    }

    /// A forest plot: each comparison's delta (dot) and 95% interval (line) against 0.
    static func forestPlot(_ cs: [PairedComparison], alpha: Double) -> String {
        let extent = cs.flatMap { [abs($0.delta), abs($0.ci95?.lo ?? 0), abs($0.ci95?.hi ?? 0)] }.filter(\.isFinite).max() ?? 0
        let half = extent > 0 ? extent * 1.1 : 1
        let height = Double(cs.count) * rowHeight + 30
        func x(_ v: Double) -> Double { labelWidth + (v + half) / (2 * half) * plotWidth }
        var s = svgOpen(width: labelWidth + plotWidth + 60, height: height, role: "forest-plot")
        s += axis(y: height - 24, ticks: ticks(-half, half), x: x)
        s += "<line class=\"zero\" x1=\"\(n(x(0)))\" x2=\"\(n(x(0)))\" y1=\"0\" y2=\"\(n(height - 24))\" stroke=\"#888\" stroke-dasharray=\"3,3\"/>\n"
        for (i, c) in cs.enumerated() {
            let y = Double(i) * rowHeight + 4 + rowHeight / 2
            let verdict = c.verdict(alpha: alpha)
            let color = verdict == .better ? "#1a7f37" : verdict == .worse ? "#cf222e" : "#57606a"
            s += text(labelWidth - 6, y + 4, c.variant, anchor: "end")
            if let ci = c.ci95 {
                s += "<line class=\"ci\" x1=\"\(n(x(ci.lo)))\" x2=\"\(n(x(ci.hi)))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
            }
            s += "<circle class=\"delta\" cx=\"\(n(x(c.delta)))\" cy=\"\(n(y))\" r=\"4\" fill=\"\(color)\"><title>\(esc(c.variant)) − \(esc(c.baseline)): \(signed(c.delta)) (\(verdict.rawValue))</title></circle>\n"
        }
        return s + "</svg>"
    }

    /// One line per variant: the metric at each step.
    /// Lines over steps (or epochs); the y axis starts at 0, or with `zoom` at just below the
    /// lowest value (loss curves, whose changes are small against their size).
    static func lineChart(_ series: [(String, [(Int, Double)])], xLabel: String = "step", zoom: Bool = false) -> String {
        let points = series.flatMap(\.1)
        let maxStep = max(1, points.map(\.0).max() ?? 1)
        let finite = points.map(\.1).filter(\.isFinite)
        let top = finite.max() ?? 1
        var yMin = 0.0, yMax = top > 0 ? top * 1.08 : 1
        if zoom, let lo = finite.min() {
            let pad = max((top - lo) * 0.1, abs(top) * 1e-3, 1e-9)
            yMin = lo - pad
            yMax = top + pad
        }
        let left = 50.0, width = 520.0, plotHeight = 200.0, legend = Double(series.count) * 16 + 8
        let height = plotHeight + 40 + legend
        func x(_ step: Int) -> Double { left + Double(step) / Double(maxStep) * width }
        func y(_ v: Double) -> Double { 10 + (1 - (v - yMin) / (yMax - yMin)) * plotHeight }
        var s = svgOpen(width: left + width + 20, height: height, role: "step-chart")
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
        for (i, (label, pts)) in series.enumerated() {
            let color = palette[i % palette.count]
            let path = pts.filter { $0.1.isFinite }.map { "\(n(x($0.0))),\(n(y($0.1)))" }.joined(separator: " ")
            s += "<polyline class=\"series\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"><title>\(esc(label))</title></polyline>\n"
            let ly = plotHeight + 44 + Double(i) * 16
            s += "<rect x=\"\(n(left))\" y=\"\(n(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            s += text(left + 16, ly, label, anchor: "start")
        }
        return s + "</svg>"
    }

    static func svgOpen(width: Double, height: Double, role: String) -> String {
        "<svg class=\"chart \(role)\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\">\n"
    }

    static func axis(y: Double, ticks: [Double], x: (Double) -> Double) -> String {
        var s = "<line x1=\"\(n(x(ticks.first ?? 0)))\" x2=\"\(n(labelWidth + plotWidth))\" y1=\"\(n(y))\" y2=\"\(n(y))\" stroke=\"#444\"/>\n"
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

    // MARK: Tables and page

    static func comparisonTable(_ cs: [PairedComparison], alpha: Double) -> String {
        var s = "<table>\n<thead><tr><th>variant</th><th>baseline</th><th>metric</th><th>n</th><th>baseline mean</th><th>variant mean</th><th>Δ</th><th>95% interval</th><th>adj. p</th><th>d</th><th>W/T/L</th><th>verdict</th></tr></thead>\n<tbody>\n"
        for c in cs {
            let v = c.verdict(alpha: alpha)
            s += "<tr class=\"\(v == .better ? "better" : v == .worse ? "worse" : "same")\"><td><code>\(esc(c.variant))</code></td><td><code>\(esc(c.baseline))</code></td><td>\(esc(c.metric))</td>"
            s += "<td>\(c.n)</td><td>\(fmt(c.meanBaseline, 4))</td><td>\(fmt(c.meanVariant, 4))</td><td>\(signed(c.delta))</td>"
            s += "<td>\(c.ci95.map { "[\(signed($0.lo)), \(signed($0.hi))]" } ?? "–")</td><td>\(MarkdownReport.pText(c.pAdjusted.first?.value))</td>"
            s += "<td>\(c.effectSize.map { fmt($0, 2) } ?? "–")</td><td>\(c.wins)/\(c.ties)/\(c.losses)</td><td>\(esc(v.rawValue))</td></tr>\n"
        }
        return s + "</tbody>\n</table>\n"
    }

    static func figure(_ caption: String, _ svg: String) -> String {
        "<figure>\n\(svg)\n<figcaption>\(esc(caption))</figcaption>\n</figure>\n"
    }

    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title)) — ProfileBench report</title>
        <style>
        body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1500px; padding: 0 1em; color: #1f2328; }
        h1, h2, h3 { font-weight: 600; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2em; }
        .meta { color: #57606a; }
        .grid { display: flex; flex-wrap: wrap; gap: 1em; }
        figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .5em; }
        figcaption { font-size: 12px; color: #57606a; text-align: center; }
        svg text { font: 11px ui-monospace, monospace; fill: #1f2328; } svg text.tick { fill: #57606a; font-size: 10px; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 12px; }
        th, td { border: 1px solid #d0d7de; padding: 2px 6px; text-align: right; } td:first-child, td:nth-child(2), td:nth-child(3) { text-align: left; }
        tr.better td:last-child { color: #1a7f37; font-weight: 600; } tr.worse td:last-child { color: #cf222e; font-weight: 600; }
        table.published td.num { text-align: right; } tr.published-row td { font-style: italic; background: #f6f8fa; }
        </style>
        </head>
        <body>
        \(body)
        <script>
        // Marks how many charts laid out with a non-empty box (checked by the Chromium test).
        window.addEventListener("load", function () {
          var drawn = 0;
          document.querySelectorAll("svg.chart").forEach(function (svg) {
            var box = svg.getBBox();
            if (box.width > 0 && box.height > 0 && svg.querySelectorAll("rect, circle, polyline").length > 0) { drawn += 1; }
          });
          document.body.setAttribute("data-charts-drawn", String(drawn));
        });
        </script>
        </body>
        </html>

        """
    }

    /// Escapes text for HTML and SVG content and attribute values.
    public static func esc(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func n(_ d: Double) -> String { d.isFinite ? String(format: "%.1f", d) : "0" }
    static func fmt(_ d: Double, _ digits: Int) -> String { MarkdownReport.fmt(d, digits) }
    static func signed(_ d: Double) -> String { MarkdownReport.signed(d) }
    static func rangeText(_ s: SegmentComparison) -> String { MarkdownReport.rangeText(s) }
}
