import Comparisons
import Experiments
import Foundation
import Results

/// report.html: the report with inline SVG charts, one self-contained file with no external
/// resources, so it opens offline. Colour means strategy throughout (one fixed hue per
/// strategy name, ``StrategyColours``), with the legend at the top. Per protocol and metric:
/// encoder × strategy heatmaps (one per reduction) beside a bar chart of every variant's mean
/// and 95% interval; then the training curves and, for prequential runs, the metric at each step
/// by strategy. The comparison section opens with a summary matrix of the headline metric's
/// verdicts, then forest plots sorted by effect, then every comparison in a collapsed, sortable,
/// filterable table; the segments likewise.
///
/// The HTML is written by hand rather than with an HTML package (JohnSundell/Plot is on the
/// offline list): the charts are SVG laid out from coordinates computed here, which an HTML DSL
/// does not help with; the output must be byte-for-byte deterministic (the same folder gives
/// the same bytes, sharded or not: attribute order and number formatting are ours, nothing
/// iterates a dictionary, no timestamps or random ids); and a new dependency would add build
/// time on CI for one report.
public enum HTMLReport {
    /// Renders the report of `folder`, with `comparison` when there is one.
    public static func render(_ folder: ResultsFolder, comparison: ComparisonDocument?) -> String {
        let name = folder.metrics.name, m = folder.manifest
        let colours = StrategyColours(folder.variants)
        var body = "<header>\n<h1>\(esc(name))</h1>\n"
        body += "<p class=\"meta\">Dataset <code>\(esc(m.dataset))</code>: \(m.datasetSummary.users) users, \(m.datasetSummary.items) items"
        body += ". Seed \(folder.seed). Tool \(esc(m.toolVersion)), commit <code>\(esc(String(m.gitCommit.prefix(12))))</code>. "
        body += "Means over users with 95% bootstrap intervals (metrics in the trec dialect).</p>\n"
        body += legend(colours, comparison: comparison)
        body += contents(folder, comparison: comparison)
        body += "</header>\n"
        for (i, p) in folder.protocols.enumerated() {
            body += protocolSection(folder, protocolID: p, index: i, colours: colours)
        }
        if let doc = comparison, !doc.comparisons.isEmpty {
            body += comparisonSection(doc, folder: folder, colours: colours)
        }
        if let doc = comparison, doc.segments.contains(where: { !$0.comparisons.isEmpty }) {
            body += segmentsSection(doc, folder: folder, colours: colours)
        }
        return page(title: name, body: body)
    }

    /// The strategy colours (one group per strategy name; a name with several ids shows each
    /// id's shade), and how to read the heatmaps and verdicts.
    static func legend(_ colours: StrategyColours, comparison: ComparisonDocument?) -> String {
        var s = "<div class=\"legend\" id=\"legend\">\n<span class=\"legend-title\">Colour = strategy</span>\n"
        for g in colours.groups {
            s += "<span class=\"legend-group\" data-strategy-name=\"\(esc(g.name))\">"
            if g.ids.count == 1 {
                let id = g.ids[0]
                s += swatch(colours.colour(name: g.name, id: id), strategy: id) + "<b>\(esc(g.name))</b>"
                if id != g.name { s += " <small><code>\(breakable(id))</code></small>" }
            } else {
                s += "<b>\(esc(g.name))</b>"
                for id in g.ids {
                    s += " <span class=\"legend-id\">\(swatch(colours.colour(name: g.name, id: id), strategy: id))<small><code>\(breakable(parameters(id, name: g.name)))</code></small></span>"
                }
            }
            s += "</span>\n"
        }
        s += "<p class=\"note\">Shades of one hue: the same strategy with other parameters (darkest first, in the spec's order). "
        s += "Heatmaps: the cell colour deepens with the value (one scale per metric and protocol), ★ and a bold border mark each grid's best mean."
        if comparison != nil { s += " Verdicts: " + verdictKey() + "." }
        return s + "</p>\n</div>\n"
    }

    /// `half_life_days=7` of `decay(half_life_days=7)`; the id itself when it has no parameters.
    static func parameters(_ id: String, name: String) -> String {
        guard id.hasPrefix(name + "("), id.hasSuffix(")") else { return id }
        return String(id.dropFirst(name.count + 1).dropLast())
    }

    /// Links to the sections.
    static func contents(_ folder: ResultsFolder, comparison: ComparisonDocument?) -> String {
        var links = folder.protocols.enumerated().map { i, p in
            "<a href=\"#protocol-\(i + 1)\" title=\"\(esc(p))\">\(esc(p.isEmpty ? "Results" : protocolLabel(p, folder.protocols)))</a>"
        }
        if let doc = comparison, !doc.comparisons.isEmpty { links.append("<a href=\"#comparison\">Comparison</a>") }
        if let doc = comparison, doc.segments.contains(where: { !$0.comparisons.isEmpty }) { links.append("<a href=\"#segments\">Segments</a>") }
        return "<nav class=\"toc\">" + links.joined(separator: " · ") + "</nav>\n"
    }

