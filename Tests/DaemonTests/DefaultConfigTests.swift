import Config
import Foundation
import Testing
import TestSupport
@testable import Daemon

@Suite struct DefaultConfigTests {
    /// The embedded default and `deploy/vigil.yml` are the same text.
    @Test func embeddedMatchesDeployFile() throws {
        let file = TestData.projectRoot.appendingPathComponent("deploy/vigil.yml")
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(DefaultConfig.template == text)
    }

    @Test func defaultConfigIsValidAndScrapesItself() throws {
        let config = try ConfigFile.parse(DefaultConfig.text(listenAddress: "127.0.0.1:9123"), file: DefaultConfig.fileName)
        #expect(config.ruleFiles == ["rules/*.yml"])
        let job = try #require(config.scrapeConfigs.first)
        #expect(job.jobName == "vigil")
        #expect(DefaultConfig.text(listenAddress: "127.0.0.1:9123").contains("\"localhost:9123\""))
        #expect(DefaultConfig.text(listenAddress: ":9090") == DefaultConfig.template)
    }
}
