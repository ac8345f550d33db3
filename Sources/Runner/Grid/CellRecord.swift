import Experiments
import Foundation
import JSON
import Learning
import Results

/// A binary container for the exact values of a run's parts: a small JSON header and named
/// blobs of raw little-endian numbers. Float64 values go in as their bits, so what is read back
/// is what was written, bit for bit (JSON text would round-trip too, but at 3× the size and with
/// no NaN). Layout: the 8 bytes `PBREC01\n`, a UInt64 header length, the header (UTF-8 JSON with
/// a `blobs` array of `[name, bytes]`), then the blobs in that order.
public struct BinaryRecord {
    public var header: [(String, JSONValue)]
    public var blobs: [(name: String, data: Data)] = []

    static let magic = Data("PBREC01\n".utf8)

    public init(header: [(String, JSONValue)]) { self.header = header }

    public mutating func add(_ name: String, doubles: [Double]) {
        var d = Data(capacity: doubles.count * 8)
        for x in doubles { withUnsafeBytes(of: x.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        blobs.append((name, d))
    }

    public mutating func add(_ name: String, ints: [Int32]) {
        var d = Data(capacity: ints.count * 4)
        for x in ints { withUnsafeBytes(of: x.littleEndian) { d.append(contentsOf: $0) } }
        blobs.append((name, d))
    }

    public mutating func add(_ name: String, bytes: Data) { blobs.append((name, bytes)) }

    public func encoded() -> Data {
        let h = JSONWriter.string(.object(header + [("blobs", .array(blobs.map { .array([.string($0.name), .int($0.data.count)]) }))]), pretty: false)
        var out = BinaryRecord.magic
        withUnsafeBytes(of: UInt64(h.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(Data(h.utf8))
        for b in blobs { out.append(b.data) }
        return out
    }

    /// Reads a record; `file` names it in errors.
    public init(decoding data: Data, file: String) throws {
        func bad(_ why: String) -> CellRecordError { CellRecordError("\(file): \(why)") }
        guard data.count >= 16, data.prefix(8) == BinaryRecord.magic else { throw bad("is not a ProfileBench record (bad magic)") }
        let n = data.subdata(in: 8..<16).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard n <= UInt64(data.count - 16) else { throw bad("is truncated (header of \(n) bytes)") }
        let headerEnd = 16 + Int(n)
        let json: JSONValue
        do { json = try JSONParser.parse(String(decoding: data.subdata(in: 16..<headerEnd), as: UTF8.self)) } catch {
            throw bad("has a malformed header: \(error)")
        }
        guard let members = json.objectValue, let list = json["blobs"]?.arrayValue else { throw bad("has no blob list in its header") }
        header = members.filter { $0.0 != "blobs" }
        var offset = headerEnd
        for (i, entry) in list.enumerated() {
            guard let pair = entry.arrayValue, pair.count == 2, let name = pair[0].stringValue, let size = pair[1].intValue, size >= 0 else {
                throw bad("blobs[\(i)] must be [name, bytes]")
            }
            guard offset + size <= data.count else { throw bad("is truncated (blob \(name) needs \(size) bytes at \(offset), the file has \(data.count))") }
            blobs.append((name, data.subdata(in: offset..<(offset + size))))
            offset += size
        }
        guard offset == data.count else { throw bad("has \(data.count - offset) bytes after its last blob") }
    }

    public func blob(_ name: String, file: String) throws -> Data {
        guard let b = blobs.first(where: { $0.name == name }) else { throw CellRecordError("\(file): has no blob \(name)") }
        return b.data
    }

    public func doubles(_ name: String, count: Int, file: String) throws -> [Double] {
        let d = try blob(name, file: file)
        guard d.count == count * 8 else { throw CellRecordError("\(file): blob \(name) has \(d.count) bytes, expected \(count * 8)") }
        return d.withUnsafeBytes { raw in (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) } }
    }

    public func ints(_ name: String, count: Int, file: String) throws -> [Int32] {
        let d = try blob(name, file: file)
        guard d.count == count * 4 else { throw CellRecordError("\(file): blob \(name) has \(d.count) bytes, expected \(count * 4)") }
        return d.withUnsafeBytes { raw in (0..<count).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) } }
    }

    public subscript(key: String) -> JSONValue? { header.first { $0.0 == key }?.1 }
}

/// A record that cannot be used: names the file and what is wrong.
public struct CellRecordError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One finished cell (a variant under a protocol) with every per-unit value its summaries,
/// per-step means and comparisons are computed from: what `.cells/` keeps for `run --resume`
/// and what a shard hands to `merge`.
extension VariantResult {
    public func record() -> BinaryRecord {
        let m = perUser.first?.values.count ?? 0
        var header: [(String, JSONValue)] = [
            ("protocol", .string(protocolSpec.id)), ("variant", .string(variant.id)),
            ("skipped_users", .int(skippedUsers)), ("skipped_steps", skippedSteps.map { .int($0) } ?? .null),
            ("units", .int(perUser.count)), ("values_per_unit", .int(m)), ("item_count", .int(itemCount)),
            ("covered", .array(covered.map { .int($0.count) })),
            ("missing_lists", missingLists.map { .int($0) } ?? .null),
            ("timings", .array(timings.record.map { .double($0) })),
        ]
        if let t = training {
            header.append(("training", .object([
                ("seconds", .double(t.seconds)), ("best_epoch", .int(t.report.bestEpoch)), ("stopped_early", .bool(t.report.stoppedEarly)),
                ("training_users", .int(t.trainingUsers)), ("validation_users", .int(t.validationUsers)),
                ("training_examples", .int(t.trainingExamples)), ("validation_examples", .int(t.validationExamples)),
                ("epochs", .array(t.report.epochs.map { e in .array([.int(e.epoch), .int(e.examples), .int(e.events)]) })),
            ])))
        }
        var r = BinaryRecord(header: header)
        r.add("units", ints: perUser.map(\.user))
        r.add("values", doubles: perUser.flatMap(\.values))
        for (i, c) in covered.enumerated() { r.add("covered\(i)", ints: c) }
        if let steps = stepValues {
            r.add("steps", ints: steps.map { Int32($0.count) })
            r.add("step_values", doubles: steps.flatMap { $0.flatMap { $0 } })
        }
        if let t = training {
            r.add("epoch_losses", doubles: t.report.epochs.flatMap { [$0.trainLoss, $0.validationLoss ?? .nan, $0.validationHitRate ?? .nan, $0.seconds] })
            r.add("weights", bytes: t.weights)
        }
        return r
    }

