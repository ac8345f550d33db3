import JSON

/// The check as data (`check --json FILE`), the same content as the markdown summary.
extension RegressionCheck {
    /// `{"spec", "passed", "baseline", "current", "tolerance", "alpha", "counts": {"tests",
    /// "failures", "fell", "rose", "unchanged", "missing"}, "inputs": [{"what", "baseline",
    /// "current", "changed"}], "findings": [{"protocol", "variant", "metric", "status",
    /// "change", "baseline", "current", "delta", "ci95", "users", "p_adjusted", "message"}]}`.
    /// `status` is `ok`, `fell_beyond_tolerance`, `fell_significantly` or `missing`; values
    /// that do not exist are null.
    public func json() -> JSONValue {
        func number(_ d: Double?) -> JSONValue { d.map { $0.isFinite ? .double($0) : .null } ?? .null }
        var counts: [(String, JSONValue)] = [("tests", .int(findings.count)), ("failures", .int(failures.count))]
        counts += Change.allCases.map { ($0.rawValue, .int(findings($0).count)) }
        return .object([
            ("spec", .string(specName)),
            ("passed", .bool(passed)),
            ("baseline", .string(baselinePath)),
            ("current", .string(currentPath)),
            ("tolerance", .double(tolerance)),
            ("alpha", .double(alpha)),
            ("counts", .object(counts)),
            ("inputs", .array(provenance.map { i in
                .object([("what", .string(i.what)), ("baseline", .string(i.baseline)), ("current", .string(i.current)),
                         ("changed", .bool(!i.same))])
            })),
            ("findings", .array(findings.map { f in
                .object([
                    ("protocol", .string(f.key.protocolID)),
                    ("variant", .string(f.key.id)),
                    ("metric", .string(f.metric)),
                    ("status", .string(Self.failureType(f.status))),
                    ("change", .string(f.change.rawValue)),
                    ("baseline", number(f.baseline)),
                    ("current", number(f.current)),
                    ("delta", number(f.delta)),
                    ("ci95", f.ci95.map { .array([number($0.lo), number($0.hi)]) } ?? .null),
                    ("users", f.users.map { .int($0) } ?? .null),
                    ("p_adjusted", number(f.p)),
                    ("message", f.status == .ok ? .null : .string(failureMessage(f))),
                ])
            })),
        ])
    }
}
