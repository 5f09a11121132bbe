import Foundation
import Testing
import TestSupport

@Suite struct PromQLScriptTests {
    static let dir = TestData.directory("promql")
    static let files: [String] = dir.map { TestData.files(in: $0, suffix: ".test").map(\.lastPathComponent) } ?? []
    static let manifest = dir.map(Manifest.load) ?? Manifest()

    @Test(arguments: files)
    func script(_ name: String) throws {
        guard let dir = PromQLScriptTests.dir else { return }
        let m = PromQLScriptTests.manifest
        var runner = try ScriptRunner(url: dir.appendingPathComponent(name), flagged: m.flagged[name] ?? [],
                                      skipWhole: m.skipWhole[name] ?? false)
        let out = runner.run()
        let evaluated = out.passed + out.failed.count + out.known.count
        print("promql-script \(name): passed \(out.passed)/\(evaluated) evaluated, \(out.skipped) skipped, \(out.known.count) known failures")
        for f in out.failed { print("  FAIL \(name):\(f.line): \(f.message)") }
        for f in out.known { print("  known \(name):\(f.line): \(f.message)") }
        for l in out.unexpectedPasses { print("  note: \(name):\(l) is listed as a known failure but passes") }
        #expect(out.failed.isEmpty, "\(out.failed.count) failing cases in \(name)")
    }
}
