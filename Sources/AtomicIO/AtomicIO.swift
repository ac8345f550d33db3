import Foundation

/// Writes that never leave a half-written target: content goes to a temporary sibling, which is
/// renamed over the target only when complete (rename(2) is atomic within a file system).
public enum AtomicIO {
    /// Temporary paths being written now; removed by `removeTemporaries()` (on SIGINT/SIGTERM).
    nonisolated(unsafe) private static var active = Set<String>()
    private static let lock = NSLock()

    static func register(_ path: String) { lock.lock(); active.insert(path); lock.unlock() }
    static func unregister(_ path: String) { lock.lock(); active.remove(path); lock.unlock() }

    /// Removes every temporary file or folder still being written (for signal handlers, so an
    /// interrupted command leaves no partial output behind).
    public static func removeTemporaries() {
        lock.lock()
        let paths = active
        lock.unlock()
        for p in paths { try? FileManager.default.removeItem(atPath: p) }
    }

    /// Installs SIGINT and SIGTERM handlers that remove the temporaries, then exit with
    /// 128 + the signal number.
    public static func cleanUpOnInterrupt() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                removeTemporaries()
                FileHandle.standardError.write(Data("interrupted: partial output removed\n".utf8))
                exit(128 + sig)
            }
            source.resume()
            signalSources.append(source)
        }
    }
    nonisolated(unsafe) private static var signalSources: [any DispatchSourceSignal] = []

    /// A temporary path beside `target` (same folder, so the final rename is atomic).
    public static func temporarySibling(of target: String) -> String {
        let url = URL(fileURLWithPath: target)
        let name = ".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
        return url.deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// Writes `data` to `path` atomically, creating missing parent folders.
    public static func write(_ data: Data, to path: String) throws {
        try createParent(of: path)
        let tmp = temporarySibling(of: path)
        register(tmp)
        defer { unregister(tmp) }
        do {
            try data.write(to: URL(fileURLWithPath: tmp))
            try replace(path, with: tmp)
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Writes UTF-8 `text` to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Produces a file at `path` by letting `body` write a temporary file whose path it is
    /// given; the temporary file replaces `path` only if `body` returns normally.
    public static func produceFile<R>(at path: String, _ body: (String) throws -> R) throws -> R {
        try createParent(of: path)
        let tmp = temporarySibling(of: path)
        register(tmp)
        defer { unregister(tmp) }
        do {
            let r = try body(tmp)
            try replace(path, with: tmp)
            return r
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Produces a folder at `path` the same way: `body` fills a temporary folder, which then
    /// replaces any existing folder at `path` (the old one is removed only after the rename).
    public static func produceFolder<R>(at path: String, _ body: (String) throws -> R) throws -> R {
        try createParent(of: path)
        let tmp = temporarySibling(of: path)
        register(tmp)
        defer { unregister(tmp) }
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: tmp, withIntermediateDirectories: false)
            let r = try body(tmp)
            if fm.fileExists(atPath: path) {
                let old = temporarySibling(of: path) + ".old"
                try fm.moveItem(atPath: path, toPath: old)
                do { try fm.moveItem(atPath: tmp, toPath: path) } catch {
                    try? fm.moveItem(atPath: old, toPath: path)
                    throw error
                }
                try? fm.removeItem(atPath: old)
            } else {
                try fm.moveItem(atPath: tmp, toPath: path)
            }
            return r
        } catch {
            try? fm.removeItem(atPath: tmp)
            throw error
        }
    }

    private static func createParent(of path: String) throws {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: parent) {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
    }

    private static func replace(_ path: String, with tmp: String) throws {
        if rename(tmp, path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path,
                NSLocalizedDescriptionKey: "\(path): cannot move the finished file into place: \(String(cString: strerror(errno)))"])
        }
    }
}
