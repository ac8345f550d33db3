/// JUnit XML for CI test reporters (GitLab's `artifacts:reports:junit`, Jenkins' `junit` step,
/// GitHub actions such as mikepenz/action-junit-report or dorny/test-reporter).
extension RegressionCheck {
    /// The check as a JUnit XML document: one `<testsuite>` per protocol, one `<testcase>` per
    /// variant × metric (`classname` the variant id, `name` the metric), a `<failure>` on each
    /// metric that fell or is missing carrying the delta, its 95% interval and the adjusted p.
    ///
    /// Only elements and attributes of the common JUnit schema (Jenkins' `junit-10.xsd`, which
    /// GitLab and the GitHub reporters also read) are used: `testsuites`/`testsuite` with
    /// `name`, `tests`, `failures`, `errors`, `skipped`; `properties`/`property` (the inputs and
    /// settings); `testcase` with `classname` and `name`; `failure` with `message`, `type` and a
    /// text body; `system-out`. No times or timestamps: the same check gives the same bytes.
    public func junitXML() -> String {
        let suiteName = specName.isEmpty ? "profilebench check" : "profilebench check \(specName)"
        var protocols: [String] = []
        for f in findings where !protocols.contains(f.key.protocolID) { protocols.append(f.key.protocolID) }
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(XMLText.attribute(suiteName))\" tests=\"\(findings.count)\" failures=\"\(failures.count)\" errors=\"0\">\n"
        for p in protocols {
            let cases = findings.filter { $0.key.protocolID == p }
            let failed = cases.filter { $0.status != .ok }.count
            let name = [specName, p].filter { !$0.isEmpty }.joined(separator: " ")
            out += "  <testsuite name=\"\(XMLText.attribute(name.isEmpty ? suiteName : name))\" tests=\"\(cases.count)\" "
                + "failures=\"\(failed)\" errors=\"0\" skipped=\"0\">\n"
            out += "    <properties>\n"
            var properties: [(String, String)] = [("baseline", baselinePath), ("current", currentPath),
                                                  ("tolerance", Self.number(tolerance)), ("alpha", Self.number(alpha))]
            if !p.isEmpty { properties.insert(("protocol", p), at: 0) }
            for input in provenance {
                properties.append(("\(input.what).baseline", input.baseline))
                properties.append(("\(input.what).current", input.current))
                properties.append(("\(input.what).changed", input.same ? "false" : "true"))
            }
            for (k, v) in properties {
                out += "      <property name=\"\(XMLText.attribute(k))\" value=\"\(XMLText.attribute(v))\"/>\n"
            }
            out += "    </properties>\n"
            for f in cases {
                let head = "    <testcase classname=\"\(XMLText.attribute(f.key.id))\" name=\"\(XMLText.attribute(f.metric))\""
                if f.status == .ok {
                    out += head + ">\n      <system-out>\(XMLText.content(f.detail))</system-out>\n    </testcase>\n"
                } else {
                    out += head + ">\n      <failure message=\"\(XMLText.attribute(failureMessage(f)))\" type=\"\(Self.failureType(f.status))\">"
                        + XMLText.content(f.detail) + "</failure>\n    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// Why a finding failed, in one sentence with its numbers.
    public func failureMessage(_ f: Finding) -> String {
        let p = f.p.map { "p_adjusted " + Self.number($0, digits: 3) } ?? "no paired test"
        switch f.status {
        case .ok: return ""
        case .missing: return "\(f.metric) of \(f.key) is missing from the current run"
        case .fellBeyondTolerance:
            return "\(f.metric) fell by \(Self.number(-(f.delta ?? 0))) (more than the tolerance \(Self.number(tolerance))); \(p)"
        case .fellSignificantly:
            return "\(f.metric) fell by \(Self.number(-(f.delta ?? 0))) with \(p) <= alpha \(Self.number(alpha)) (within the tolerance \(Self.number(tolerance)))"
        }
    }

    static func failureType(_ s: Status) -> String {
        switch s {
        case .ok: return "ok"
        case .fellBeyondTolerance: return "fell_beyond_tolerance"
        case .fellSignificantly: return "fell_significantly"
        case .missing: return "missing"
        }
    }

    /// A number for reports: `digits` significant digits, `nan` for NaN.
    static func number(_ d: Double, digits: Int = 6) -> String {
        d.isNaN ? "nan" : String(format: "%.\(digits)g", d)
    }
}

extension RegressionCheck.Finding {
    /// The finding's numbers on lines of `key: value`: baseline, current, delta, ci95 of the
    /// delta, users paired, adjusted p.
    public var detail: String {
        func f(_ d: Double?) -> String { d.map { $0.isNaN ? "nan" : String(format: "%.6f", $0) } ?? "-" }
        var lines = ["baseline: \(f(baseline))", "current: \(f(current))",
                     "delta: " + (delta.map { ($0 >= 0 ? "+" : "") + String(format: "%.6f", $0) } ?? "-")]
        lines.append("ci95 of delta: " + (ci95.map { "[\(f($0.lo)), \(f($0.hi))]" } ?? "n/a"))
        lines.append("users: " + (users.map(String.init) ?? "n/a"))
        lines.append("p_adjusted (holm, paired t): " + (p.map { String(format: "%.4g", $0) } ?? "n/a"))
        return lines.joined(separator: "\n")
    }
}

/// Escaping for XML 1.0 text and attribute values.
enum XMLText {
    /// `s` as element content: `&`, `<`, `>` escaped; characters XML 1.0 cannot hold (controls
    /// other than tab, newline and carriage return, U+FFFE, U+FFFF) become U+FFFD; a carriage return
    /// is written as `&#13;` so it survives line-end normalisation.
    static func content(_ s: String) -> String { escape(s, attribute: false) }

    /// `s` as a double-quoted attribute value: also `"` and `'`, and tab, newline and carriage
    /// return as character references (a parser would otherwise normalise them to spaces).
    static func attribute(_ s: String) -> String { escape(s, attribute: true) }

    private static func escape(_ s: String, attribute: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "'" where attribute: out += "&apos;"
            case "\t" where attribute: out += "&#9;"
            case "\n" where attribute: out += "&#10;"
            case "\r": out += "&#13;"
            case "\t", "\n": out.unicodeScalars.append(u)
            default:
                let v = u.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}
