import Testing
@testable import Daemon

@Suite struct FlagsTests {
    @Test func defaultsAreFilledIn() throws {
        let f = try parseFlags([], specs: serveFlags)
        #expect(f.string("web.listen-address") == ":9090")
        #expect(f.string("storage.path") == "./data")
        #expect(f.string("config.file") == "vigil.yml")
        #expect(f.bool("web.enable-admin-api") == false)
        #expect(f.explicitlySet.isEmpty)
    }

    @Test(arguments: [
        (["--web.listen-address=:9091"], "web.listen-address", ":9091"),
        (["--web.listen-address", "127.0.0.1:1"], "web.listen-address", "127.0.0.1:1"),
        (["--web.enable-admin-api"], "web.enable-admin-api", "true"),
        (["--web.enable-admin-api", "--no-web.enable-admin-api"], "web.enable-admin-api", "false"),
        (["--web.enable-lifecycle=false"], "web.enable-lifecycle", "false"),
        (["--storage.retention.time=1y"], "storage.retention.time", "1y"),
        (["--storage.retention.size=10GB"], "storage.retention.size", "10GB"),
        (["--log.format=json"], "log.format", "json"),
    ])
    func parsesForms(_ args: [String], _ name: String, _ want: String) throws {
        let f = try parseFlags(args, specs: serveFlags)
        #expect(f.string(name) == want)
        #expect(f.explicitlySet.contains(name))
    }

    @Test(arguments: [
        (["--nope"], "unknown long flag '--nope'"),
        (["-x"], "unknown short flag '-x'"),
        (["--storage.path"], "expected argument for flag '--storage.path'"),
        (["--storage.retention.time=15x"], "invalid value '15x' for flag '--storage.retention.time'"),
        (["--storage.retention.size=lots"], "invalid value 'lots' for flag '--storage.retention.size'"),
        (["--web.max-connections=-1"], "invalid value '-1' for flag '--web.max-connections'"),
        (["--web.enable-admin-api=maybe"], "invalid boolean value 'maybe'"),
    ])
    func rejectsBadFlags(_ args: [String], _ message: String) {
        #expect {
            _ = try parseFlags(args, specs: serveFlags)
        } throws: { error in
            (error as? FlagError)?.description.contains(message) == true
        }
    }

    @Test func positionalAndCommands() throws {
        let f = try parseFlags(["check", "config", "a.yml", "--", "--b.yml"], specs: serveFlags)
        #expect(f.positional == ["check", "config", "a.yml", "--b.yml"])
    }

    @Test func helpListsEveryFlagWithDefault() {
        let text = helpText(specs: serveFlags)
        for f in serveFlags {
            #expect(text.contains("--\(f.name)") || text.contains("--[no-]\(f.name)"), "missing \(f.name)")
        }
        #expect(text.contains("(default: :9090)"))
        #expect(text.contains("(default: ./data)"))
    }

    @Test(arguments: [(":9090", "0.0.0.0", 9090), ("127.0.0.1:0", "127.0.0.1", 0), ("localhost:80", "127.0.0.1", 80)])
    func listenAddresses(_ text: String, _ host: String, _ port: Int) throws {
        let a = try ListenAddress(parsing: text)
        #expect(a.host == host && a.port == port)
    }

    @Test(arguments: ["9090", "host:", ":99999", "[::]:9090", ""])
    func badListenAddresses(_ text: String) {
        #expect(throws: FlagError.self) { _ = try ListenAddress(parsing: text) }
    }
}
