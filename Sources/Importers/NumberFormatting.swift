/// `n` with its digits grouped in threes by commas, as the import summaries print counts:
/// 1234567 → "1,234,567", -1000 → "-1,000".
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (k, ch) in digits.enumerated() {
        if k > 0 && (digits.count - k) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return n < 0 ? "-" + out : out
}
