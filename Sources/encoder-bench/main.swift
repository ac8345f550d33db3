// encoder-bench: throughput of the native sentence encoders on real titles.
//
//     swift run -c release encoder-bench MODEL CSV [COUNT] [BATCH]
//
// MODEL is minilm-l6 or mpnet-base (weights from $PROFILEBENCH_MODELS or models/), CSV a file
// whose second column holds the texts (header skipped), COUNT the number of texts (2000),
// BATCH the batch size (32). Prints load time, tokenization rate and titles/s to stdout.
// A stop-gap until `profilebench bench encode` exists.
import Encoders
import Foundation

/// User + system CPU seconds of this process so far (all threads).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// Fields of one CSV record (RFC 4180 quoting; records do not span lines).
func csvFields(_ line: Substring) -> [String] {
    var fields: [String] = [], field = "", quoted = false
    var chars = line.makeIterator()
    while let c = chars.next() {
        if quoted {
            if c == "\"" {
                if let next = chars.next() {
                    if next == "\"" { field.append("\"") } else { quoted = false; if next == "," { fields.append(field); field = "" } else { field.append(next) } }
                } else { quoted = false }
            } else { field.append(c) }
        } else if c == "\"" { quoted = true } else if c == "," { fields.append(field); field = "" } else { field.append(c) }
    }
    fields.append(field)
    return fields
}

let args = CommandLine.arguments
guard args.count >= 3, let model = BuiltinModel(rawValue: args[1]) else {
    fail("usage: encoder-bench minilm-l6|mpnet-base CSV [COUNT] [BATCH]")
}
let count = args.count > 3 ? Int(args[3]) ?? 2000 : 2000
let batch = args.count > 4 ? Int(args[4]) ?? 32 : 32
guard let text = try? String(contentsOfFile: args[2], encoding: .utf8) else { fail("cannot read \(args[2])") }
let titles = text.split(whereSeparator: \.isNewline).dropFirst().prefix(count).map { csvFields($0).dropFirst().first ?? "" }

do {
    var start = Date()
    let encoder = try SentenceEncoder(model: model, directory: defaultModelDirectory(for: model))
    print("model \(model.rawValue): \(encoder.layers) layers, dim \(encoder.dimension), load \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
    start = Date()
    let tokens = titles.map(encoder.tokenize)
    let tokenizeSeconds = Date().timeIntervalSince(start)
    let total = tokens.reduce(0) { $0 + $1.count }
    print("tokenize: \(titles.count) texts, \(total) tokens (mean \(String(format: "%.1f", Double(total) / Double(max(1, titles.count))))), \(String(format: "%.0f", Double(titles.count) / tokenizeSeconds)) texts/s")
    _ = try encoder.encode(Array(titles.prefix(64)), batchSize: batch)   // warm-up
    start = Date()
    let cpuStart = cpuSeconds()
    let vectors = try encoder.encode(titles, batchSize: batch)
    let seconds = Date().timeIntervalSince(start)
    let cpu = cpuSeconds() - cpuStart
    guard vectors.count == titles.count * encoder.dimension else { fail("got \(vectors.count) values") }
    print("encode: \(titles.count) texts in \(String(format: "%.2f", seconds)) s = \(String(format: "%.1f", Double(titles.count) / seconds)) texts/s (batch \(batch)); CPU \(String(format: "%.2f", cpu)) s (\(String(format: "%.1f", Double(titles.count) / cpu)) texts per CPU-second)")
} catch {
    fail("\(error)")
}
