import Config
import Model
import Testing

@Suite struct ConfigDefaultsTests {
    static func load(_ text: String) throws(ConfigError) -> VigilConfig {
        try ConfigFile.parse(text, file: "test.yml", environment: ["HOST": "h1"])
    }

    @Test func emptyFileHasPrometheusDefaults() throws {
        let config = try Self.load("")
        #expect(config.global.scrapeInterval == .minutes(1))
        #expect(config.global.scrapeTimeout == .seconds(10))
        #expect(config.global.evaluationInterval == .minutes(1))
        #expect(config.global.metricNameValidationScheme == .utf8)
        #expect(config.scrapeConfigs.isEmpty)
        #expect(config.effectiveRetentionTime.description == "15d")
        #expect(config.originalText == "")
    }

    /// Global interval, global timeout, job interval, job timeout → effective interval, timeout.
    @Test(arguments: [
        ("", "", "", "", "1m", "10s"),
        ("15s", "", "", "", "15s", "10s"),
        ("5s", "", "", "", "5s", "5s"),
        ("15s", "15s", "5s", "", "5s", "5s"),
        ("1h", "1h", "", "", "1h", "1h"),
        ("1m", "20s", "30s", "", "30s", "20s"),
        ("1m", "", "30s", "30s", "30s", "30s"),
        ("", "", "2m", "90s", "2m", "1m30s"),
    ])
    func inheritsIntervals(_ gi: String, _ gt: String, _ ji: String, _ jt: String, _ interval: String, _ timeout: String) throws {
        var text = "global:\n"
        if !gi.isEmpty { text += "  scrape_interval: \(gi)\n" }
        if !gt.isEmpty { text += "  scrape_timeout: \(gt)\n" }
        text += "scrape_configs:\n  - job_name: j\n"
        if !ji.isEmpty { text += "    scrape_interval: \(ji)\n" }
        if !jt.isEmpty { text += "    scrape_timeout: \(jt)\n" }
        let job = try #require(try Self.load(text).scrapeConfigs.first)
        #expect(job.scrapeInterval.description == interval)
        #expect(job.scrapeTimeout.description == timeout)
    }

    @Test func rejectsTimeoutAboveInterval() {
        #expect(throws: ConfigError.self) { try Self.load("global: {scrape_interval: 5s, scrape_timeout: 6s}") }
        do {
            _ = try Self.load("scrape_configs:\n  - job_name: x\n    scrape_interval: 5s\n    scrape_timeout: 6s\n")
            Issue.record("accepted")
        } catch {
            #expect(error.message == #"scrape timeout greater than scrape interval for scrape config with job name "x""#)
            #expect(error.line == 2 && error.column == 5)
        }
    }

    @Test func jobDefaultsAndInheritedLimits() throws {
        let text = """
        global:
          sample_limit: 100
          body_size_limit: 1MB
          external_labels: {dc: "${HOST}-$$x", empty: "$NOPE"}
        scrape_configs:
          - job_name: a
            static_configs:
              - targets: ['localhost:9090']
                labels: {env: prod}
            file_sd_configs:
              - files: [targets/*.json]
          - job_name: b
            sample_limit: 5
            scheme: https
            honor_timestamps: no
            params: {module: [x, y]}
        """
        let config = try Self.load(text)
        #expect(config.global.externalLabels == ["dc": "h1-$x", "empty": ""])
        let a = config.scrapeConfigs[0], b = config.scrapeConfigs[1]
        #expect(a.metricsPath == "/metrics" && a.scheme == "http" && a.honorTimestamps && a.enableCompression)
        #expect(a.limits.sampleLimit == 100 && b.limits.sampleLimit == 5)
        #expect(a.limits.bodySizeLimit.bytes == 1_048_576)
        #expect(a.scrapeProtocols == ["OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4"])
        #expect(a.serviceDiscovery.staticConfigs == [StaticConfig(targets: ["localhost:9090"], labels: ["env": "prod"])])
        #expect(a.serviceDiscovery.fileSDConfigs == [FileSDConfig(files: ["targets/*.json"], refreshInterval: .minutes(5))])
        #expect(b.scheme == "https" && !b.honorTimestamps && b.params == ["module": ["x", "y"]])
        #expect(a.metricNameEscapingScheme == "allow-utf-8")
    }

