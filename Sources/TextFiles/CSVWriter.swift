/// Writing CSV as RFC 4180 has it, for the files `CSVReader` reads back.
public enum CSVWriter {
    /// A field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break,
    /// with each quote doubled; otherwise as it is.
    public static func field(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return s }
        var out = "\""
        for c in s.unicodeScalars {
            if c == "\"" { out += "\"\"" } else { out.unicodeScalars.append(c) }
        }
        return out + "\""
    }

    /// A record: the fields, each as `field(_:)` writes it, joined by commas.
    public static func record(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") }
}
