import Comparisons
import Foundation
import Results
import Statistics

extension MarkdownReport {
    /// Marks where the comparison section of report.md starts, so `compare` can replace it.
    public static let comparisonMarker = "<!-- comparison -->"

    /// The comparison section: per protocol and metric a table of each variant against its
    /// baseline (delta, 95% interval, adjusted p, verdict), then the segment tables.
    public static func comparisonSection(_ doc: ComparisonDocument) -> String {
        let s = doc.settings
        let primary = (s.tests.first ?? .pairedT).rawValue
        var out = comparisonMarker + "\n## Comparison\n\n"
        out += introduction(doc) { "`\($0)`" } + " (docs/statistics.md).\n\n"
        out += tables(doc.comparisons, alpha: s.alpha, primary: primary, level: "###")
        if !doc.segments.isEmpty {
            out += "## Segments\n\n"
            out += "The same comparisons by user segment: `activity` is the terciles of history length (events that built "
            out += "the profile), `drift` the terciles of 1 − cos(history profile, mean of the ranked items); adjusted over all "
            out += "segment comparisons.\n\n"
            var byKey: [(String, [SegmentComparison])] = []
            for seg in doc.segments {
                let k = "\(seg.protocolID) \(seg.segmentation)"
                if let i = byKey.firstIndex(where: { $0.0 == k }) { byKey[i].1.append(seg) } else { byKey.append((k, [seg])) }
            }
            for (_, segs) in byKey {
                out += "### \(segs[0].segmentation), \(segs[0].protocolID)\n\n"
                out += "| segment | range | users | variant | metric | Δ | 95% interval | adj. p | verdict |\n"
                out += "|---|---|---:|---|---|---:|---|---:|---|\n"
                for seg in segs {
                    for c in seg.comparisons {
                        out += "| \(seg.segment) | \(rangeText(seg)) | \(seg.users) | `\(c.variant)` | \(c.metric) | "
                        out += "\(signed(c.delta)) | \(interval(c.ci95)) | \(pText(c.pAdjusted.first?.value)) | \(c.verdict(alpha: s.alpha).rawValue) |\n"
                    }
                }
                out += "\n"
            }
        }
        if !doc.splitTraffic.isEmpty {
            out += "## Simulated online A/B (split traffic)\n\n"
            out += "Users split into arm A (baseline) and arm B (variant) by a seeded hash of their id; Welch's t-test on the arm "
            out += "means; SRM is the chi-square test of the arm sizes against an even split; CUPED adjusts each user's value with "
            out += "their pre-period metric (the static profile's score on the last quarter of their history).\n\n"
            out += "| variant | metric | users A / B | mean A | mean B | Δ | Welch p | SRM p | CUPED Δ | CUPED p | variance removed |\n"
            out += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            for r in doc.splitTraffic {
                out += "| `\(r.variant)` | \(r.metric) | \(r.usersA) / \(r.usersB) | \(fmt(r.meanA, 4)) | \(fmt(r.meanB, 4)) | "
                out += "\(signed(r.meanB - r.meanA)) | \(pText(r.welch?.p)) | \(pText(r.srm?.p)) | "
                out += "\(r.cuped.map { signed($0.delta) } ?? "–") | \(pText(r.cuped?.welch?.p)) | \(r.cuped.map { fmt($0.varianceReduction * 100, 1) + "%" } ?? "–") |\n"
            }
            out += "\n"
        }
        return out
    }

    /// Per protocol and metric, one table with a row per comparison.
    static func tables(_ comparisons: [PairedComparison], alpha: Double, primary: String, level: String) -> String {
        var out = ""
        var groups: [(String, String, [PairedComparison])] = []
        for c in comparisons {
            if let i = groups.firstIndex(where: { $0.0 == c.protocolID && $0.1 == c.metric }) { groups[i].2.append(c) }
            else { groups.append((c.protocolID, c.metric, [c])) }
        }
        for (p, metric, rows) in groups {
            out += "\(level) \(metric)" + (p.isEmpty ? "" : ", \(p)") + "\n\n"
            out += "| variant | baseline | n | baseline mean | variant mean | Δ | Δ % | 95% interval | adj. p | d | W/T/L | verdict |\n"
            out += "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---|---|\n"
            for c in rows {
                out += "| `\(c.variant)` | `\(c.baseline)` | \(c.n) | \(fmt(c.meanBaseline, 4)) | \(fmt(c.meanVariant, 4)) | \(signed(c.delta)) | "
                out += "\(c.relativeDelta.map { signed($0 * 100, 1) + "%" } ?? "–") | \(interval(c.ci95)) | \(pText(c.pAdjusted.first?.value)) | "
                out += "\(c.effectSize.map { fmt($0, 2) } ?? "–") | \(c.wins)/\(c.ties)/\(c.losses) | **\(c.verdict(alpha: alpha).rawValue)** |\n"
            }
            out += "\n"
        }
        return out
    }

    /// `9–16` events for activity, `0.110–0.549` for drift.
    static func rangeText(_ s: SegmentComparison) -> String {
        let digits = s.segmentation == "activity" ? 0 : 3
        return "\(fmt(s.range.lo, digits))–\(fmt(s.range.hi, digits))"
    }

    static func correctionName(_ c: PValueCorrection) -> String {
        switch c {
        case .holm: return "Holm-adjusted"
        case .bh: return "Benjamini–Hochberg-adjusted"
        case .unadjusted: return "unadjusted"
        }
    }
    /// The comparison section's opening sentences, as report.md and report.html both begin it;
    /// `code` sets a name (backticks, or an HTML `<code>` element).
    static func introduction(_ doc: ComparisonDocument, code: (String) -> String) -> String {
        let s = doc.settings
        var out = doc.runs.map { "Run \(code($0.variant)) against run \(code($0.baseline)), users paired by id. " }
            ?? "Each variant against baseline \(code(s.baseline)) (same protocol, encoder and reduction), users paired by id. "
        out += "Δ = variant − baseline with its seeded paired-bootstrap 95% interval; p is the \((s.tests.first ?? .pairedT).rawValue) test's, "
        out += "\(correctionName(s.correction)) over all \(doc.comparisons.count) comparisons; verdict at α = \(fmt(s.alpha, 2))"
        return out
    }

    static func fmt(_ d: Double, _ digits: Int) -> String { d.isNaN ? "–" : String(format: "%.\(digits)f", d) }
    static func signed(_ d: Double, _ digits: Int = 4) -> String { d.isNaN ? "–" : (d >= 0 ? "+" : "") + String(format: "%.\(digits)f", d) }
    static func interval(_ ci: (lo: Double, hi: Double)?) -> String {
        ci.map { "[\(signed($0.lo)), \(signed($0.hi))]" } ?? "–"
    }
    static func pText(_ p: Double?) -> String {
        guard let p else { return "–" }
        return p < 0.001 ? String(format: "%.1e", p) : String(format: "%.3f", p)
    }
}
