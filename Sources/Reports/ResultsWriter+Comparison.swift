import AtomicIO
import Comparisons
import Foundation
import JSON

extension ResultsWriter {
    /// Writes `doc` into the results folder it compares (`compare` with one folder): comparison.json,
    /// report.md with its comparison section replaced (or appended, see
    /// ``MarkdownReport/replacingComparison(in:with:)``; a missing report.md counts as empty) and
    /// report.html rendered anew, each file atomically.
    public static func writeComparison(_ doc: ComparisonDocument, into folder: ResultsFolder) throws {
        let dir = URL(fileURLWithPath: folder.path)
        try AtomicIO.write(JSONWriter.string(doc.json()), to: dir.appendingPathComponent("comparison.json").path)
        let reportPath = dir.appendingPathComponent("report.md").path
        let report = (try? String(contentsOfFile: reportPath, encoding: .utf8)) ?? ""
        try AtomicIO.write(MarkdownReport.replacingComparison(in: report, with: MarkdownReport.comparisonSection(doc)), to: reportPath)
        try AtomicIO.write(HTMLReport.render(folder, comparison: doc), to: dir.appendingPathComponent("report.html").path)
    }
}
