/// A value read by `JSONParser.parseLoose`: one JSON line, or one Python literal (the Amazon
/// 2014 metadata is written with Python's `repr`: single-quoted strings, `True`/`False`/`None`).
/// Numbers keep their text, so an id such as `00123` or a price `1.50` comes out as written —
/// the one difference from `JSONValue`, whose numbers are typed.
public indirect enum LooseValue: Equatable, Sendable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case array([LooseValue])
    case object([(String, LooseValue)])

    public static func == (a: LooseValue, b: LooseValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> LooseValue? {
        if case .object(let o) = self { return o.first { $0.0 == key }?.1 }
        return nil
    }

    /// A scalar as text (strings as they are, numbers as written, booleans `true`/`false`);
    /// nil for null, arrays and objects.
    public var scalarText: String? {
        switch self {
        case .string(let s), .number(let s): return s
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// Any value as text for an item field: scalars as `scalarText`, null as "", arrays joined
    /// by `separator` (nested arrays too), objects as `key: value` pairs joined by "; ".
    public func text(separator: String = " | ") -> String {
        switch self {
        case .null: return ""
        case .array(let a): return a.map { $0.text(separator: separator) }.filter { !$0.isEmpty }.joined(separator: separator)
        case .object(let o): return o.map { "\($0.0): \($0.1.text(separator: separator))" }.joined(separator: "; ")
        default: return scalarText ?? ""
        }
    }
}
