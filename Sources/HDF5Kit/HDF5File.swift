import CHDF5
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element types ProfileBench stores; the memory datatype of every read and write is chosen
/// from the Swift type, never from the file (HDF5 converts between the two).
public protocol HDF5Scalar: Sendable {
    static var hdf5Kind: HDF5NumericKind { get }
    init()
}

/// Native numeric element kinds.
public enum HDF5NumericKind: Sendable {
    case float32, float64, int8, uint8, int16, uint16, int32, uint32, int64, uint64

    var nativeType: hid_t {
        switch self {
        case .float32: return pb_H5T_NATIVE_FLOAT()
        case .float64: return pb_H5T_NATIVE_DOUBLE()
        case .int8: return pb_H5T_NATIVE_INT8()
        case .uint8: return pb_H5T_NATIVE_UINT8()
        case .int16: return pb_H5T_NATIVE_INT16()
        case .uint16: return pb_H5T_NATIVE_UINT16()
        case .int32: return pb_H5T_NATIVE_INT32()
        case .uint32: return pb_H5T_NATIVE_UINT32()
        case .int64: return pb_H5T_NATIVE_INT64()
        case .uint64: return pb_H5T_NATIVE_UINT64()
        }
    }
}

extension Float: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .float32 } }
extension Double: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .float64 } }
extension Int8: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .int8 } }
extension UInt8: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .uint8 } }
extension Int16: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .int16 } }
extension UInt16: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .uint16 } }
extension Int32: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .int32 } }
extension UInt32: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .uint32 } }
extension Int64: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .int64 } }
extension UInt64: HDF5Scalar { public static var hdf5Kind: HDF5NumericKind { .uint64 } }

/// The class of a stored dataset's elements, as far as readers need to check it.
public enum HDF5TypeClass: String, Sendable {
    case integer, float, string, other
}

/// Shape and element class of a stored dataset.
public struct HDF5DatasetInfo: Sendable, Equatable {
    public let shape: [Int]
    public let typeClass: HDF5TypeClass
    /// Size of one element in bytes as stored (for strings of variable length: the pointer size).
    public let elementSize: Int
    public let isSigned: Bool
}

/// Attribute values ProfileBench reads and writes.
public enum HDF5Attribute: Equatable, Sendable {
    case int(Int64)
    case double(Double)
    case string(String)
    case strings([String])
    case ints([Int64])

    public var intValue: Int64? { if case .int(let v) = self { return v }; if case .ints(let v) = self, v.count == 1 { return v[0] }; return nil }
    public var doubleValue: Double? {
        switch self {
        case .double(let v): return v
        case .int(let v): return Double(v)
        default: return nil
        }
    }
    public var stringValue: String? { if case .string(let v) = self { return v }; if case .strings(let v) = self, v.count == 1 { return v[0] }; return nil }
    public var stringsValue: [String]? {
        switch self {
        case .strings(let v): return v
        case .string(let v): return [v]
        default: return nil
        }
    }
}

/// Compression settings for chunked datasets.
public struct HDF5Storage: Sendable {
    public var chunkRows: Int
    public var deflateLevel: Int
    public var shuffle: Bool
    public init(chunkRows: Int = 65_536, deflateLevel: Int = 4, shuffle: Bool = true) {
        self.chunkRows = chunkRows
        self.deflateLevel = deflateLevel
        self.shuffle = shuffle
    }
}

/// An open HDF5 file. The handle is closed when the object is released.
///
/// HDF5's serial library is not thread-safe: use one `HDF5File` from one thread at a time.
public final class HDF5File {
    public enum Mode: Sendable { case readOnly, readWrite, create }

    public let path: String
    private var id: hid_t

    /// Opens (or, with `.create`, creates or truncates) the file at `path`.
    public init(path: String, mode: Mode) throws {
        HDF5Library.ensureInitialised()
        self.path = path
        let fid: hid_t
        switch mode {
        case .readOnly: fid = H5Fopen(path, pb_H5F_ACC_RDONLY(), pb_H5P_DEFAULT())
        case .readWrite: fid = H5Fopen(path, pb_H5F_ACC_RDWR(), pb_H5P_DEFAULT())
        case .create: fid = H5Fcreate(path, pb_H5F_ACC_TRUNC(), pb_H5P_DEFAULT(), pb_H5P_DEFAULT())
        }
        if fid < 0 {
            let msg = HDF5Library.takeErrorMessage()
            throw HDF5Error(file: path, object: "", operation: mode == .create ? "creating the file" : "opening the file as HDF5", message: msg)
        }
        id = fid
    }

