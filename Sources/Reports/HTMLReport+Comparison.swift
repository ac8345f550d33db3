import Comparisons
import Results
import Foundation

/// The comparison and segment sections of report.html: a summary matrix of the headline
/// metric's verdicts, forest plots sorted by effect, and the full tables collapsed, sortable and
/// filterable (the page's inline script).
extension HTMLReport {
    static func comparisonSection(_ doc: ComparisonDocument, folder: ResultsFolder, colours: StrategyColours) -> String {
        let alpha = doc.settings.alpha
        var s = "<section id=\"comparison\">\n<h2>Comparison</h2>\n<p>"
        s += MarkdownReport.introduction(doc) { "<code>\(esc($0))</code>" } + ": " + verdictKey() + ".</p>\n"
        s += summaryMatrix(doc, folder: folder, colours: colours)
        for (i, p) in folder.protocols.enumerated() {
            let cs = doc.comparisons.filter { $0.protocolID == p }
            guard !cs.isEmpty else { continue }
            s += "<h3 id=\"forest-\(i + 1)\">Δ against the baseline, \(esc(p.isEmpty ? "all variants" : p))</h3>\n<div class=\"grid\">\n"
            for metric in distinct(cs.map(\.metric)) {
                let plot = forestPlot(cs.filter { $0.metric == metric }, alpha: alpha) { c in
                    strategyColour(folder, colours, protocolID: c.protocolID, variant: c.variant)
                }
                s += figure("\(metric): Δ with 95% interval, largest first", plot)
            }
            s += "</div>\n"
        }
        let filters = [("metric", distinct(doc.comparisons.map(\.metric)).map { ($0, $0) }), ("verdict", verdictOptions())]
            + (folder.protocols.count > 1 ? [("protocol", folder.protocols.map { ($0, protocolLabel($0, folder.protocols)) })] : [])
        s += "<details class=\"all-comparisons\">\n<summary>All \(doc.comparisons.count) comparisons (click a column header to sort)</summary>\n"
        s += filteredTable(doc.comparisons.map { (c: $0, extra: []) }, extraColumns: [], filters: filters, alpha: alpha,
                           folder: folder, colours: colours)
        s += "</details>\n</section>\n"
        return s
    }

    /// The headline metric (the comparisons' first) for every compared variant: rows strategy
    /// ids, columns encoders, under each encoder one cell per (protocol, reduction) with the
    /// verdict's sign and Δ, coloured by verdict.
    static func summaryMatrix(_ doc: ComparisonDocument, folder: ResultsFolder, colours: StrategyColours) -> String {
        guard let headline = doc.comparisons.first?.metric else { return "" }
        let alpha = doc.settings.alpha
        let cells: [(c: PairedComparison, v: VariantEntry)] = doc.comparisons.compactMap { c in
            guard c.metric == headline, let v = folder.variant(VariantKey(protocolID: c.protocolID, id: c.variant)) else { return nil }
            return (c, v)
        }
        guard !cells.isEmpty else { return "" }
        let strategies = distinct(cells.map(\.v.strategyID)), encoders = distinct(cells.map(\.v.encoder))
        var columns: [(protocolID: String, reduction: String)] = []
        for p in folder.protocols {
            for r in distinct(cells.filter { $0.v.protocolID == p }.map(\.v.reductionID)) { columns.append((p, r)) }
        }
        var s = "<h3 id=\"summary\">Summary: \(esc(headline))</h3>\n"
        s += "<p class=\"note\">Each cell: the verdict and Δ of \(esc(headline)) for one variant against its baseline, "
        s += "by encoder and, under each encoder, by protocol and reduction. Hover a cell for its interval and p.</p>\n"
        s += "<div class=\"scroll\">\n<table class=\"summary-matrix\" data-metric=\"\(esc(headline))\">\n<thead>\n"
        s += "<tr><th rowspan=\"2\" class=\"corner\">strategy</th>"
        s += encoders.map { "<th colspan=\"\(columns.count)\" class=\"enc\">\(esc($0))</th>" }.joined() + "</tr>\n<tr>"
        for _ in encoders {
            for (i, col) in columns.enumerated() {
                s += "<th class=\"sub\(i == 0 ? " first" : "")\" title=\"\(esc(col.protocolID)), reduction \(esc(col.reduction))\">"
                s += "\(esc(protocolLabel(col.protocolID, folder.protocols)))<br><code>\(esc(col.reduction))</code></th>"
            }
        }
        s += "</tr>\n</thead>\n<tbody>\n"
        for st in strategies {
            let colour = colours.colour(cells.first { $0.v.strategyID == st }!.v)
            s += "<tr><th class=\"strategy\" style=\"border-left-color:\(colour)\">\(swatch(colour, strategy: st))<span class=\"sid\">\(breakable(st))</span></th>"
            for e in encoders {
                for (i, col) in columns.enumerated() {
                    let first = i == 0 ? " first" : ""
                    guard let (c, v) = cells.first(where: { $0.v.strategyID == st && $0.v.encoder == e && $0.v.protocolID == col.protocolID && $0.v.reductionID == col.reduction }) else {
                        s += "<td class=\"sm-empty\(first)\">–</td>"
                        continue
                    }
                    let verdict = c.verdict(alpha: alpha)
                    s += "<td class=\"sm-cell \(verdictClass(verdict))\(first)\" data-variant=\"\(esc(v.id))\" data-protocol=\"\(esc(v.protocolID))\" "
                    s += "data-verdict=\"\(verdictClass(verdict))\" title=\"\(esc(v.id)) vs \(esc(c.baseline)), \(esc(v.protocolID)): Δ \(signed(c.delta)) "
                    s += "\(MarkdownReport.interval(c.ci95)), adj. p \(MarkdownReport.pText(c.pAdjusted.first?.value)): \(verdict.rawValue)\">"
                    s += "\(verdictGlyph(verdict)) \(signed(c.delta))</td>"
                }
            }
            s += "</tr>\n"
        }
        return s + "</tbody>\n</table>\n</div>\n"
    }

