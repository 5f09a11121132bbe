import Config
import Model
import Testing

@Suite struct VigilSectionTests {
    @Test func defaults() throws {
        let config = try ConfigFile.parse("vigil:\n", file: "v.yml", environment: [:])
        let v = config.vigil
        #expect(v.storage.path == "data")
        #expect(v.storage.walFsync == .batch)
        #expect(v.storage.minBlockDuration == .hours(2))
        #expect(v.retention.time.description == "15d")
        #expect(v.retention.size.bytes == 0)
        #expect(v.receivers.isEmpty)
    }

    @Test func fullSection() throws {
        let text = """
        vigil:
          storage: {path: /var/lib/vigil, wal_fsync: always, min_block_duration: 1h}
          retention: {time: 30d, size: 10GB}
          receivers:
            - name: ops
              webhook_configs:
                - url: https://hooks.example.com/a
                  send_resolved: false
                  max_alerts: 5
                  timeout: 3s
                  http_config:
                    authorization: {credentials: s3cret}
                - url: http://localhost:9999/
        """
        let config = try ConfigFile.parse(text, file: "v.yml", environment: [:])
        let v = config.vigil
        #expect(v.storage.path == "/var/lib/vigil" && v.storage.walFsync == .always)
        #expect(v.storage.minBlockDuration == .hours(1))
        #expect(config.effectiveRetentionTime.description == "30d")
        #expect(config.effectiveRetentionSize.description == "10GiB")
        let hooks = v.receivers[0].webhookConfigs
        #expect(hooks.count == 2)
        #expect(!hooks[0].sendResolved && hooks[0].maxAlerts == 5 && hooks[0].timeout == .seconds(3))
        #expect(hooks[0].httpClient.authorization?.type == "Bearer")
        #expect(hooks[1].sendResolved && hooks[1].maxAlerts == 0 && hooks[1].timeout == .seconds(10))
    }

    @Test(arguments: [
        ("vigil:\n  storage: {wal_fsync: sometimes}\n", #"vigil.storage.wal_fsync must be 'batch' or 'always', got "sometimes""#),
        ("vigil:\n  storage: {min_block_duration: 0s}\n", "vigil.storage.min_block_duration must be greater than 0"),
        ("vigil:\n  retention: {size: -1GB}\n", "vigil.retention.size must be greater than or equal to 0"),
        ("vigil:\n  receivers: [{webhook_configs: []}]\n", "receiver name is empty"),
        ("vigil:\n  receivers: [{name: a}, {name: a}]\n", #"found multiple receivers with name "a""#),
        ("vigil:\n  receivers: [{name: a, webhook_configs: [{send_resolved: true}]}]\n", "webhook url is missing"),
        ("vigil:\n  receivers: [{name: a, webhook_configs: [{url: ftp://x}]}]\n", "URL scheme must be 'http' or 'https'"),
        ("vigil:\n  receivers: [{name: a, webhook_configs: [{url: 'http://'}]}]\n", "host is missing in URL"),
        ("vigil:\n  receivers: [{name: a, webhook_configs: [{url: invalid}]}]\n", "URL scheme must be 'http' or 'https'"),
        ("vigil:\n  receivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: {oops: 1}}]}]\n", "field oops not found in type vigil.http_config"),
        ("vigil:\n  retention: {time: 1d}\nstorage:\n  tsdb:\n    retention: {time: 2d}\n", "retention is set in both storage.tsdb.retention and vigil.retention"),
    ])
    func rejects(_ text: String, _ message: String) {
        do {
            _ = try ConfigFile.parse(text, file: "v.yml", environment: [:])
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.contains(message), "got \(error.message)")
        }
    }

    @Test func prometheusRetentionIsUsedWhenVigilHasNone() throws {
        let config = try ConfigFile.parse("storage:\n  tsdb:\n    retention: {time: 1d, size: 1GB}\n", file: "v.yml", environment: [:])
        #expect(config.effectiveRetentionTime.description == "1d")
        #expect(config.effectiveRetentionSize.bytes == 1 << 30)
    }
}