    deinit { if id >= 0 { H5Fclose(id) } }

    /// Flushes and closes the file now; later calls fail.
    public func close() throws {
        guard id >= 0 else { return }
        let rc = H5Fclose(id)
        id = -1
        if rc < 0 { throw error("", "closing the file") }
    }

    /// True if the file is an HDF5 file (checked from its signature, without opening it).
    public static func isHDF5(path: String) -> Bool {
        HDF5Library.ensureInitialised()
        let r = H5Fis_hdf5(path)
        _ = HDF5Library.takeErrorMessage()
        return r > 0
    }

    // MARK: - Structure

    /// True if a link at `object` exists (every intermediate group must exist too).
    public func exists(_ object: String) -> Bool {
        var prefix = ""
        for part in object.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(id, prefix, pb_H5P_DEFAULT()) <= 0 {
                _ = HDF5Library.takeErrorMessage()
                return false
            }
        }
        return true
    }

    /// Names of the members of the group at `object`, sorted.
    public func members(of object: String) throws -> [String] {
        guard exists(object) || object == "/" else { return [] }
        let gid = H5Gopen2(id, object, pb_H5P_DEFAULT())
        if gid < 0 { throw error(object, "opening the group") }
        defer { H5Gclose(gid) }
        var info = H5G_info_t()
        if H5Gget_info(gid, &info) < 0 { throw error(object, "reading the group") }
        var names: [String] = []
        for i in 0..<info.nlinks {
            let n = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, pb_H5P_DEFAULT())
            if n < 0 { throw error(object, "listing the group") }
            var buf = [CChar](repeating: 0, count: Int(n) + 1)
            _ = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(n) + 1, pb_H5P_DEFAULT())
            names.append(String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return names.sorted()
    }

    /// Creates the group at `object` and any missing parents.
    public func createGroups(_ object: String) throws {
        var prefix = ""
        for part in object.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(id, prefix, pb_H5P_DEFAULT()) > 0 { continue }
            _ = HDF5Library.takeErrorMessage()
            let gcpl = H5Pcreate(pb_H5P_GROUP_CREATE())
            _ = H5Pset_obj_track_times(gcpl, false)
            let gid = H5Gcreate2(id, prefix, pb_H5P_DEFAULT(), gcpl, pb_H5P_DEFAULT())
            H5Pclose(gcpl)
            if gid < 0 { throw error(prefix, "creating the group") }
            H5Gclose(gid)
        }
    }

    /// Removes the link at `object` (the space is reclaimed only when the file is rewritten).
    public func remove(_ object: String) throws {
        if H5Ldelete(id, object, pb_H5P_DEFAULT()) < 0 { throw error(object, "removing") }
    }

    /// Shape and element class of the dataset at `object`.
    public func info(_ object: String) throws -> HDF5DatasetInfo {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        return try info(dataset: d, object: object)
    }

    // MARK: - Numeric datasets

    /// Reads the whole dataset at `object` converted to `T`, with its shape.
    public func read<T: HDF5Scalar>(_ object: String, as type: T.Type = T.self) throws -> (values: [T], shape: [Int]) {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        let inf = try info(dataset: d, object: object)
        guard inf.typeClass == .integer || inf.typeClass == .float else {
            throw HDF5Error(file: path, object: object, operation: "reading numbers", message: "the dataset holds \(inf.typeClass.rawValue) elements")
        }
        let count = inf.shape.reduce(1, *)
        var values = [T](repeating: T(), count: count)
        if count > 0 {
            let rc = values.withUnsafeMutableBytes { buf in
                H5Dread(d, T.hdf5Kind.nativeType, pb_H5S_ALL(), pb_H5S_ALL(), pb_H5P_DEFAULT(), buf.baseAddress)
            }
            if rc < 0 { throw error(object, "reading") }
        }
        return (values, inf.shape)
    }

    /// Writes `values` as a new dataset of the given shape (row-major), optionally chunked along
    /// the first axis and compressed.
    public func write<T: HDF5Scalar>(_ object: String, _ values: [T], shape: [Int], storage: HDF5Storage? = nil) throws {
        precondition(values.count == shape.reduce(1, *), "write \(object): \(values.count) values for shape \(shape)")
        try createParents(of: object)
        let dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), dims, nil)
        if space < 0 { throw error(object, "creating a dataspace") }
        defer { H5Sclose(space) }
        let dcpl = try creationProperties(shape: shape, storage: storage, object: object)
        defer { H5Pclose(dcpl) }
        let d = H5Dcreate2(id, object, T.hdf5Kind.nativeType, space, pb_H5P_DEFAULT(), dcpl, pb_H5P_DEFAULT())
        if d < 0 { throw error(object, "creating the dataset") }
        defer { H5Dclose(d) }
        if !values.isEmpty {
            let rc = values.withUnsafeBytes { buf in
                H5Dwrite(d, T.hdf5Kind.nativeType, pb_H5S_ALL(), pb_H5S_ALL(), pb_H5P_DEFAULT(), buf.baseAddress)
            }
            if rc < 0 { throw error(object, "writing") }
        }
    }

    // MARK: - String datasets

    /// Reads a 1-D dataset of strings (variable- or fixed-length, ASCII or UTF-8).
    /// Invalid UTF-8 is an error naming the row.
    public func readStrings(_ object: String) throws -> [String] {
        let d = try openDataset(object)
        defer { H5Dclose(d) }
        let inf = try info(dataset: d, object: object)
        guard inf.typeClass == .string else {
            throw HDF5Error(file: path, object: object, operation: "reading strings", message: "the dataset holds \(inf.typeClass.rawValue) elements, expected strings")
        }
        let count = inf.shape.reduce(1, *)
        let ftype = H5Dget_type(d)
        defer { H5Tclose(ftype) }
        if count == 0 { return [] }
        return try readStringElements(count: count, fileType: ftype, object: object) { memType, buf in
            H5Dread(d, memType, pb_H5S_ALL(), pb_H5S_ALL(), pb_H5P_DEFAULT(), buf)
        } reclaim: { memType, buf in
            let space = H5Dget_space(d)
            _ = H5Dvlen_reclaim(memType, space, pb_H5P_DEFAULT(), buf)
            H5Sclose(space)
        }
    }

    /// Writes a 1-D dataset of variable-length UTF-8 strings (h5py reads them as `str`).
    public func writeStrings(_ object: String, _ values: [String], storage: HDF5Storage? = nil) throws {
        try createParents(of: object)
        let dims = [hsize_t(values.count)]
        let space = H5Screate_simple(1, dims, nil)
        if space < 0 { throw error(object, "creating a dataspace") }
        defer { H5Sclose(space) }
        let t = try utf8StringType(object)
        defer { H5Tclose(t) }
        let dcpl = try creationProperties(shape: [values.count], storage: storage.map { HDF5Storage(chunkRows: $0.chunkRows, deflateLevel: $0.deflateLevel, shuffle: false) }, object: object)
        defer { H5Pclose(dcpl) }
        let d = H5Dcreate2(id, object, t, space, pb_H5P_DEFAULT(), dcpl, pb_H5P_DEFAULT())
        if d < 0 { throw error(object, "creating the dataset") }
        defer { H5Dclose(d) }
        let rc = withCStringArray(values) { ptrs in
            H5Dwrite(d, t, pb_H5S_ALL(), pb_H5S_ALL(), pb_H5P_DEFAULT(), ptrs)
        }
        if rc < 0 { throw error(object, "writing") }
    }

    // MARK: - Attributes

    /// The attribute `name` of the object at `object` ("/" for the root), or nil if absent.
    public func attribute(_ name: String, of object: String) throws -> HDF5Attribute? {
        guard H5Aexists_by_name(id, object, name, pb_H5P_DEFAULT()) > 0 else {
            _ = HDF5Library.takeErrorMessage()
            return nil
        }
        let a = H5Aopen_by_name(id, object, name, pb_H5P_DEFAULT(), pb_H5P_DEFAULT())
        if a < 0 { throw error(object, "opening attribute '\(name)'") }
        defer { H5Aclose(a) }
        let ftype = H5Aget_type(a)
        defer { H5Tclose(ftype) }
        let space = H5Aget_space(a)
        defer { H5Sclose(space) }
        let n = max(0, Int(H5Sget_simple_extent_npoints(space)))
        let isScalar = H5Sget_simple_extent_ndims(space) == 0
        switch H5Tget_class(ftype) {
        case H5T_STRING:
            if n == 0 { return .strings([]) }
            let strings = try readStringElements(count: n, fileType: ftype, object: "\(object)@\(name)") { memType, buf in
                H5Aread(a, memType, buf)
            } reclaim: { memType, buf in
                _ = H5Dvlen_reclaim(memType, space, pb_H5P_DEFAULT(), buf)
            }
            return isScalar ? .string(strings[0]) : .strings(strings)
        case H5T_INTEGER:
            var v = [Int64](repeating: 0, count: n)
            if H5Aread(a, pb_H5T_NATIVE_INT64(), &v) < 0 { throw error(object, "reading attribute '\(name)'") }
            return isScalar ? .int(v[0]) : .ints(v)
        case H5T_FLOAT:
            var v = [Double](repeating: 0, count: max(n, 1))
            if H5Aread(a, pb_H5T_NATIVE_DOUBLE(), &v) < 0 { throw error(object, "reading attribute '\(name)'") }
            return .double(v[0])
        default:
            throw HDF5Error(file: path, object: object, operation: "reading attribute '\(name)'", message: "unsupported attribute type")
        }
    }

    /// Sets (creating or replacing) the attribute `name` on the object at `object`.
    public func setAttribute(_ name: String, _ value: HDF5Attribute, on object: String) throws {
        if H5Aexists_by_name(id, object, name, pb_H5P_DEFAULT()) > 0 {
            if H5Adelete_by_name(id, object, name, pb_H5P_DEFAULT()) < 0 { throw error(object, "replacing attribute '\(name)'") }
        }
        _ = HDF5Library.takeErrorMessage()
        let space: hid_t
        let type: hid_t
        let ownsType: Bool
        switch value {
        case .int, .double, .string:
            space = H5Screate(H5S_SCALAR)
        case .strings(let s):
            space = H5Screate_simple(1, [hsize_t(s.count)], nil)
        case .ints(let s):
            space = H5Screate_simple(1, [hsize_t(s.count)], nil)
        }
        if space < 0 { throw error(object, "creating a dataspace for attribute '\(name)'") }
        defer { H5Sclose(space) }
        switch value {
        case .int, .ints: type = pb_H5T_NATIVE_INT64(); ownsType = false
        case .double: type = pb_H5T_NATIVE_DOUBLE(); ownsType = false
        case .string, .strings: type = try utf8StringType(object); ownsType = true
        }
        defer { if ownsType { H5Tclose(type) } }
        let a = H5Acreate_by_name(id, object, name, type, space, pb_H5P_DEFAULT(), pb_H5P_DEFAULT(), pb_H5P_DEFAULT())
        if a < 0 { throw error(object, "creating attribute '\(name)'") }
        defer { H5Aclose(a) }
        let rc: herr_t
        switch value {
        case .int(let v): var x = v; rc = H5Awrite(a, type, &x)
        case .ints(let v): rc = v.withUnsafeBytes { H5Awrite(a, type, $0.baseAddress) }
        case .double(let v): var x = v; rc = H5Awrite(a, type, &x)
        case .string(let s): rc = withCStringArray([s]) { H5Awrite(a, type, $0) }
        case .strings(let s): rc = withCStringArray(s) { H5Awrite(a, type, $0) }
        }
        if rc < 0 { throw error(object, "writing attribute '\(name)'") }
    }

    // MARK: - Internals

    private func error(_ object: String, _ operation: String) -> HDF5Error {
        HDF5Error(file: path, object: object, operation: operation, message: HDF5Library.takeErrorMessage())
    }

    private func openDataset(_ object: String) throws -> hid_t {
        guard exists(object) else {
            throw HDF5Error(file: path, object: object, operation: "opening", message: "no such dataset")
        }
        let d = H5Dopen2(id, object, pb_H5P_DEFAULT())
        if d < 0 { throw error(object, "opening the dataset") }
        return d
    }

    private func info(dataset d: hid_t, object: String) throws -> HDF5DatasetInfo {
        let space = H5Dget_space(d)
        if space < 0 { throw error(object, "reading the dataspace") }
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        if rank > 0 { _ = H5Sget_simple_extent_dims(space, &dims, nil) }
        let t = H5Dget_type(d)
        defer { H5Tclose(t) }
        let cls: HDF5TypeClass
        switch H5Tget_class(t) {
        case H5T_INTEGER: cls = .integer
        case H5T_FLOAT: cls = .float
        case H5T_STRING: cls = .string
        default: cls = .other
        }
        let signed = cls == .integer ? H5Tget_sign(t) == H5T_SGN_2 : true
        return HDF5DatasetInfo(shape: rank == 0 ? [] : dims.map { Int($0) }, typeClass: cls,
                               elementSize: Int(H5Tget_size(t)), isSigned: signed)
    }

    private func createParents(of object: String) throws {
        let parts = object.split(separator: "/")
        if parts.count > 1 { try createGroups(parts.dropLast().joined(separator: "/")) }
    }

    private func creationProperties(shape: [Int], storage: HDF5Storage?, object: String) throws -> hid_t {
        let dcpl = H5Pcreate(pb_H5P_DATASET_CREATE())
        if dcpl < 0 { throw error(object, "creating dataset properties") }
        // No modification times: the same content gives the same file bytes (and sha256).
        _ = H5Pset_obj_track_times(dcpl, false)
        if let storage, let rows = shape.first, rows > 0 {
            var chunk = shape.map { hsize_t(max($0, 1)) }
            chunk[0] = hsize_t(min(rows, storage.chunkRows))
            if H5Pset_chunk(dcpl, Int32(chunk.count), chunk) < 0 { H5Pclose(dcpl); throw error(object, "setting the chunk shape") }
            if storage.shuffle && H5Pset_shuffle(dcpl) < 0 { H5Pclose(dcpl); throw error(object, "setting the shuffle filter") }
            if storage.deflateLevel > 0 && H5Pset_deflate(dcpl, UInt32(storage.deflateLevel)) < 0 {
                H5Pclose(dcpl); throw error(object, "setting gzip compression")
            }
        }
        return dcpl
    }

    private func utf8StringType(_ object: String) throws -> hid_t {
        let t = H5Tcopy(pb_H5T_C_S1())
        if t < 0 || H5Tset_size(t, pb_H5T_VARIABLE()) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0 {
            throw error(object, "creating a UTF-8 string type")
        }
        return t
    }

    /// Reads `count` string elements stored with `fileType` through `read` (a dataset or an
    /// attribute), decoding UTF-8 and trimming fixed-length padding.
    private func readStringElements(
        count: Int, fileType: hid_t, object: String,
        read: (hid_t, UnsafeMutableRawPointer) -> herr_t,
        reclaim: (hid_t, UnsafeMutableRawPointer) -> Void
    ) throws -> [String] {
        let memType = H5Tcopy(pb_H5T_C_S1())
        defer { H5Tclose(memType) }
        _ = H5Tset_cset(memType, H5T_CSET_UTF8)
        var out: [String] = []
        out.reserveCapacity(count)
        if H5Tis_variable_str(fileType) > 0 {
            _ = H5Tset_size(memType, pb_H5T_VARIABLE())
            var ptrs = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            let rc = ptrs.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
            if rc < 0 { throw error(object, "reading strings") }
            defer { ptrs.withUnsafeMutableBytes { reclaim(memType, $0.baseAddress!) } }
            for (row, p) in ptrs.enumerated() {
                guard let p else { out.append(""); continue }
                let bytes = UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw HDF5Error(file: path, object: object, operation: "reading strings", message: "row \(row) is not valid UTF-8")
                }
                out.append(s)
            }
        } else {
            let size = Int(H5Tget_size(fileType))
            _ = H5Tset_size(memType, size)
            _ = H5Tset_strpad(memType, H5T_STR_NULLPAD)
            var buf = [UInt8](repeating: 0, count: count * size)
            let rc = buf.withUnsafeMutableBytes { read(memType, $0.baseAddress!) }
            if rc < 0 { throw error(object, "reading strings") }
            for row in 0..<count {
                var slice = buf[(row * size)..<((row + 1) * size)]
                while let last = slice.last, last == 0 { slice = slice.dropLast() }
                if let nul = slice.firstIndex(of: 0) { slice = slice[..<nul] }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw HDF5Error(file: path, object: object, operation: "reading strings", message: "row \(row) is not valid UTF-8")
                }
                out.append(s)
            }
        }
        return out
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `strings`, freed afterwards.
private func withCStringArray<R>(_ strings: [String], _ body: (UnsafeRawPointer) -> R) -> R {
    var ptrs: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { for p in ptrs { free(p) } }
    return ptrs.withUnsafeMutableBytes { body($0.baseAddress!) }
}
