import Foundation
import XCTest

/// What a finished process printed and returned.
struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `args` in `dir`, reading stdout and stderr concurrently (a process
/// can fill one pipe before it closes the other).
func runProcess(_ executable: String, _ args: [String], in dir: URL) throws -> ProcessOutput {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.currentDirectoryURL = dir
    let o = Pipe(), e = Pipe()
    p.standardOutput = o
    p.standardError = e
    try p.run()
    nonisolated(unsafe) var err = Data()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { err = e.fileHandleForReading.readDataToEndOfFile(); group.leave() }
    let out = o.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    p.waitUntilExit()
    return ProcessOutput(status: p.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

/// Runs the built `profilebench` in `dir`; fails the test when the executable is missing.
func runProfileBench(_ args: [String], in dir: URL, file: StaticString = #filePath, line: UInt = #line) throws -> ProcessOutput {
    guard let bin = CLITests.binary else {
        XCTFail("profilebench executable not found: build it first (`swift build --product profilebench`)", file: file, line: line)
        return ProcessOutput(status: -1, stdout: "", stderr: "")
    }
    return try runProcess(bin, args, in: dir)
}