    /// One protocol: per metric the heatmaps and the bar chart; the published numbers; the
    /// training curves; the metrics per step.
    static func protocolSection(_ folder: ResultsFolder, protocolID p: String, index: Int, colours: StrategyColours) -> String {
        let rows = folder.variants.filter { $0.protocolID == p }
        var body = "<section id=\"protocol-\(index + 1)\">\n<h2>\(esc(p.isEmpty ? "Results" : p))</h2>\n"
        let encoders = distinct(rows.map(\.encoder)), strategies = distinct(rows.map(\.strategyID)), reductions = distinct(rows.map(\.reductionID))
        body += "<p class=\"note\">\(rows.count) variants: \(encoders.count) encoder\(encoders.count == 1 ? "" : "s") × "
        body += "\(strategies.count) strateg\(strategies.count == 1 ? "y" : "ies") × \(reductions.count) reduction\(reductions.count == 1 ? "" : "s").</p>\n"
        for metric in rows.first?.means.map(\.metric) ?? [] {
            // With several encoders or reductions the bars sit under "encoder · reduction"
            // headings, labelled by strategy id; else each bar is labelled by its variant id.
            let grouped = encoders.count > 1 || reductions.count > 1
            let bars = rows.compactMap { v in
                v.mean(metric).map { Bar(label: grouped ? v.strategyID : v.id, title: v.id, mean: $0, ci: v.intervals[metric], colour: colours.colour(v),
                                         strategyID: v.strategyID, group: grouped ? "\(v.encoder) · \(v.reductionID)" : nil) }
            }
            body += "<div class=\"metric\">\n<h3>\(esc(metric))</h3>\n<div class=\"metric-row\">\n"
            body += heatmaps(rows, metric: metric, colours: colours)
            body += figure("\(metric): mean per variant", barChart(bars))
            body += "</div>\n</div>\n"
        }
        if let published = folder.spec.published {
            body += publishedTable(published, variants: rows)
        }
        body += trainingCurves(folder, protocolID: p, colours: colours)
        body += perStepCharts(folder, protocolID: p, colours: colours)
        return body + "</section>\n"
    }

    /// Each learned variant's losses per epoch, in its strategy's colour (validation dashed).
    static func trainingCurves(_ folder: ResultsFolder, protocolID p: String, colours: StrategyColours) -> String {
        let curves = folder.training.filter { $0.protocolID == p }
        guard !curves.isEmpty else { return "" }
        var body = "<h3>Training</h3>\n<p>Loss per epoch of each learned variant (training: the configured loss over the "
        body += "training users' examples; validation: the full-softmax loss on the held-out users' last visible events). "
        body += "The weights kept are the best validation epoch's.</p>\n<div class=\"grid\">\n"
        for v in distinct(curves.map(\.variant)) {
            let rows = curves.filter { $0.variant == v }
            let (strategyID, colour) = strategyColour(folder, colours, protocolID: p, variant: v)
            var series = [Series(label: "train loss", colour: colour, dash: nil, strategyID: strategyID, points: rows.map { ($0.epoch - 1, $0.trainLoss) })]
            let valid = rows.compactMap { r in r.validationLoss.map { (r.epoch - 1, $0) } }
            if !valid.isEmpty { series.append(Series(label: "validation loss", colour: colour, dash: "6,3", strategyID: strategyID, points: valid)) }
            body += figure("\(v): loss per epoch", lineChart(series, xLabel: "epoch", zoom: true))
        }
        return body + "</div>\n"
    }

