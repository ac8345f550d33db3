#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import JSON

/// Element types of the safetensors format.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", u16 = "U16", i16 = "I16", f16 = "F16", bf16 = "BF16"
    case u32 = "U32", i32 = "I32", f32 = "F32", u64 = "U64", i64 = "I64", f64 = "F64"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: return 1
        case .u16, .i16, .f16, .bf16: return 2
        case .u32, .i32, .f32: return 4
        case .u64, .i64, .f64: return 8
        }
    }
}

/// One tensor's entry in the header.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    public let shape: [Int]
    /// Byte range within the data section (after the header).
    public let dataRange: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped, read-only safetensors file
/// (format: https://github.com/huggingface/safetensors — an 8-byte little-endian header length
/// N, N bytes of JSON `{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {…}}`,
/// then the data section).
///
/// Opening validates the whole header: every dtype is known, every byte range lies inside the
/// data section and matches its shape, and no two tensors overlap. F32 tensors are then read
/// without copying: the buffers point into the mapping and stay valid while the file object lives.
public final class SafeTensorsFile {
    public let path: String
    /// Tensors by name.
    public let tensors: [String: TensorInfo]
    /// The header's `__metadata__` strings.
    public let metadata: [String: String]
    private let base: UnsafeMutableRawPointer?
    private let size: Int
    private let dataStart: Int

