import Foundation

/// The human summary `profilebench inspect` prints.
public enum DatasetSummary {
    /// Summarises `d`, read from `path`, and its embedding tables. Throws the first
    /// `DatasetError` of a table that `DatasetIO.readEmbeddings` rejects.
    public static func describe(_ d: Dataset, path: String) throws -> String {
        var s = "\(path)\n"
        var perUser = [Int](repeating: 0, count: d.userCount)
        for u in d.eventUser { perUser[Int(u)] += 1 }
        let active = perUser.filter { $0 > 0 }.sorted()
        s += "  users   \(d.userCount) (\(active.count) with events, \(d.userCount - active.count) without)\n"
        var itemSeen = [Bool](repeating: false, count: d.itemCount)
        for i in d.eventItem { itemSeen[Int(i)] = true }
        s += "  items   \(d.itemCount) (\(itemSeen.filter { $0 }.count) with events)\n"
        s += "  events  \(d.eventCount)\n"
        if let lo = d.eventTime.min(), let hi = d.eventTime.max() {
            let f = ISO8601DateFormatter()
            s += "  time    \(f.string(from: Date(timeIntervalSince1970: TimeInterval(lo)))) .. \(f.string(from: Date(timeIntervalSince1970: TimeInterval(hi)))) (\(String(format: "%.1f", Double(hi - lo) / 86_400)) days)\n"
        }
        if !active.isEmpty {
            func q(_ p: Double) -> Int { active[min(active.count - 1, Int((Double(active.count - 1) * p).rounded()))] }
            s += "  events per user: min \(active[0]), p25 \(q(0.25)), median \(q(0.5)), p75 \(q(0.75)), p95 \(q(0.95)), max \(active[active.count - 1])\n"
        }
        if let t = d.eventType {
            var counts = [Int](repeating: 0, count: d.typeNames.count)
            for c in t { counts[Int(c)] += 1 }
            s += "  event types: " + zip(d.typeNames, counts).map { "\($0) \($1)" }.joined(separator: ", ") + "\n"
        }
        if d.eventValue != nil { s += "  event values: present\n" }
        s += "  item fields: " + (["id"] + d.itemFields.map(\.name)).joined(separator: ", ") + "\n"
        if d.cases.isEmpty {
            s += "  cases: none\n"
        } else {
            s += "  cases:\n"
            for split in d.cases.keys.sorted() {
                let c = d.cases[split]!
                let lengths = (0..<c.count).map { c.history(of: $0).count }.sorted()
                let users = Set(c.user).count
                var line = "    \(split)  \(c.count) cases, \(users) users"
                if let lo = lengths.first, let hi = lengths.last {
                    line += ", history length min \(lo), median \(lengths[(lengths.count - 1) / 2]), max \(hi)"
                }
                s += line + "\n"
            }
        }
        // Every table is read and checked as `run` reads it, so a table `run` would reject
        // fails here with the same error.
        var lines: [String] = []
        let f = try DatasetIO.open(path)
        try DatasetIO.forEachEmbeddingTable(path, itemIDs: d.itemIDs) { t in
            // The stored attribute, not the table name `EmbeddingAttributes.encoder` falls back to.
            let enc = try f.attribute("encoder", of: "/embeddings/\(t.name)")?.stringValue ?? "?"
            let tpl = t.attributes.textTemplate
            lines.append("    \(t.name)  \(t.rows) × \(t.dim)  encoder \(enc)\(tpl.isEmpty ? "" : ", template \"\(tpl)\"")\n")
        }
        s += lines.isEmpty ? "  embeddings: none\n" : "  embeddings:\n" + lines.joined()
        return s
    }
}
