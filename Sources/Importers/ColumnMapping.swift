/// Which column (or JSON field) holds the user, the item, the time, the event type and the value.
public struct ColumnMapping: Sendable, Equatable {
    public var user: Int
    public var item: Int
    public var time: Int
    public var type: Int?
    public var value: Int?

    /// Column names to map explicitly (nil: detect).
    public struct Names: Sendable, Equatable {
        public var user: String?
        public var item: String?
        public var time: String?
        public var type: String?
        public var value: String?
        public init(user: String? = nil, item: String? = nil, time: String? = nil, type: String? = nil, value: String? = nil) {
            self.user = user; self.item = item; self.time = time; self.type = type; self.value = value
        }
    }

    /// Names that detection recognises, most specific first. A header name matches when it
    /// equals one of these after lower-casing and removing `_`, `-`, `.` and spaces (so
    /// `user_id`, `userId` and `User ID` all match `userid`).
    public static let userNames = ["userid", "user", "visitorid", "reviewerid", "customerid", "uid", "sessionid"]
    public static let itemNames = ["itemid", "item", "asin", "productid", "product", "movieid", "iid", "sku", "parentasin"]
    public static let timeNames = ["timestamp", "time", "ts", "unixreviewtime", "datetime", "eventtime", "date", "createdat"]
    public static let typeNames = ["event", "eventtype", "type", "action", "behavior", "behaviour", "interaction"]
    public static let valueNames = ["rating", "value", "overall", "score", "quantity", "qty"]

    /// `name` lower-cased without `_`, `-`, `.` and spaces.
    public static func normalize(_ name: String) -> String {
        String(name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " && $0 != "." })
    }

    /// The index of the first header name that matches a candidate (candidates in priority order).
    public static func detect(_ candidates: [String], in header: [String]) -> Int? {
        let normalized = header.map(normalize)
        for c in candidates {
            if let i = normalized.firstIndex(of: c) { return i }
        }
        return nil
    }

    /// Maps `header` by the explicit `names` or by detection. A missing user, item or time
    /// column is an error naming the file, the header and the option to use.
    public static func resolve(header: [String], names: Names, file: String, what: String = "column") throws -> ColumnMapping {
        func find(_ role: String, _ explicit: String?, _ candidates: [String], required: Bool) throws -> Int? {
            if let explicit {
                guard let i = header.firstIndex(of: explicit) else {
                    throw ImportError("\(file): no \(what) named \"\(explicit)\" (given with --\(role)-col); the header has \(header.joined(separator: ", "))")
                }
                return i
            }
            if let i = detect(candidates, in: header) { return i }
            if required {
                throw ImportError("\(file): missing \(role) \(what): none of \(header.joined(separator: ", ")) is a known \(role) \(what) name (\(candidates.joined(separator: ", "))); name it with --\(role)-col")
            }
            return nil
        }
        let user = try find("user", names.user, userNames, required: true)!
        let item = try find("item", names.item, itemNames, required: true)!
        let time = try find("time", names.time, timeNames, required: true)!
        let type = try find("type", names.type, typeNames, required: false)
        let value = try find("value", names.value, valueNames, required: false)
        let roles: [(String, Int?)] = [("user", user), ("item", item), ("time", time), ("type", type), ("value", value)]
        for (a, ia) in roles { for (b, ib) in roles where a < b && ia != nil && ia == ib {
            throw ImportError("\(file): the \(what) \"\(header[ia!])\" is mapped as both \(a) and \(b); name them with --\(a)-col / --\(b)-col")
        } }
        return ColumnMapping(user: user, item: item, time: time, type: type, value: value)
    }

    /// "user=user_id item=item_id time=timestamp" for the summary.
    public func describe(_ header: [String]) -> String {
        var parts = ["user=\(header[user])", "item=\(header[item])", "time=\(header[time])"]
        if let type { parts.append("type=\(header[type])") }
        if let value { parts.append("value=\(header[value])") }
        return parts.joined(separator: " ")
    }
}
