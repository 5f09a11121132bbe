import Config
import Testing

@Suite struct UnknownKeyTests {
    /// Config text, the Go type Prometheus names, the unknown key, and its line and column.
    @Test(arguments: [
        ("foo: 1\n", "config.plain", "foo", 1, 1),
        ("global:\n  nonexistent_field: test\n", "config.plain", "nonexistent_field", 2, 3),
        ("scrape_configs:\n  - job_name: a\n    consult_sd_configs: []\n", "config.ScrapeConfig", "consult_sd_configs", 3, 5),
        ("scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - {action: keep, regexp: x}\n", "relabel.plain", "regexp", 4, 24),
        ("scrape_configs:\n  - job_name: a\n    basic_auth: {user: x}\n", "config.BasicAuth", "user", 3, 18),
        ("scrape_configs:\n  - job_name: a\n    tls_config: {insecure: true}\n", "config.plain", "insecure", 3, 18),
        ("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: [a.json], refresh: 1m}]\n", "file.plain", "refresh", 3, 41),
        ("alerting:\n  alertmanagers:\n    - sheme: https\n", "config.AlertmanagerConfig", "sheme", 3, 7),
        ("storage:\n  tsdb:\n    retention_time: 1d\n", "config.plain", "retention_time", 3, 5),
        ("vigil:\n  storage:\n    fsync: always\n", "vigil.storage", "fsync", 3, 5),
    ])
    func reportsUnknownField(_ text: String, _ type: String, _ key: String, _ line: Int, _ column: Int) {
        do {
            _ = try ConfigFile.parse(text, file: "u.yml", environment: [:])
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message == "field \(key) not found in type \(type)")
            #expect(error.line == line && error.column == column, "at \(error.line ?? 0):\(error.column ?? 0)")
            #expect(error.description == "u.yml:\(line):\(column): field \(key) not found in type \(type)")
        }
    }
}
