import Foundation
import TextFiles

/// `import retailrocket PATH`: the RetailRocket e-commerce dataset (Kaggle, 2016).
///
/// - `events.csv`: `timestamp,visitorid,event,itemid,transactionid`, times in unix
///   milliseconds, event one of `view`, `addtocart`, `transaction` (the type names, in that order).
/// - `item_properties_part1.csv`, `item_properties_part2.csv`: `timestamp,itemid,property,value`,
///   time-stamped snapshots; the `categoryid` property with the latest timestamp becomes the
///   item field `category`. Other properties are hashed values and are not read.
public enum RetailRocketImporter {
    public static let eventTypes = ["view", "addtocart", "transaction"]

    public static func run(_ path: String, options: ImportOptions) throws -> ImportResult {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw ImportError("\(path): no such file or folder") }
        let folder = isDir.boolValue ? path : (path as NSString).deletingLastPathComponent
        let events = isDir.boolValue ? (folder as NSString).appendingPathComponent("events.csv") : path
        let fm = FileManager.default
        let eventsFile = fm.fileExists(atPath: events) ? events : events + ".gz"
        guard fm.fileExists(atPath: eventsFile) else { throw ImportError("\(folder): no events.csv") }
        let propertyFiles = try fm.contentsOfDirectory(atPath: folder).sorted()
            .filter { $0.hasPrefix("item_properties") && ($0.hasSuffix(".csv") || $0.hasSuffix(".csv.gz")) }
            .map { (folder as NSString).appendingPathComponent($0) }
        var notes = ["\(eventsFile): RetailRocket events"]
        var catalogue: Catalogue?
        if !propertyFiles.isEmpty {
            catalogue = try readCategories(propertyFiles, options: options)
            notes.append("\(propertyFiles.joined(separator: ", ")): category ids of \(catalogue!.count) items")
        }
        let r = try CSVReader(path: eventsFile, delimiter: UInt8(ascii: ","))
        let header = try CSVImporter.readHeader(r)
        for col in ["timestamp", "visitorid", "event", "itemid"] where !header.contains(col) {
            throw ImportError("\(eventsFile): missing column \(col) (expected timestamp,visitorid,event,itemid,transactionid); the header has \(header.joined(separator: ", "))")
        }
        let m = ColumnMapping(user: header.firstIndex(of: "visitorid")!, item: header.firstIndex(of: "itemid")!,
                              time: header.firstIndex(of: "timestamp")!, type: header.firstIndex(of: "event")!, value: nil)
        let b = EventBuilder(options: options, hasType: true, hasValue: false, typeNames: eventTypes)
        b.catalogue = catalogue
        b.summary.notes = notes
        try CSVImporter.readEvents(r, header: header, mapping: m, into: b)
        return try b.finish(source: eventsFile)
    }

    /// The latest `categoryid` of each item.
    static func readCategories(_ files: [String], options: ImportOptions) throws -> Catalogue {
        var latest: [String: (time: Int64, value: String)] = [:]
        let b = EventBuilder(options: options, hasType: false, hasValue: false)
        for file in files {
            let r = try CSVReader(path: file, delimiter: UInt8(ascii: ","))
            let header = try CSVImporter.readHeader(r)
            guard let t = header.firstIndex(of: "timestamp"), let i = header.firstIndex(of: "itemid"),
                  let p = header.firstIndex(of: "property"), let v = header.firstIndex(of: "value") else {
                throw ImportError("\(file): expected the columns timestamp,itemid,property,value; the header has \(header.joined(separator: ", "))")
            }
            let width = header.count
            while true {
                do { guard try r.next() else { break } } catch let e as CSVRowError {
                    try b.bad("item properties: broken quoting", e.description); continue
                }
                guard r.fieldCount == width else {
                    try b.bad("item properties: wrong field count", "\(file):\(r.line): expected \(width) fields (as in the header), found \(r.fieldCount)")
                    continue
                }
                let isCategory = r.withField(p) { $0.elementsEqual("categoryid".utf8) }
                guard isCategory else { continue }
                guard let time = r.withField(t, TimeParsing.parse) else {
                    try b.bad("item properties: unparsable time", "\(file):\(r.line): column timestamp: cannot read \"\(r.displayValue(t))\" as a time")
                    continue
                }
                guard let item = r.string(i), let value = r.string(v) else {
                    try b.bad("item properties: invalid UTF-8", "\(file):\(r.line): invalid UTF-8 in \"\(r.displayValue(i))\" or \"\(r.displayValue(v))\"")
                    continue
                }
                if let old = latest[item], old.time > time { continue }
                latest[item] = (time, value)
            }
        }
        var c = Catalogue(fieldNames: ["category"])
        for (item, tv) in latest.sorted(by: { $0.key < $1.key }) { c.add(id: item, fields: [tv.value]) }
        return c
    }
}
