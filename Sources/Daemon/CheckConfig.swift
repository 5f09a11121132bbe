import Config
import Foundation

/// `vigil check config FILE...`: the same output shape and exit code as `promtool check config`.
enum CheckConfig {
    /// Checks each file; prints `SUCCESS` lines on stdout and `FAILED` lines on stderr.
    /// Returns 0 when every file is valid, 1 otherwise.
    static func run(files: [String]) -> Int32 {
        var failed = false
        for file in files {
            print("Checking \(file)")
            do {
                _ = try ConfigFile.load(path: file)
                print(" SUCCESS: \(file) is valid prometheus config file syntax")
            } catch {
                failed = true
                FileHandle.standardError.write(Data("  FAILED: \(error.description)\n".utf8))
            }
            print("")
        }
        return failed ? 1 : 0
    }
}
