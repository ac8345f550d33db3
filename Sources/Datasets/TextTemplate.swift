/// A text template over item fields: `{title} | {category}` renders each item's text from the
/// dataset's `/items/<field>` strings. `{{` and `}}` stand for literal braces.
public struct TextTemplate: Sendable, Equatable {
    enum Part: Equatable, Sendable { case literal(String), field(String) }
    public let source: String
    let parts: [Part]

    /// Parses `source`; an unbalanced brace or an empty field name is an error.
    public init(_ source: String) throws {
        self.source = source
        var parts: [Part] = []
        var lit = "", i = source.startIndex
        while i < source.endIndex {
            let c = source[i]
            let next = source.index(after: i)
            if c == "{" {
                if next < source.endIndex, source[next] == "{" { lit.append("{"); i = source.index(after: next); continue }
                guard let close = source[next...].firstIndex(of: "}") else {
                    throw TemplateError(template: source, message: "has a '{' without a closing '}'")
                }
                let name = String(source[next..<close])
                guard !name.isEmpty, !name.contains("{") else { throw TemplateError(template: source, message: "has an empty or malformed field name") }
                if !lit.isEmpty { parts.append(.literal(lit)); lit = "" }
                parts.append(.field(name))
                i = source.index(after: close)
            } else if c == "}" {
                if next < source.endIndex, source[next] == "}" { lit.append("}"); i = source.index(after: next); continue }
                throw TemplateError(template: source, message: "has a '}' without an opening '{'")
            } else {
                lit.append(c); i = next
            }
        }
        if !lit.isEmpty { parts.append(.literal(lit)) }
        self.parts = parts
    }

    /// The field names the template uses, in order of appearance.
    public var fields: [String] { parts.compactMap { if case .field(let f) = $0 { return f }; return nil } }

    /// Renders every item's text from `dataset`'s item fields. An unknown field is an error
    /// naming the fields the dataset has.
    public func render(_ dataset: Dataset, file: String) throws -> [String] {
        var columns: [String: [String]] = [:]
        for f in fields where columns[f] == nil {
            if f == "id" { columns[f] = dataset.itemIDs; continue }
            guard let values = dataset.field(f) else {
                let available = (["id"] + dataset.itemFields.map(\.name)).joined(separator: ", ")
                throw TemplateError(template: source, message: "names the field {\(f)}, but \(file) has the item fields: \(available)")
            }
            columns[f] = values
        }
        return (0..<dataset.itemCount).map { item in
            var s = ""
            for p in parts {
                switch p {
                case .literal(let l): s += l
                case .field(let f): s += columns[f]![item]
                }
            }
            return s
        }
    }

    /// The default template of a dataset: `{title}` when items have titles, otherwise every
    /// text field joined with ` | `, otherwise the item id.
    public static func defaultTemplate(for dataset: Dataset) -> String {
        if dataset.field("title") != nil { return "{title}" }
        let names = dataset.itemFields.map(\.name)
        return names.isEmpty ? "{id}" : names.map { "{\($0)}" }.joined(separator: " | ")
    }
}

/// A template that cannot be parsed or rendered.
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public let template: String
    public let message: String
    public var description: String { "template \"\(template)\" \(message)" }
}
