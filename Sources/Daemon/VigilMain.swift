import Foundation
import Glibc

/// Entry point of the `vigil` executable: parses the command line and runs a command.
package enum VigilMain {
    /// Runs `vigil` with `arguments` (without the program name) and exits the process.
    package static func run(arguments: [String]) async -> Never {
        let flags: ParsedFlags
        do {
            flags = try parseFlags(arguments, specs: serveFlags)
        } catch {
            FileHandle.standardError.write(Data("vigil: error: \(error.description)\n".utf8))
            exit(1)
        }
        if flags.wantsHelp {
            print(helpText(specs: serveFlags), terminator: "")
            exit(0)
        }
        if flags.wantsVersion {
            print(Version.banner)
            exit(0)
        }
        switch flags.positional.first {
        case nil:
            exit(await Serve.run(flags: flags))
        case "check":
            guard flags.positional.count >= 2, flags.positional[1] == "config" else {
                usageError("expected 'check config FILE...'")
            }
            let files = Array(flags.positional.dropFirst(2))
            guard !files.isEmpty else { usageError("'check config' needs at least one file") }
            exit(CheckConfig.run(files: files))
        case "tsdb":
            exit(TSDBCommands.run(Array(flags.positional.dropFirst())))
        case let other?:
            usageError("unknown command '\(other)', try --help")
        }
    }

    static func usageError(_ message: String) -> Never {
        FileHandle.standardError.write(Data("vigil: error: \(message)\n".utf8))
        exit(1)
    }
}