    /// Rebuilds a cell from its record; `protocolSpec` and `variant` come from the spec (the
    /// record names them by id, and must match). Summaries are not stored: call ``summarize``.
    public init(record r: BinaryRecord, protocolSpec: ProtocolSpec, variant: Variant, file: String) throws {
        func bad(_ why: String) -> CellRecordError { CellRecordError("\(file): \(why)") }
        guard r["protocol"]?.stringValue == protocolSpec.id, r["variant"]?.stringValue == variant.id else {
            throw bad("holds \(r["protocol"]?.stringValue ?? "?") \(r["variant"]?.stringValue ?? "?"), expected \(protocolSpec.id) \(variant.id)")
        }
        guard let units = r["units"]?.intValue, let m = r["values_per_unit"]?.intValue, let skipped = r["skipped_users"]?.intValue,
              let items = r["item_count"]?.intValue, let coveredCounts = r["covered"]?.arrayValue,
              let t = r["timings"]?.arrayValue?.compactMap(\.doubleValue), let timings = VariantTimings(record: t) else {
            throw bad("has an incomplete header (units, values_per_unit, skipped_users, item_count, covered, timings)")
        }
        let ids = try r.ints("units", count: units, file: file)
        let values = try r.doubles("values", count: units * m, file: file)
        self.init(protocolSpec: protocolSpec, variant: variant, summaries: [], skippedUsers: skipped,
                  skippedSteps: r["skipped_steps"]?.intValue, perUser: (0..<units).map { (ids[$0], Array(values[($0 * m)..<(($0 + 1) * m)])) },
                  timings: timings)
        itemCount = items
        missingLists = r["missing_lists"]?.intValue
        covered = try coveredCounts.enumerated().map { i, c in try r.ints("covered\(i)", count: c.intValue ?? -1, file: file) }
        if r.blobs.contains(where: { $0.name == "steps" }) {
            let counts = try r.ints("steps", count: units, file: file)
            let total = counts.reduce(0) { $0 + Int($1) }
            let flat = try r.doubles("step_values", count: total * m, file: file)
            var out: [[[Double]]] = []
            var k = 0
            for c in counts {
                out.append((0..<Int(c)).map { s in Array(flat[((k + s) * m)..<((k + s + 1) * m)]) })
                k += Int(c)
            }
            stepValues = out
        }
        if let tr = r["training"] {
            guard let epochs = tr["epochs"]?.arrayValue else { throw bad("training has no epochs") }
            let losses = try r.doubles("epoch_losses", count: epochs.count * 4, file: file)
            var report = TrainingReport()
            for (i, e) in epochs.enumerated() {
                guard let f = e.arrayValue, f.count == 3, let epoch = f[0].intValue, let ex = f[1].intValue, let ev = f[2].intValue else {
                    throw bad("training.epochs[\(i)] must be [epoch, examples, events]")
                }
                let v = losses[i * 4 + 1], h = losses[i * 4 + 2]
                report.epochs.append(EpochRecord(epoch: epoch, trainLoss: losses[i * 4], validationLoss: v.isNaN ? nil : v,
                                                 validationHitRate: h.isNaN ? nil : h, examples: ex, events: ev, seconds: losses[i * 4 + 3]))
            }
            report.bestEpoch = tr["best_epoch"]?.intValue ?? 0
            report.stoppedEarly = tr["stopped_early"]?.boolValue ?? false
            training = TrainingOutcome(report: report, weights: try r.blob("weights", file: file), seconds: tr["seconds"]?.doubleValue ?? 0,
                                       trainingUsers: tr["training_users"]?.intValue ?? 0, validationUsers: tr["validation_users"]?.intValue ?? 0,
                                       trainingExamples: tr["training_examples"]?.intValue ?? 0,
                                       validationExamples: tr["validation_examples"]?.intValue ?? 0)
        }
    }
}
