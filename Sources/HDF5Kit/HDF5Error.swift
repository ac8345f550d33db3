import CHDF5

/// A failed HDF5 call, with the file, the object path, what was being done and HDF5's own
/// message taken from its error stack.
public struct HDF5Error: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let object: String
    public let operation: String
    public let message: String

    public init(file: String, object: String, operation: String, message: String) {
        self.file = file
        self.object = object
        self.operation = operation
        self.message = message
    }

    public var description: String {
        let where_ = object.isEmpty ? file : "\(file): \(object)"
        return message.isEmpty ? "\(where_): \(operation) failed" : "\(where_): \(operation) failed: \(message)"
    }
}

/// HDF5 prints its error stack to stderr by default; ProfileBench turns that off once and reads
/// the stack itself (as h5py's `_errors.pyx` does).
enum HDF5Library {
    static let initialised: Bool = {
        _ = H5open()
        _ = H5Eset_auto2(pb_H5E_DEFAULT(), nil, nil)
        return true
    }()

    static func ensureInitialised() { _ = initialised }

    /// The descriptions on the current error stack, innermost last, joined; the stack is cleared.
    static func takeErrorMessage() -> String {
        final class Box { var parts: [String] = [] }
        let box = Box()
        let unmanaged = Unmanaged.passRetained(box)
        defer { unmanaged.release() }
        _ = H5Ewalk2(pb_H5E_DEFAULT(), H5E_WALK_DOWNWARD, { _, desc, client in
            guard let desc, let client else { return 0 }
            let box = Unmanaged<Box>.fromOpaque(client).takeUnretainedValue()
            if let text = desc.pointee.desc {
                let s = String(cString: text)
                if !s.isEmpty && box.parts.last != s { box.parts.append(s) }
            }
            return 0
        }, unmanaged.toOpaque())
        _ = H5Eclear2(pb_H5E_DEFAULT())
        // The outermost messages ("can't open dataset") come first; the innermost cause last.
        return box.parts.joined(separator: ": ")
    }
}