    /// A config snippet and Prometheus' error (a substring of ours).
    @Test(arguments: [
        ("scrape_configs:\n  - job_name: a\n  - job_name: a\n", #"found multiple scrape configs with job name "a""#),
        ("scrape_configs:\n  - job_name: ''\n", "job_name is empty"),
        ("scrape_configs:\n  -\n", "empty or null scrape config section"),
        ("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['http://x']}]\n", #""http://x" is not a valid hostname"#),
        ("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['a/*/b.json']}]\n", #"path name "a/*/b.json" is not valid for file discovery"#),
        ("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['a.txt']}]\n", #"path name "a.txt" is not valid for file discovery"#),
        ("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{refresh_interval: 1m}]\n", "file service discovery config must contain at least one path name"),
        ("scrape_configs:\n  - job_name: a\n    body_size_limit: 10kB\n", "units: unknown unit kB in 10kB"),
        ("scrape_configs:\n  - job_name: a\n    sample_limit: -1\n", "cannot unmarshal !!int `-1` into uint"),
        ("scrape_configs:\n  - job_name: a\n    honor_labels: 'true'\n", "cannot unmarshal !!str `true` into bool"),
        ("scrape_configs:\n  - job_name: a\n    scrape_interval: 1.5m\n", #"unknown unit "." in duration "1.5m""#),
        ("scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: c}\n", "at most one of basic_auth, oauth2 & authorization must be configured"),
        ("scrape_configs:\n  - job_name: a\n    authorization: {type: basic}\n", #"authorization type cannot be set to "basic", use "basic_auth" instead"#),
        ("scrape_configs:\n  - job_name: a\n    tls_config: {cert_file: c}\n", "exactly one of key or key_file must be configured when a client certificate is configured"),
        ("scrape_configs:\n  - job_name: a\n    tls_config: {min_version: TLS9}\n", "unknown TLS version: TLS9"),
        ("scrape_configs:\n  - job_name: a\n    no_proxy: x\n", "if no_proxy is configured, proxy_url must also be configured"),
        ("scrape_configs:\n  - job_name: a\n    scrape_protocols: []\n", #"scrape_protocols cannot be empty for scrape config with job name "a""#),
        ("global:\n  scrape_protocols: [Foo]\n", "scrape_protocols: unknown scrape protocol Foo, supported: [OpenMetricsText0.0.1 OpenMetricsText1.0.0 PrometheusProto PrometheusText0.0.4 PrometheusText1.0.0] for global config"),
        ("global:\n  external_labels: {'': x}\n", #""" is not a valid label name"#),
        ("global:\n  metric_name_validation_scheme: legacy\n  external_labels: {a.b: x}\n", #""a.b" is not a valid label name"#),
        ("rule_files: ['a/*/b.rules']\n", #"invalid rule file path "a/*/b.rules""#),
        ("alerting:\n  alertmanagers:\n    - api_version: v1\n", "expected Alertmanager api version to be one of [v2] but got v1"),
        ("storage:\n  tsdb:\n    retention: {size: -1GB}\n", "'storage.tsdb.retention.size' must be greater than or equal to 0, got -1GiB"),
        ("storage:\n  tsdb:\n    retention: {percentage: 101}\n", "'storage.tsdb.retention.percentage' must be in the range [0, 100], got 101"),
        ("scrape_configs: {job_name: a}\n", "cannot unmarshal !!map into []*config.ScrapeConfig"),
    ])
    func rejects(_ text: String, _ message: String) {
        do {
            _ = try Self.load(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.message.contains(message), "got \(error.message)")
            #expect(error.line != nil)
        }
    }

    @Test func bearerTokenBecomesAuthorization() throws {
        let config = try Self.load("scrape_configs:\n  - job_name: a\n    bearer_token: abc\n")
        let client = config.scrapeConfigs[0].httpClient
        #expect(client.authorization == HTTPClientConfig.Authorization(type: "Bearer", credentials: "abc"))
        #expect(client.bearerToken.isEmpty)
    }

    @Test func unsupportedComesAfterRealErrors() {
        // The dns SD is unsupported, but the duplicate job name is reported first.
        let text = "scrape_configs:\n  - job_name: a\n    dns_sd_configs: [{names: [x]}]\n  - job_name: a\n"
        do {
            _ = try Self.load(text)
            Issue.record("accepted")
        } catch {
            #expect(error.message == #"found multiple scrape configs with job name "a""#)
        }
        do {
            _ = try Self.load("scrape_configs:\n  - job_name: svc\n    consul_sd_configs: [{server: x}]\nremote_write: [{url: http://x}]\n")
            Issue.record("accepted")
        } catch {
            #expect(error.kind == .unsupported)
            #expect(error.description == #"test.yml:3:5: unsupported: consul_sd_configs (job "svc")"#)
        }
    }
}
