import Foundation
import TextFiles

/// `import movielens PATH`: the GroupLens MovieLens releases, detected from the files present.
///
/// - ML-100K: `u.data` (tab-separated `user item rating timestamp`, no header), `u.item`
///   (`|`-separated, ISO-8859-1: id, title, release date, video release date, IMDb URL, 19 genre
///   flags) and `u.genre` (`name|index`, the flag order; the published list when absent).
/// - ML-1M and ML-10M: `ratings.dat` (`UserID::MovieID::Rating::Timestamp`) and `movies.dat`
///   (`MovieID::Title::Genres`, ML-1M in ISO-8859-1).
/// - ML-latest, ML-20M, ML-25M: `ratings.csv` (`userId,movieId,rating,timestamp`) and
///   `movies.csv` (`movieId,title,genres`, RFC 4180 quoting, UTF-8).
///
/// Events have type `rating` and the rating as value. Item fields: `title` (as published,
/// year included), `year` (from the ML-100K release date, else the `(YYYY)` at the end of the
/// title; "" when neither), `genres` (joined with "|"). Text that is not valid UTF-8 is read as
/// ISO-8859-1.
public enum MovieLensImporter {
    public static let genres100K = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
                                    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
                                    "Romance", "Sci-Fi", "Thriller", "War", "Western"]

    public static func run(_ path: String, options: ImportOptions) throws -> ImportResult {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw ImportError("\(path): no such file or folder") }
        let folder = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        func file(_ name: String) -> String? {
            for candidate in [name, name + ".gz"] {
                let p = (folder as NSString).appendingPathComponent(candidate)
                if FileManager.default.fileExists(atPath: p) { return p }
            }
            return nil
        }
        if let data = file("u.data") { return try run100K(data: data, item: file("u.item"), genre: file("u.genre"), options: options) }
        if let ratings = file("ratings.dat") { return try runDat(ratings: ratings, movies: file("movies.dat"), options: options) }
        if let ratings = file("ratings.csv") { return try runCSV(ratings: ratings, movies: file("movies.csv"), options: options) }
        throw ImportError("\(folder): no MovieLens ratings file (u.data for ML-100K, ratings.dat for ML-1M/10M, ratings.csv for ML-latest/20M/25M)")
    }

    /// UTF-8 when valid, else ISO-8859-1.
    static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? Latin1.decode(bytes)
    }

    /// The year in a trailing "(YYYY)" of a title, or "".
    public static func yearFromTitle(_ title: String) -> String {
        let t = title.trimmingCharacters(in: .whitespaces)
        guard t.hasSuffix(")"), let open = t.lastIndex(of: "(") else { return "" }
        let inner = t[t.index(after: open)..<t.index(before: t.endIndex)]
        return inner.count == 4 && inner.allSatisfy(\.isASCII) && inner.allSatisfy(\.isNumber) ? String(inner) : ""
    }

    static func ratingBuilder(_ options: ImportOptions) -> EventBuilder {
        EventBuilder(options: options, hasType: true, hasValue: true, typeNames: ["rating"])
    }

    /// Adds one rating from its four fields.
    static func addRating(_ b: EventBuilder, _ f: [UnsafeBufferPointer<UInt8>], location: @autoclosure () -> String) throws {
        guard let time = TimeParsing.parse(f[3]) else {
            try b.bad("unparsable time", "\(location()): column timestamp: cannot read \"\(ByteText.display(f[3]))\" as a time (unix seconds, unix milliseconds or ISO-8601)")
            return
        }
        guard let rating = NumberParsing.float(f[2]) else {
            try b.bad("unparsable value", "\(location()): column rating: cannot read \"\(ByteText.display(f[2]))\" as a number")
            return
        }
        guard try b.checkID(f[0], location: location(), column: "user"), try b.checkID(f[1], location: location(), column: "item") else { return }
        b.add(user: f[0], item: f[1], time: time, type: 0, value: rating)
    }

    static func run100K(data: String, item: String?, genre: String?, options: ImportOptions) throws -> ImportResult {
        var notes = ["\(data): MovieLens 100K"]
        var catalogue: Catalogue?
        if let item {
            var genres = genres100K
            if let genre {
                var g: [String] = []
                let r = try LineReader(path: genre)
                while try r.next({ line in
                    let s = text(line)
                    if let bar = s.lastIndex(of: "|") { g.append(String(s[..<bar])) }
                }) {}
                if !g.isEmpty { genres = g }
            }
            var c = Catalogue(fieldNames: ["title", "year", "genres"])
            let b = EventBuilder(options: options, hasType: false, hasValue: false)
            let r = try CSVReader(path: item, delimiter: UInt8(ascii: "|"), quoting: false)
            while try r.next() {
                guard r.fieldCount == 5 + genres.count else {
                    try b.bad("item file: wrong field count", "\(item):\(r.line): expected \(5 + genres.count) fields (id, title, release date, video release date, IMDb URL and \(genres.count) genre flags), found \(r.fieldCount)")
                    continue
                }
                let id = r.withField(0, text), title = r.withField(1, text), date = r.withField(2, text)
                guard !id.isEmpty else { try b.bad("item file: empty id", "\(item):\(r.line): the movie id is empty"); continue }
                // Release date "01-Jan-1995": the year is its last four characters.
                var year = date.count >= 4 ? String(date.suffix(4)) : ""
                if !year.allSatisfy(\.isNumber) || year.count != 4 { year = yearFromTitle(title) }
                var names: [String] = []
                for (k, g) in genres.enumerated() where r.withField(5 + k, { $0.count == 1 && $0[0] == UInt8(ascii: "1") }) { names.append(g) }
                c.add(id: id, fields: [title, year, names.joined(separator: "|")])
            }
            catalogue = c
            notes.append("\(item): \(c.count) movies (ISO-8859-1)")
        }
        let b = ratingBuilder(options)
        b.catalogue = catalogue
        b.summary.notes = notes
        let r = try CSVReader(path: data, delimiter: 0x09, quoting: false)
        while try r.next() {
            b.row()
            guard r.fieldCount == 4 else {
                try b.bad("wrong field count", "\(data):\(r.line): expected 4 fields (user, item, rating, timestamp), found \(r.fieldCount)")
                continue
            }
            try r.withField(0) { u in try r.withField(1) { i in try r.withField(2) { v in try r.withField(3) { t in
                try addRating(b, [u, i, v, t], location: "\(data):\(r.line)")
            } } } }
        }
        return try b.finish(source: data)
    }

    /// Splits a line on "::".
    static func splitDoubleColon(_ line: UnsafeBufferPointer<UInt8>) -> [UnsafeBufferPointer<UInt8>] {
        var parts: [UnsafeBufferPointer<UInt8>] = []
        var start = 0, i = 0
        let colon = UInt8(ascii: ":")
        while i + 1 < line.count {
            if line[i] == colon && line[i + 1] == colon {
                parts.append(UnsafeBufferPointer(rebasing: line[start..<i]))
                i += 2
                start = i
            } else { i += 1 }
        }
        parts.append(UnsafeBufferPointer(rebasing: line[start..<line.count]))
        return parts
    }

    static func runDat(ratings: String, movies: String?, options: ImportOptions) throws -> ImportResult {
        var notes = ["\(ratings): MovieLens 1M/10M (\"::\"-separated)"]
        var catalogue: Catalogue?
        if let movies {
            var c = Catalogue(fieldNames: ["title", "year", "genres"])
            let b = EventBuilder(options: options, hasType: false, hasValue: false)
            let r = try LineReader(path: movies)
            while try r.next({ line in
                if line.isEmpty { return }
                let parts = splitDoubleColon(line)
                // Titles may hold "::"? They do not in the releases, but keep the middle whole.
                guard parts.count >= 3 else {
                    try b.bad("item file: wrong field count", "\(movies):\(r.line): expected 3 fields (MovieID::Title::Genres), found \(parts.count)")
                    return
                }
                let id = text(parts[0])
                let title = parts[1..<(parts.count - 1)].map(text).joined(separator: "::")
                guard !id.isEmpty else { try b.bad("item file: empty id", "\(movies):\(r.line): the movie id is empty"); return }
                c.add(id: id, fields: [title, yearFromTitle(title), text(parts[parts.count - 1])])
            }) {}
            catalogue = c
            notes.append("\(movies): \(c.count) movies")
        }
        let b = ratingBuilder(options)
        b.catalogue = catalogue
        b.summary.notes = notes
        let r = try LineReader(path: ratings)
        while try r.next({ line in
            if line.isEmpty { return }
            b.row()
            let parts = splitDoubleColon(line)
            guard parts.count == 4 else {
                try b.bad("wrong field count", "\(ratings):\(r.line): expected 4 fields (UserID::MovieID::Rating::Timestamp), found \(parts.count)")
                return
            }
            try addRating(b, parts, location: "\(ratings):\(r.line)")
        }) {}
        return try b.finish(source: ratings)
    }

    static func runCSV(ratings: String, movies: String?, options: ImportOptions) throws -> ImportResult {
        var notes = ["\(ratings): MovieLens latest/20M/25M (CSV)"]
        var catalogue: Catalogue?
        if let movies {
            let (raw, _) = try CSVImporter.readItemFile(movies, idColumn: "movieId", delimiter: UInt8(ascii: ","), options: options)
            guard let t = raw.fieldNames.firstIndex(of: "title"), let g = raw.fieldNames.firstIndex(of: "genres") else {
                throw ImportError("\(movies): expected the columns movieId, title, genres; found movieId, \(raw.fieldNames.joined(separator: ", "))")
            }
            var c = Catalogue(fieldNames: ["title", "year", "genres"])
            for row in 0..<raw.count {
                let title = raw.values[t][row]
                c.add(id: raw.ids.key(row), fields: [title, yearFromTitle(title), raw.values[g][row]])
            }
            catalogue = c
            notes.append("\(movies): \(c.count) movies")
        }
        let r = try CSVReader(path: ratings, delimiter: UInt8(ascii: ","))
        let header = try CSVImporter.readHeader(r)
        let m = try ColumnMapping.resolve(header: header, names: .init(), file: ratings)
        let b = ratingBuilder(options)
        b.catalogue = catalogue
        b.summary.notes = notes
        try CSVImporter.readEvents(r, header: header, mapping: ColumnMapping(user: m.user, item: m.item, time: m.time, type: nil, value: m.value),
                                   into: b)
        return try b.finish(source: ratings)
    }
}
