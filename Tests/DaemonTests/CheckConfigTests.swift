import Foundation
import Testing
import TestSupport

/// `vigil check config` run as a user runs it, on the shared Prometheus config corpus: every file
/// Prometheus rejects is rejected, and every file it accepts is accepted or refused as
/// `unsupported:` (features Vigil does not implement), never with another error.
@Suite struct CheckConfigTests {
    @Test func outputMatchesPromtoolShape() throws {
        let dir = try TempDirectory(prefix: "vigil-check")
        defer { dir.remove() }
        let good = dir.url.appendingPathComponent("good.yml").path
        let bad = dir.url.appendingPathComponent("bad.yml").path
        try "scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['x:1']}]\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "global:\n  scrape_interval: 15s\n  foo: 1\n".write(toFile: bad, atomically: true, encoding: .utf8)

        let (ok, out, _) = try DaemonProcess.runToEnd(["check", "config", good])
        #expect(ok == 0)
        #expect(out == "Checking \(good)\n SUCCESS: \(good) is valid prometheus config file syntax\n\n")

        let (fail, out2, err2) = try DaemonProcess.runToEnd(["check", "config", good, bad])
        #expect(fail == 1)
        #expect(out2.contains("Checking \(bad)"))
        #expect(err2.contains("  FAILED: \(bad):3:3: "))
        #expect(err2.contains("foo"))
    }

    @Test func agreesWithPrometheusOnTheCorpus() throws {
        guard let root = TestData.directory("config") else { return }
        var verdicts: [String: Int] = ["accepted": 0, "unsupported": 0, "rejected": 0]
        for sub in ["good", "examples"] {
            for file in TestData.files(in: root.appendingPathComponent(sub), suffix: ".yml") {
                if file.lastPathComponent == "web-config.yml" { continue } // a web config, not a Prometheus config
                let (code, _, err) = try DaemonProcess.runToEnd(["check", "config", file.path])
                if code == 0 {
                    verdicts["accepted", default: 0] += 1
                } else {
                    #expect(code == 1)
                    #expect(err.contains("unsupported:"), "\(file.lastPathComponent) refused with a non-unsupported error: \(err)")
                    verdicts["unsupported", default: 0] += 1
                }
            }
        }
        for file in TestData.files(in: root.appendingPathComponent("bad"), suffix: ".yml") {
            let (code, _, err) = try DaemonProcess.runToEnd(["check", "config", file.path])
            #expect(code == 1, "\(file.lastPathComponent) was accepted")
            #expect(err.contains("FAILED: \(file.path)"))
            verdicts["rejected", default: 0] += 1
        }
        print("check config corpus: \(verdicts["accepted", default: 0]) good accepted, \(verdicts["unsupported", default: 0]) good refused as unsupported, \(verdicts["rejected", default: 0]) bad rejected")
        #expect(verdicts["rejected", default: 0] >= 140)
    }
}
