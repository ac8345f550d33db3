/// A summary of the check in GitHub-flavoured markdown, for a pull-request comment or
/// `$GITHUB_STEP_SUMMARY`.
extension RegressionCheck {
    /// The verdict first (passed/failed with counts), then the inputs of both runs (changed ones
    /// marked), then a table of the metrics that fell or are missing, one of those that rose,
    /// and the unchanged ones collapsed in a `<details>` block. Each row: protocol, variant,
    /// metric, baseline, current, delta, its 95% interval, the adjusted p.
    public func markdown() -> String {
        let counts = Change.allCases.map { (change: $0, n: findings($0).count) }
        let tally = counts.filter { $0.change != .missing || $0.n > 0 }.map { "\($0.n) \($0.change.rawValue)" }.joined(separator: ", ")
        var out = "## ProfileBench check" + (specName.isEmpty ? "" : " `\(Self.cell(specName))`") + ": "
        out += passed ? "passed\n\n" : "**failed**\n\n"
        out += "\(findings.count) metrics: \(tally). "
        out += "A metric fails when it fell by more than \(Self.number(tolerance)) or significantly "
        out += "(Holm-adjusted paired t-test, alpha \(Self.number(alpha))).\n\n"
        out += "Baseline `\(Self.cell(baselinePath))`, current `\(Self.cell(currentPath))`.\n\n"

        out += "| input | baseline | current | |\n| --- | --- | --- | --- |\n"
        for input in provenance {
            out += "| \(input.what) | `\(Self.cell(Self.short(input.baseline)))` | `\(Self.cell(Self.short(input.current)))` | "
                + (input.same ? "same" : "**changed**") + " |\n"
        }
        let changed = provenance.filter { !$0.same }.map(\.what)
        out += "\n" + (changed.isEmpty ? "No input changed." : "Changed: \(changed.joined(separator: ", ")).") + "\n"

        let fell = findings.filter { $0.status != .ok }
        if !fell.isEmpty {
            out += "\n### Fell (\(fell.count))\n\n" + table(fell, why: true)
        }
        let rose = findings(.rose)
        if !rose.isEmpty { out += "\n### Rose (\(rose.count))\n\n" + table(rose, why: false) }
        let same = findings(.unchanged)
        if !same.isEmpty {
            out += "\n<details><summary>Unchanged (\(same.count))</summary>\n\n" + table(same, why: false) + "\n</details>\n"
        }
        return out
    }

    private func table(_ rows: [Finding], why: Bool) -> String {
        var out = "| protocol | variant | metric | baseline | current | delta | 95% CI of delta | p (adj.) |" + (why ? " why |" : "") + "\n"
        out += "| --- | --- | --- | ---: | ---: | ---: | --- | ---: |" + (why ? " --- |" : "") + "\n"
        func f(_ d: Double?) -> String { d.map { $0.isNaN ? "nan" : String(format: "%.4f", $0) } ?? "–" }
        for r in rows {
            // Deltas and intervals to 6 decimals: a drop of 0.005025 must not read as the tolerance 0.0050.
            let delta = r.delta.map { ($0 >= 0 ? "+" : "") + String(format: "%.6f", $0) } ?? "–"
            let ci = r.ci95.map { "[" + String(format: "%.6f", $0.lo) + ", " + String(format: "%.6f", $0.hi) + "]" } ?? "–"
            let p = r.p.map { String(format: "%.3g", $0) } ?? "–"
            var line = "| \(Self.cell(r.key.protocolID)) | `\(Self.cell(r.key.id))` | \(Self.cell(r.metric)) | \(f(r.baseline)) | \(f(r.current)) | \(delta) | \(ci) | \(p) |"
            if why { line += " " + Self.cell(Self.reason(r.status)) + " |" }
            out += line + "\n"
        }
        return out
    }

    static func reason(_ s: Status) -> String {
        switch s {
        case .ok: return ""
        case .fellBeyondTolerance: return "beyond tolerance"
        case .fellSignificantly: return "significant"
        case .missing: return "missing"
        }
    }

    /// A table cell: `|` escaped, line breaks as spaces.
    static func cell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// Hashes and commits (words of 40 or 64 hex digits, also as `key=value` in a `,` list)
    /// shortened to their first 12 digits.
    static func short(_ s: String) -> String {
        func word(_ w: Substring) -> String {
            (w.count == 40 || w.count == 64) && w.allSatisfy(\.isHexDigit) ? String(w.prefix(12)) + "…" : String(w)
        }
        return s.split(separator: ",", omittingEmptySubsequences: false).map { part -> String in
            if let eq = part.firstIndex(of: "=") { return String(part[...eq]) + word(part[part.index(after: eq)...]) }
            return part.split(separator: " ", omittingEmptySubsequences: false).map(word).joined(separator: " ")
        }.joined(separator: ",")
    }
}
