import Foundation
import Statistics

/// `import csv` of a generated events file against `pandas.read_csv` of the same file, whole
/// process against whole process, in the same session, for `bench import`.
///
/// The file has `user_id,item_id,timestamp` rows like the Amazon CSVs (`u<n>`, `i<n>`, unix
/// seconds): users uniform, items skewed towards low ids (the square of a uniform draw, as
/// popularity is), times increasing, all from a fixed SplitMix64 stream, so the same sizes give
/// the same bytes. It is kept in the folder and reused.
public struct ImportBenchmark: Sendable {
    public struct Configuration: Sendable {
        /// Events in the generated file (default 10,000,000).
        public var events = 10_000_000
        /// Distinct users (default 500,000).
        public var users = 500_000
        /// Distinct items (default 100,000).
        public var items = 100_000
        /// Folder for the generated CSV and the output dataset (default /tmp).
        public var directory = "/tmp"
        /// Runs of each timed command; the median is reported (default 3).
        public var repeats = 3
        /// Python interpreter for the pandas reference (default python3, looked up on PATH).
        public var python = "python3"
        public init() {}
    }

    /// Median wall times of both commands on the same file.
    public struct Result: Sendable {
        public var configuration: Configuration
        /// Seconds of `profilebench import csv` (parse, map ids, write HDF5).
        public var importSeconds: Double
        /// Seconds of `python -c 'import pandas; pandas.read_csv(...)'`; nil when that failed
        /// (pandas missing, say).
        public var pandasSeconds: Double?

        /// The lines `bench import` prints after ``ImportBenchmark/header``.
        public var line: String {
            let c = configuration
            var lines = [String(format: "  profilebench import csv (parse, map ids, write HDF5): %.2f s  %@ events/s",
                                importSeconds, grouped(Int(Double(c.events) / importSeconds)))]
            if let pandas = pandasSeconds {
                lines.append(String(format: "  pandas.read_csv (same file, python3 -c): %.2f s  %@ events/s", pandas, grouped(Int(Double(c.events) / pandas))))
                lines.append(String(format: "  ratio (pandas time / import time): %.2f×", pandas / importSeconds))
            } else {
                lines.append("  pandas.read_csv: not measured (\(c.python) -c 'import pandas' failed; pip install pandas)")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// A failed command or an unwritable file, with what was being done.
    public struct BenchmarkError: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ d: String) { description = d }
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// The generated events file: `<directory>/profilebench-bench-import-<events>-<users>-<items>.csv`.
    public var csvPath: String {
        let c = configuration
        return (c.directory as NSString).appendingPathComponent("profilebench-bench-import-\(c.events)-\(c.users)-\(c.items).csv")
    }

    /// The dataset `import csv` writes (removed after the timing).
    public var outputPath: String { (configuration.directory as NSString).appendingPathComponent("profilebench-bench-import.h5") }

    /// Writes the events file unless it exists; `log` hears of the generation.
    public func prepare(log: (String) -> Void) throws {
        guard !FileManager.default.fileExists(atPath: csvPath) else { return }
        log("bench import: generating \(csvPath)")
        try generate(csvPath)
    }

    /// The first line `bench import` prints: sizes, the file and its megabytes, repeats.
    public func header() throws -> String {
        let c = configuration
        let size = ((try FileManager.default.attributesOfItem(atPath: csvPath)[.size]) as? NSNumber)?.intValue ?? 0
        return "import bench: \(grouped(c.events)) events, \(grouped(c.users)) users, \(grouped(c.items)) items, \(String(format: "%.0f", Double(size) / 1e6)) MB CSV (\(csvPath)), median of \(c.repeats)"
    }

    /// Times `executable import csv <file> --out <outputPath> --quiet`, then the pandas reference.
    ///
    /// - Parameter executable: the profilebench binary to time.
    /// - Throws: ``BenchmarkError`` when the import fails.
    public func run(executable: String) throws -> Result {
        let ours = try time(executable, ["import", "csv", csvPath, "--out", outputPath, "--quiet"])
        try? FileManager.default.removeItem(atPath: outputPath)
        let script = "import pandas; pandas.read_csv(\(Self.pythonString(csvPath)))"
        let pandas = try? time(configuration.python, ["-c", script])
        return Result(configuration: configuration, importSeconds: ours, pandasSeconds: pandas)
    }

    /// `s` as a single-quoted Python string literal.
    static func pythonString(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// Median wall time of running `exe args` to completion (`repeats` times); a failure throws.
    func time(_ exe: String, _ args: [String]) throws -> Double {
        var times: [Double] = []
        for _ in 0..<configuration.repeats {
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
                throw BenchmarkError("\(exe) \(args.joined(separator: " ")) failed: \(String(decoding: errText, as: UTF8.self))")
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return median(times)
    }

    /// Writes the events file through a temporary file renamed into place.
    func generate(_ path: String) throws {
        let c = configuration
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {  // SplitMix64
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let tmp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: tmp, contents: nil) else { throw BenchmarkError("\(tmp): cannot create") }
        guard let h = FileHandle(forWritingAtPath: tmp) else { throw BenchmarkError("\(tmp): cannot create") }
        var buf: [UInt8] = []
        buf.reserveCapacity(1 << 22)
        buf.append(contentsOf: "user_id,item_id,timestamp\n".utf8)
        var t: UInt64 = 1_400_000_000
        func put(_ v: UInt64) {
            var digits: [UInt8] = [], x = v
            repeat { digits.append(UInt8(48 + x % 10)); x /= 10 } while x > 0
            buf.append(contentsOf: digits.reversed())
        }
        for _ in 0..<c.events {
            buf.append(UInt8(ascii: "u")); put(next() % UInt64(c.users)); buf.append(UInt8(ascii: ","))
            let r = Double(next() >> 11) / Double(1 << 53)
            buf.append(UInt8(ascii: "i")); put(UInt64(r * r * Double(c.items))); buf.append(UInt8(ascii: ","))
            t += next() % 40
            put(t); buf.append(0x0A)
            if buf.count >= 1 << 22 { h.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
        }
        h.write(Data(buf))
        try h.close()
        guard rename(tmp, path) == 0 else { throw BenchmarkError("\(path): cannot rename the generated file into place") }
    }
}