    /// At most this many segment rows go into report.html; a larger study shows its headline
    /// metric's (a 32-variant study with seven metrics has thousands, several MB of page), and
    /// report.md and comparison.json keep them all.
    static let segmentRowLimit = 1_000

    /// The segments: one collapsed, sortable, filterable table of the segment comparisons.
    static func segmentsSection(_ doc: ComparisonDocument, folder: ResultsFolder, colours: StrategyColours) -> String {
        var s = "<section id=\"segments\">\n<h2>Segments</h2>\n<p>The comparisons again by user segment: terciles of history length "
        s += "(<code>activity</code>) and of drift (1 − cos(history profile, mean of the ranked items)); p adjusted over all segment comparisons. "
        s += "Segments: " + doc.segments.map { "\(esc($0.segmentation)) \(esc($0.segment)) \(rangeText($0)) (\($0.users) users)" }
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }.joined(separator: "; ") + ".</p>\n"
        var rows: [(c: PairedComparison, extra: [String])] = [], attributes: [String] = []
        for seg in doc.segments {
            for c in seg.comparisons {
                rows.append((c, ["<td class=\"t\">\(esc(seg.segmentation))</td>", "<td class=\"t\">\(esc(seg.segment))</td>",
                                 "<td data-v=\"\(seg.range.lo)\">\(rangeText(seg))</td>", "<td data-v=\"\(seg.users)\">\(seg.users)</td>"]))
                attributes.append(" data-segmentation=\"\(esc(seg.segmentation))\" data-segment=\"\(esc(seg.segment))\"")
            }
        }
        let total = rows.count
        var summary = "All \(total) segment comparisons"
        if total > segmentRowLimit, let headline = doc.comparisons.first?.metric {
            let keep = rows.indices.filter { rows[$0].c.metric == headline }
            rows = keep.map { rows[$0] }
            attributes = keep.map { attributes[$0] }
            summary = "The \(rows.count) segment comparisons of \(esc(headline)), the headline metric (all \(total), every metric, are in report.md and comparison.json)"
        }
        let segmentations = distinct(doc.segments.map(\.segmentation)), segmentNames = distinct(doc.segments.map(\.segment))
        let filters = [("metric", distinct(rows.map(\.c.metric)).map { ($0, $0) }), ("verdict", verdictOptions()),
                       ("segmentation", segmentations.map { ($0, $0) }), ("segment", segmentNames.map { ($0, $0) })]
            + (folder.protocols.count > 1 ? [("protocol", folder.protocols.map { ($0, protocolLabel($0, folder.protocols)) })] : [])
        s += "<details class=\"segment-comparisons\">\n<summary>\(summary) (click a column header to sort)</summary>\n"
        s += filteredTable(rows, extraColumns: [("segmentation", false), ("segment", false), ("range", true), ("users", true)],
                           filters: filters, alpha: doc.settings.alpha, folder: folder, colours: colours, attributes: attributes)
        return s + "</details>\n</section>\n"
    }

    /// Filter selects (each option's value matched against the rows' `data-<key>`), a count of
    /// the rows shown, and the sortable table.
    static func filteredTable(_ rows: [(c: PairedComparison, extra: [String])], extraColumns: [(String, Bool)],
                              filters: [(String, [(value: String, label: String)])], alpha: Double,
                              folder: ResultsFolder, colours: StrategyColours, attributes: [String] = []) -> String {
        var s = "<div class=\"filtered\">\n<div class=\"filters\">"
        for (key, options) in filters {
            s += "<label>\(esc(key)) <select data-filter=\"\(esc(key))\"><option value=\"\">all</option>"
            s += options.map { "<option value=\"\(esc($0.value))\">\(esc($0.label))</option>" }.joined() + "</select></label> "
        }
        s += "<span class=\"shown\">\(rows.count) of \(rows.count) rows</span></div>\n"
        // What decides first (verdict, Δ, interval, p), then the means, the baseline last.
        let columns: [(String, Bool)] = extraColumns + [("protocol", false), ("variant", false), ("metric", false), ("verdict", false),
                                                        ("Δ", true), ("95% interval", true), ("adj. p", true), ("Δ %", true), ("d", true),
                                                        ("baseline mean", true), ("variant mean", true), ("n", true), ("W/T/L", false), ("baseline", false)]
        s += "<div class=\"scroll\">\n<table class=\"sortable comparisons\">\n<thead><tr>"
        s += columns.map { "<th\($0.1 ? " data-type=\"num\"" : "")>\(esc($0.0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (i, row) in rows.enumerated() {
            let c = row.c, v = c.verdict(alpha: alpha)
            let (strategyID, colour) = strategyColour(folder, colours, protocolID: c.protocolID, variant: c.variant)
            func num(_ d: Double?, _ text: String) -> String { "<td data-v=\"\(d.map { "\($0)" } ?? "")\">\(text)</td>" }
            s += "<tr class=\"\(verdictClass(v))\" data-metric=\"\(esc(c.metric))\" data-verdict=\"\(verdictClass(v))\" data-protocol=\"\(esc(c.protocolID))\""
            s += (i < attributes.count ? attributes[i] : "") + ">"
            s += row.extra.joined()
            s += "<td class=\"t\" title=\"\(esc(c.protocolID))\">\(esc(protocolLabel(c.protocolID, folder.protocols)))</td>"
            s += "<td class=\"t\">\(swatch(colour, strategy: strategyID))<code>\(esc(c.variant))</code></td><td class=\"t\">\(esc(c.metric))</td>"
            s += "<td class=\"t verdict\">\(verdictGlyph(v)) \(esc(v.rawValue))</td>"
            s += num(c.delta, signed(c.delta)) + num(c.ci95?.lo, MarkdownReport.interval(c.ci95))
            s += num(c.pAdjusted.first?.value ?? nil, MarkdownReport.pText(c.pAdjusted.first?.value))
            s += num(c.relativeDelta, c.relativeDelta.map { signed($0 * 100, 1) + "%" } ?? "–") + num(c.effectSize, c.effectSize.map { fmt($0, 2) } ?? "–")
            s += num(c.meanBaseline, fmt(c.meanBaseline, 4)) + num(c.meanVariant, fmt(c.meanVariant, 4)) + num(Double(c.n), "\(c.n)")
            s += "<td>\(c.wins)/\(c.ties)/\(c.losses)</td><td class=\"t\"><code>\(esc(c.baseline))</code></td></tr>\n"
        }
        return s + "</tbody>\n</table>\n</div>\n</div>\n"
    }

    static func verdictOptions() -> [(value: String, label: String)] {
        [Verdict.better, .worse, .noDifference].map { (verdictClass($0), $0.rawValue) }
    }

    /// The verdict colours and signs, for captions.
    static func verdictKey() -> String {
        [Verdict.better, .worse, .noDifference].map {
            "<span class=\"verdict-key \(verdictClass($0))\">\(verdictGlyph($0)) \(esc($0.rawValue))</span>"
        }.joined(separator: " ")
    }

    /// A protocol's kind (`holdout`) where no other protocol of the run has the same kind, else its id.
    static func protocolLabel(_ p: String, _ all: [String]) -> String {
        func kind(_ s: String) -> String { String(s.prefix { $0 != "(" }) }
        if p.isEmpty { return "–" }
        return all.filter { kind($0) == kind(p) }.count == 1 ? kind(p) : p
    }

    /// The strategy id and colour of a compared variant (its entry in the folder; else the id's
    /// middle part).
    static func strategyColour(_ folder: ResultsFolder, _ colours: StrategyColours, protocolID: String, variant: String) -> (String, String) {
        if let v = folder.variant(VariantKey(protocolID: protocolID, id: variant)) ?? folder.variants.first(where: { $0.id == variant }) {
            return (v.strategyID, colours.colour(v))
        }
        let parts = variant.split(separator: "/", omittingEmptySubsequences: false)
        let id = parts.count >= 3 ? parts[1..<(parts.count - 1)].joined(separator: "/") : variant
        return (id, colours.colour(strategyID: id))
    }
}