    /// Maps `path` and parses its header.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw SafeTensorsError(path: path, "cannot open (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw SafeTensorsError(path: path, "cannot stat (\(String(cString: strerror(errno))))")
        }
        let size = Int(st.st_size)
        guard size >= 8 else {
            throw SafeTensorsError(path: path, "is \(size) bytes long, too short for a safetensors header (truncated?)")
        }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw SafeTensorsError(path: path, "cannot be memory-mapped (\(String(cString: strerror(errno))))")
        }
        var headerLength: UInt64 = 0
        withUnsafeMutableBytes(of: &headerLength) { $0.copyMemory(from: UnsafeRawBufferPointer(start: mapped, count: 8)) }
        headerLength = UInt64(littleEndian: headerLength)
        guard headerLength <= UInt64(size - 8) else {
            munmap(mapped, size)
            throw SafeTensorsError(path: path, "header length \(headerLength) exceeds the file size \(size) (truncated or not a safetensors file)")
        }
        let dataStart = 8 + Int(headerLength)
        let header = Data(bytes: mapped + 8, count: Int(headerLength))
        do {
            (tensors, metadata) = try Self.parseHeader(header, path: path, dataSize: size - dataStart)
        } catch {
            munmap(mapped, size)
            throw error
        }
        self.base = mapped
        self.size = size
        self.dataStart = dataStart
    }

    deinit {
        if let base { munmap(base, size) }
    }

    /// Tensor names, sorted.
    public var names: [String] { tensors.keys.sorted() }

    /// The whole file's bytes (for hashing), valid while the file object lives.
    public var fileBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: size) }

    /// The header entry of `name`, or an error naming the file and tensor.
    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else {
            throw SafeTensorsError(path: path, tensor: name, "missing")
        }
        return info
    }

    /// The F32 tensor `name`, checked against `shape`, without copying.
    public func floats(_ name: String, shape expected: [Int]) throws -> UnsafeBufferPointer<Float> {
        let info = try info(name)
        guard info.dtype == .f32 else {
            throw SafeTensorsError(path: path, tensor: name, "has dtype \(info.dtype.rawValue), expected F32")
        }
        guard info.shape == expected else {
            throw SafeTensorsError(path: path, tensor: name, "has shape \(info.shape), expected \(expected)")
        }
        #if _endian(big)
        throw SafeTensorsError(path: path, tensor: name, "zero-copy F32 needs a little-endian host")
        #endif
        let offset = dataStart + info.dataRange.lowerBound
        guard offset % MemoryLayout<Float>.alignment == 0, let base else {
            throw SafeTensorsError(path: path, tensor: name, "data at byte \(offset) is not 4-byte aligned")
        }
        let pointer = (base + offset).assumingMemoryBound(to: Float.self)
        return UnsafeBufferPointer(start: UnsafePointer(pointer), count: info.elementCount)
    }

    /// The I64 tensor `name` (copied), checked against `shape`.
    public func int64s(_ name: String, shape expected: [Int]) throws -> [Int64] {
        let info = try info(name)
        guard info.dtype == .i64 else {
            throw SafeTensorsError(path: path, tensor: name, "has dtype \(info.dtype.rawValue), expected I64")
        }
        guard info.shape == expected else {
            throw SafeTensorsError(path: path, tensor: name, "has shape \(info.shape), expected \(expected)")
        }
        var values = [Int64](repeating: 0, count: info.elementCount)
        guard let base else { return values }
        values.withUnsafeMutableBytes {
            $0.copyMemory(from: UnsafeRawBufferPointer(start: base + dataStart + info.dataRange.lowerBound, count: info.dataRange.count))
        }
        return values.map { Int64(littleEndian: $0) }
    }

    // MARK: Header

    private struct Entry {
        let dtype: String
        let shape: [Int]
        let data_offsets: [Int]
    }

    private enum HeaderValue {
        case tensor(Entry)
        case metadata([String: String])
    }

    private static func parseHeader(_ data: Data, path: String, dataSize: Int)
        throws -> ([String: TensorInfo], [String: String]) {
        let header: JSONFields
        do {
            header = try JSONFields(file: path + " header", try JSONParser.parse(bytes: Array(data)))
        } catch {
            throw SafeTensorsError(path: path, "header is not valid safetensors JSON (\(error))")
        }
        var raw: [(String, HeaderValue)] = []
        for (name, value) in header.members {
            guard value.objectValue != nil else { throw SafeTensorsError(path: path, tensor: name, "header entry is not an object") }
            let entry = try JSONFields(file: path + " header", path: name, value)
            if name == "__metadata__" {
                var m: [String: String] = [:]
                for (k, v) in entry.members {
                    guard let s = v.stringValue else { throw SafeTensorsError(path: path, "__metadata__.\(k) is not a string") }
                    m[k] = s
                }
                raw.append((name, .metadata(m)))
                continue
            }
            guard entry.has("dtype") && entry.has("shape") && entry.has("data_offsets") else {
                throw SafeTensorsError(path: path, tensor: name, "header entry has no dtype/shape/data_offsets")
            }
            do {
                raw.append((name, .tensor(Entry(dtype: try entry.string("dtype"), shape: try entry.ints("shape"),
                                                data_offsets: try entry.ints("data_offsets")))))
            } catch {
                throw SafeTensorsError(path: path, tensor: name, "header entry is malformed (\(error))")
            }
        }
        var tensors: [String: TensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in raw {
            switch value {
            case .metadata(let m):
                guard name == "__metadata__" else {
                    throw SafeTensorsError(path: path, tensor: name, "header entry has no dtype/shape/data_offsets")
                }
                metadata = m
            case .tensor(let e):
                guard let dtype = SafeTensorsDType(rawValue: e.dtype) else {
                    throw SafeTensorsError(path: path, tensor: name, "unknown dtype \(e.dtype)")
                }
                guard e.shape.allSatisfy({ $0 >= 0 }) else {
                    throw SafeTensorsError(path: path, tensor: name, "negative dimension in shape \(e.shape)")
                }
                guard e.data_offsets.count == 2, e.data_offsets[0] >= 0, e.data_offsets[0] <= e.data_offsets[1] else {
                    throw SafeTensorsError(path: path, tensor: name, "invalid data_offsets \(e.data_offsets)")
                }
                guard e.data_offsets[1] <= dataSize else {
                    throw SafeTensorsError(path: path, tensor: name,
                        "data ends at byte \(e.data_offsets[1]) but the data section has \(dataSize) bytes (file truncated?)")
                }
                var (count, overflow) = (1, false)
                for d in e.shape where !overflow { (count, overflow) = count.multipliedReportingOverflow(by: d) }
                let bytes = count.multipliedReportingOverflow(by: dtype.size)
                guard !overflow, !bytes.overflow, bytes.partialValue == e.data_offsets[1] - e.data_offsets[0] else {
                    throw SafeTensorsError(path: path, tensor: name,
                        "shape \(e.shape) of \(dtype.rawValue) needs \(bytes.partialValue) bytes, data_offsets give \(e.data_offsets[1] - e.data_offsets[0])")
                }
                tensors[name] = TensorInfo(name: name, dtype: dtype, shape: e.shape,
                                           dataRange: e.data_offsets[0]..<e.data_offsets[1])
            }
        }
        let sorted = tensors.values.filter { !$0.dataRange.isEmpty }.sorted { $0.dataRange.lowerBound < $1.dataRange.lowerBound }
        for (a, b) in zip(sorted, sorted.dropFirst()) where a.dataRange.upperBound > b.dataRange.lowerBound {
            throw SafeTensorsError(path: path, tensor: b.name, "data overlaps tensor \(a.name)")
        }
        return (tensors, metadata)
    }
}
