import AtomicIO
import Comparisons
import Foundation
import JSON
import Results

/// The one entry point that renders a results folder's reports — report.md, report.html and,
/// with a comparison, comparison.json — from its typed model. `run` calls it on the folder it
/// built in memory, `compare` on the folder it read back; both get the same bytes for the same
/// model and comparison.
public enum ResultsReport {
    /// The comparison the folder's spec asks for (its `compare` block), or nil without one.
    public static func specComparison(_ folder: ResultsFolder) throws -> ComparisonDocument? {
        guard folder.spec.compare != nil else { return nil }
        return try ComparisonDocument.within(folder, settings: ComparisonSettings.resolve(folder))
    }

    /// comparison.json (when `comparison` is given), report.md and report.html.
    public static func render(_ folder: ResultsFolder, comparison: ComparisonDocument?) throws -> [(name: String, data: Data)] {
        var out: [(String, Data)] = []
        if let comparison { out.append(("comparison.json", Data(JSONWriter.string(comparison.json()).utf8))) }
        out.append(("report.md", Data(MarkdownReport.render(folder, comparison: comparison).utf8)))
        out.append(("report.html", Data(HTMLReport.render(folder, comparison: comparison).utf8)))
        return out
    }

    /// Re-renders the reports of the folder at `folder.path` with `comparison` (`compare` with
    /// one folder), each file written atomically; the folder's other files are left as they are.
    public static func refresh(_ folder: ResultsFolder, comparison: ComparisonDocument?) throws {
        for (name, data) in try render(folder, comparison: comparison) {
            try AtomicIO.write(data, to: URL(fileURLWithPath: folder.path).appendingPathComponent(name).path)
        }
    }
}
