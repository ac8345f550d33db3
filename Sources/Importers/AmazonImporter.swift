import JSON
import TextFiles
/// `import amazon REVIEWS [--meta META]`: the Amazon review data of McAuley et al.
///
/// - 2014 release (SIGIR 2015, WWW 2016): reviews are JSON lines with `reviewerID`, `asin`,
///   `unixReviewTime`, `overall`, `helpful`…; metadata lines are Python literals (`{'asin': …,
///   'title': …, 'categories': [['Beauty', 'Makeup']], 'brand': …, 'description': …}`).
/// - 2018 release (Ni et al., EMNLP 2019): reviews as above plus `verified`, `vote`, `style`;
///   metadata is strict JSON with `category` (a list), `title`, `brand`, `description` (a list).
///
/// The release is detected from the metadata (Python literal or `categories` → 2014;
/// `category`/`main_cat` → 2018), else from the reviews (`helpful` → 2014; `verified`, `vote`,
/// `style` → 2018). Events: user `reviewerID`, item `asin`, time `unixReviewTime`, type
/// `rating`, value `overall`. Item fields: `title`, `brand`, `category` (a category path joined
/// with " > ", several paths with " | "), `description` (a list joined with a space).
public enum AmazonImporter {
    public enum Release: String, Sendable { case y2014 = "2014", y2018 = "2018" }

    public static func run(reviews: String, meta: String?, options: ImportOptions) throws -> ImportResult {
        var catalogue: Catalogue?
        var notes: [String] = []
        var metaRelease: Release?
        if let meta {
            let (c, release) = try readMeta(meta, options: options)
            catalogue = c
            metaRelease = release
            notes.append("\(meta): \(release.map { "Amazon \($0.rawValue) metadata" } ?? "metadata"), \(c.count) items")
        }
        let b = EventBuilder(options: options, hasType: true, hasValue: true, typeNames: ["rating"])
        b.catalogue = catalogue
        var reviewRelease: Release?
        var sawLine = false
        let r = try LineReader(path: reviews)
        while try r.next({ bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            sawLine = true
            let loc = "\(reviews):\(r.line)"
            b.row()
            guard let o = try JSONLImporter.parseObject(bytes, location: loc, python: true, bad: { try b.bad($0, $1) }) else { return }
            if reviewRelease == nil {
                let keys = Set(o.map(\.0))
                if keys.contains("helpful") { reviewRelease = .y2014 } else if !keys.isDisjoint(with: ["verified", "vote", "style"]) { reviewRelease = .y2018 }
            }
            func field(_ name: String) throws -> String? {
                guard let v = o.first(where: { $0.0 == name })?.1 else {
                    try b.bad("missing field", "\(loc): field \"\(name)\" is missing"); return nil
                }
                guard let t = v.scalarText else {
                    try b.bad("wrong field type", "\(loc): field \"\(name)\" is \(JSONLImporter.kind(v)), expected a string or a number"); return nil
                }
                return t
            }
            guard let user = try field("reviewerID"), let item = try field("asin"), let timeText = try field("unixReviewTime"),
                  let ratingText = try field("overall") else { return }
            guard let time = TimeParsing.parse(timeText) else {
                try b.bad("unparsable time", "\(loc): field \"unixReviewTime\": cannot read \"\(timeText)\" as a time (unix seconds, unix milliseconds or ISO-8601)")
                return
            }
            guard let rating = Double(ratingText), rating.isFinite else {
                try b.bad("unparsable value", "\(loc): field \"overall\": cannot read \"\(ratingText)\" as a number"); return
            }
            for (name, v) in [("reviewerID", user), ("asin", item)] where v.isEmpty {
                try b.bad("empty id", "\(loc): field \"\(name)\" is empty"); return
            }
            b.add(user: user, item: item, time: time, type: 0, value: Float(rating))
        }) {}
        guard sawLine else { throw ImportError("\(reviews): the file is empty (one review object per line is expected)") }
        let release = metaRelease ?? reviewRelease
        b.summary.notes = ["\(reviews): Amazon \(release.map { "\($0.rawValue) release" } ?? "review data (release not detected)")"
                           + (metaRelease != nil ? " (detected from the metadata)" : reviewRelease != nil ? " (detected from the reviews)" : "")] + notes
        if let m = metaRelease, let rr = reviewRelease, m != rr {
            b.summary.warnings.append("the reviews look like the \(rr.rawValue) release but the metadata like the \(m.rawValue) release")
        }
        return try b.finish(source: reviews)
    }

    /// Reads the metadata: title, brand, category, description per asin.
    static func readMeta(_ path: String, options: ImportOptions) throws -> (Catalogue, Release?) {
        var c = Catalogue(fieldNames: ["title", "brand", "category", "description"])
        let b = EventBuilder(options: options, hasType: false, hasValue: false)
        var release: Release?
        var python = false
        let r = try LineReader(path: path)
        while try r.next({ bytes in
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            let loc = "\(path):\(r.line)"
            if release == nil {
                // A Python literal starts with {' (repr of a dict with str keys).
                var k = 0
                while k < bytes.count, bytes[k] == 0x20 { k += 1 }
                python = k + 1 < bytes.count && bytes[k] == UInt8(ascii: "{") && bytes[k + 1] == UInt8(ascii: "'")
            }
            guard let o = try JSONLImporter.parseObject(bytes, location: loc, python: python || release == .y2014,
                                                        bad: { try b.bad("metadata: \($0)", $1) }) else { return }
            func value(_ name: String) -> LooseValue? { o.first { $0.0 == name }?.1 }
            if release == nil {
                if python || value("categories") != nil { release = .y2014 } else if value("category") != nil || value("main_cat") != nil { release = .y2018 }
            }
            guard let asin = value("asin")?.scalarText, !asin.isEmpty else {
                try b.bad("metadata: missing field", "\(loc): field \"asin\" is missing or empty"); return
            }
            var category = ""
            if case .array(let paths)? = value("categories") {
                category = paths.map { p -> String in
                    if case .array(let parts) = p { return parts.compactMap(\.scalarText).joined(separator: " > ") }
                    return p.scalarText ?? ""
                }.filter { !$0.isEmpty }.joined(separator: " | ")
            } else if let cat = value("category") {
                category = cat.text(separator: " > ")
            }
            let description = value("description")?.text(separator: " ") ?? ""
            c.add(id: asin, fields: [value("title")?.text() ?? "", value("brand")?.text() ?? "", category, description])
        }) {}
        return (c, release)
    }
}