    /// Per metric the mean at each step, one line per strategy in its colour; with several
    /// encoders or reductions, one small chart per (encoder, reduction), sharing the y axis.
    static func perStepCharts(_ folder: ResultsFolder, protocolID p: String, colours: StrategyColours) -> String {
        let steps = folder.perStep.filter { $0.protocolID == p }
        guard !steps.isEmpty else { return "" }
        var groups: [(encoder: String, reduction: String, variants: [String])] = []
        for id in distinct(steps.map(\.variant)) {
            let v = folder.variant(VariantKey(protocolID: p, id: id))
            let (e, r) = (v?.encoder ?? "", v?.reductionID ?? "")
            if let i = groups.firstIndex(where: { $0.encoder == e && $0.reduction == r }) { groups[i].variants.append(id) }
            else { groups.append((e, r, [id])) }
        }
        var body = "<h3>Per step</h3>\n"
        if groups.count > 1 {
            body += "<p class=\"note\">One chart per encoder and reduction, lines coloured by strategy; the charts of a metric share their y axis.</p>\n"
        }
        for metric in steps[0].values.map(\.metric) {
            func value(_ r: PerStepRow) -> Double { r.values.first(where: { $0.metric == metric })?.value ?? .nan }
            let top = steps.map(value).filter(\.isFinite).max() ?? 1
            let range = (0.0, top > 0 ? top * 1.08 : 1)
            if groups.count > 1 {
                // One legend for the metric's small charts: their lines are the same strategies.
                var ids: [(String, String)] = []
                for id in distinct(groups.flatMap(\.variants)) {
                    let sc = strategyColour(folder, colours, protocolID: p, variant: id)
                    if !ids.contains(where: { $0.0 == sc.0 }) { ids.append(sc) }
                }
                body += "<p class=\"step-legend\"><b>\(esc(metric))</b> " + ids.map { "<span class=\"legend-id\">\(swatch($0.1, strategy: $0.0))<code>\(esc($0.0))</code></span>" }.joined(separator: " ") + "</p>\n"
            }
            body += "<div class=\"grid\">\n"
            for g in groups {
                let series: [Series] = g.variants.map { id in
                    let (strategyID, colour) = strategyColour(folder, colours, protocolID: p, variant: id)
                    let label = groups.count > 1 ? strategyID : id
                    return Series(label: label, colour: colour, dash: nil, strategyID: strategyID,
                                  points: steps.filter { $0.variant == id }.map { ($0.step, value($0)) })
                }
                if groups.count > 1 {
                    body += figure("\(metric) at each step, \(g.encoder) · \(g.reduction)", lineChart(series, yRange: range, width: 230, plotHeight: 130, legend: false))
                } else {
                    body += figure("\(metric) at each step (mean over the users that reached it)", lineChart(series, yRange: range))
                }
            }
            body += "</div>\n"
        }
        return body
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

    // MARK: Page

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
        \(css)
        </style>
        </head>
        <body>
        \(body)
        <script>
        \(script)
        </script>
        </body>
        </html>

        """
    }

    static let css = """
        *, *::before, *::after { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 1500px; padding: 0 1em; color: #1f2328; }
        h1, h2, h3 { font-weight: 600; overflow-wrap: anywhere; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .2em; margin-top: 1.6em; }
        h3 { margin: 1.2em 0 .4em; }
        .meta, .note { color: #57606a; } .note { font-size: 12px; margin: .3em 0; }
        code { font: 12px ui-monospace, monospace; overflow-wrap: anywhere; }
        .legend { border: 1px solid #d0d7de; border-radius: 6px; padding: .5em .8em; background: #f6f8fa; }
        .legend-title { font-weight: 600; margin-right: .6em; }
        .legend-group { display: inline-block; margin: .15em 1.1em .15em 0; }
        .legend-id { white-space: nowrap; margin-right: .5em; }
        .step-legend { margin: .8em 0 .4em; }
        .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
        .toc { margin: .6em 0; }
        .toc a { color: #0969da; text-decoration: none; } .toc a:hover { text-decoration: underline; }
        .grid, .metric-row { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
        .metric { margin-bottom: 1.4em; }
        figure { margin: 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .5em; max-width: 100%; min-width: 0; overflow-x: auto; }
        figure svg { display: block; }
        figcaption { font-size: 12px; color: #57606a; text-align: center; }
        svg text { font: 11px ui-monospace, monospace; fill: #1f2328; } svg text.tick { fill: #57606a; font-size: 10px; }
        svg text.group { font-weight: 700; fill: #57606a; }
        .scroll { max-width: 100%; min-width: 0; overflow-x: auto; }
        .heatmaps { display: flex; gap: 1em; align-items: flex-start; }
        table { border-collapse: collapse; font-size: 12px; }
        th, td { border: 1px solid #d0d7de; padding: 2px 6px; }
        table.heatmap { flex: none; }
        table.heatmap caption { font-size: 12px; color: #57606a; text-align: left; padding-bottom: 2px; }
        table.heatmap thead th { background: #f6f8fa; font-weight: 600; white-space: nowrap; }
        th.corner { font-weight: 400; color: #57606a; }
        th.strategy { text-align: left; white-space: nowrap; border-left: 5px solid; font: 12px ui-monospace, monospace; background: #fff; }
        th.strategy .sid { display: inline-block; max-width: 12.5em; white-space: normal; vertical-align: top; }
        td.hm-cell { text-align: center; min-width: 6.4em; padding: 3px 6px; font-variant-numeric: tabular-nums; }
        td.hm-cell .v { display: block; font-weight: 600; font-size: 13px; }
        td.hm-cell .ci { display: block; font-size: 10px; opacity: .85; white-space: nowrap; }
        td.hm-cell.best { outline: 3px solid #1f2328; outline-offset: -3px; box-shadow: inset 0 0 0 5px #ffd33d; }
        td.hm-empty, td.sm-empty { text-align: center; color: #8c959f; }
        table.summary-matrix th { background: #f6f8fa; white-space: nowrap; }
        table.summary-matrix th.sub { font-weight: 400; font-size: 10px; padding: 1px 3px; }
        table.summary-matrix th.sub code { font-size: 10px; }
        table.summary-matrix .first { border-left: 2px solid #57606a; }
        td.sm-cell { text-align: center; white-space: nowrap; font-size: 11px; padding: 2px 4px; font-variant-numeric: tabular-nums; }
        td.sm-cell.better, .verdict-key.better { background: #dafbe1; color: #116329; }
        td.sm-cell.worse, .verdict-key.worse { background: #ffebe9; color: #a40e26; }
        td.sm-cell.same, .verdict-key.same { background: #f6f8fa; color: #57606a; }
        .verdict-key { padding: 0 .4em; border-radius: 3px; white-space: nowrap; }
        details { margin: 1em 0; border: 1px solid #d0d7de; border-radius: 6px; padding: .4em .8em; }
        summary { cursor: pointer; font-weight: 600; }
        .filters { margin: .6em 0; display: flex; flex-wrap: wrap; gap: .4em 1em; align-items: center; }
        .filters .shown { color: #57606a; font-size: 12px; }
        table.comparisons td, table.published td { text-align: right; white-space: nowrap; }
        table.comparisons td.t { text-align: left; }
        table.comparisons th { cursor: pointer; background: #f6f8fa; white-space: nowrap; user-select: none; }
        table.comparisons th[aria-sort="ascending"]::after { content: " ▲"; } table.comparisons th[aria-sort="descending"]::after { content: " ▼"; }
        tr.better td.verdict { color: #1a7f37; font-weight: 600; } tr.worse td.verdict { color: #cf222e; font-weight: 600; } tr.same td.verdict { color: #57606a; }
        table.published { margin: 1em 0; } table.published td:first-child, table.published td:nth-child(2) { text-align: left; }
        tr.published-row td { font-style: italic; background: #f6f8fa; }
        @media (max-width: 600px) { body { margin: .8em auto; padding: 0 .6em; font-size: 13px; } h1 { font-size: 1.5em; } }
        """

    /// Sorting (click a header; numbers by their `data-v`, blanks last), filtering (each select
    /// against the rows' `data-<key>`), and the count of charts drawn with a non-empty box
    /// (checked by the Chromium test).
    static let script = """
        document.querySelectorAll("table.sortable").forEach(function (table) {
          var heads = table.tHead.rows[0].cells;
          Array.prototype.forEach.call(heads, function (th, col) {
            th.addEventListener("click", function () {
              var asc = th.getAttribute("aria-sort") !== "ascending", num = th.getAttribute("data-type") === "num";
              Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
              th.setAttribute("aria-sort", asc ? "ascending" : "descending");
              var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
              function key(tr) { var td = tr.cells[col]; return num ? parseFloat(td.getAttribute("data-v")) : td.textContent; }
              rows.sort(function (a, b) {
                var x = key(a), y = key(b);
                if (num && (isNaN(x) || isNaN(y))) { return isNaN(x) === isNaN(y) ? 0 : isNaN(x) ? 1 : -1; }
                var r = num ? x - y : x.localeCompare(y);
                return asc ? r : -r;
              });
              rows.forEach(function (tr) { body.appendChild(tr); });
            });
          });
        });
        document.querySelectorAll(".filtered").forEach(function (box) {
          var selects = box.querySelectorAll("select[data-filter]"), shown = box.querySelector(".shown");
          function apply() {
            var rows = box.querySelectorAll("tbody tr"), n = 0;
            rows.forEach(function (tr) {
              var ok = true;
              selects.forEach(function (s) { if (s.value && tr.getAttribute("data-" + s.getAttribute("data-filter")) !== s.value) { ok = false; } });
              tr.hidden = !ok;
              if (ok) { n += 1; }
            });
            shown.textContent = n + " of " + rows.length + " rows";
          }
          selects.forEach(function (s) { s.addEventListener("change", apply); });
        });
        window.addEventListener("load", function () {
          var drawn = 0;
          document.querySelectorAll("svg.chart").forEach(function (svg) {
            var box = svg.getBBox();
            if (box.width > 0 && box.height > 0 && svg.querySelectorAll("rect, circle, polyline").length > 0) { drawn += 1; }
          });
          document.body.setAttribute("data-charts-drawn", String(drawn));
        });
        """

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
    static func signed(_ d: Double, _ digits: Int = 4) -> String { MarkdownReport.signed(d, digits) }
    static func rangeText(_ s: SegmentComparison) -> String { MarkdownReport.rangeText(s) }
}
