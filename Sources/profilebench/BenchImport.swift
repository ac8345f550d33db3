import ArgumentParser
import Foundation

/// `bench import`: `import csv` of a generated events file against `pandas.read_csv` of the
/// same file, whole process against whole process, in the same session.
struct BenchImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Time `import csv` of a generated events CSV against pandas.read_csv of the same file (whole processes).")

    @Option(help: "Events in the generated file.") var events: Int = 10_000_000
    @Option(help: "Distinct users.") var users: Int = 500_000
    @Option(help: "Distinct items.") var items: Int = 100_000
    @Option(help: "Folder for the generated CSV (kept and reused) and the output dataset.") var dir: String = "/tmp"
    @Option(help: "Repetitions of each timed command (the median is reported).") var repeats: Int = 3
    @Option(help: "Python interpreter for the pandas reference.") var python: String = "python3"

    func validate() throws {
        guard events >= 1, users >= 1, items >= 1 else { throw ValidationError("--events, --users and --items must be >= 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be >= 1 (got \(repeats))") }
    }

    func run() throws {
        try reportingErrors {
            let csv = (dir as NSString).appendingPathComponent("profilebench-bench-import-\(events)-\(users)-\(items).csv")
            if !FileManager.default.fileExists(atPath: csv) {
                stderrLine("bench import: generating \(csv)")
                try generate(csv)
            }
            let size = ((try FileManager.default.attributesOfItem(atPath: csv)[.size]) as? NSNumber)?.intValue ?? 0
            let out = (dir as NSString).appendingPathComponent("profilebench-bench-import.h5")
            let me = Bundle.main.executablePath ?? CommandLine.arguments[0]
            print("import bench: \(grouped(events)) events, \(grouped(users)) users, \(grouped(items)) items, \(String(format: "%.0f", Double(size) / 1e6)) MB CSV (\(csv)), median of \(repeats)")
            let ours = try time(me, ["import", "csv", csv, "--out", out, "--quiet"])
            try? FileManager.default.removeItem(atPath: out)
            print(String(format: "  profilebench import csv (parse, map ids, write HDF5): %.2f s  %@ events/s", ours, grouped(Int(Double(events) / ours))))
            let script = "import pandas; pandas.read_csv(\(pythonString(csv)))"
            guard let pandas = try? time(python, ["-c", script]) else {
                print("  pandas.read_csv: not measured (\(python) -c 'import pandas' failed; pip install pandas)")
                return
            }
            print(String(format: "  pandas.read_csv (same file, python3 -c): %.2f s  %@ events/s", pandas, grouped(Int(Double(events) / pandas))))
            print(String(format: "  ratio (pandas time / import time): %.2f×", pandas / ours))
        }
    }

    func pythonString(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Median wall time of running `exe args` to completion; a failure throws.
    func time(_ exe: String, _ args: [String]) throws -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: exe.contains("/") ? exe : "/usr/bin/env")
            p.arguments = exe.contains("/") ? args : [exe] + args
            p.standardOutput = FileHandle.nullDevice
            let err = Pipe()
            p.standardError = err
            let t0 = DispatchTime.now().uptimeNanoseconds
            try p.run()
            let errText = err.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw BenchError("\(exe) \(args.joined(separator: " ")) failed: \(String(decoding: errText, as: UTF8.self))")
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return median(times)
    }

    struct BenchError: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    /// user_id,item_id,timestamp rows like the Amazon CSVs: `u<n>`, `i<n>`, unix seconds.
    func generate(_ path: String) throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else { throw BenchError("\(tmp): cannot create") }
        guard let h = FileHandle(forWritingAtPath: tmp) else { throw BenchError("\(tmp): cannot create") }
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 22)
        buf.append(contentsOf: "user_id,item_id,timestamp\n".utf8)
        var t: UInt64 = 1_400_000_000
        func put(_ v: UInt64) {
            var digits: [UInt8] = [], x = v
            repeat { digits.append(UInt8(48 + x % 10)); x /= 10 } while x > 0
            buf.append(contentsOf: digits.reversed())
        }
        for _ in 0..<events {
            buf.append(UInt8(ascii: "u")); put(next() % UInt64(users)); buf.append(UInt8(ascii: ","))
            // Items skewed towards low ids (the square of a uniform draw), as popularity is.
            let r = Double(next() >> 11) / Double(1 << 53)
            buf.append(UInt8(ascii: "i")); put(UInt64(r * r * Double(items))); buf.append(UInt8(ascii: ","))
            t += next() % 40
            put(t); buf.append(0x0A)
            if buf.count >= 1 << 22 { h.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
        }
        h.write(Data(buf))
        try h.close()
        guard rename(tmp, path) == 0 else { throw BenchError("\(path): cannot rename the generated file into place") }
    }
}
