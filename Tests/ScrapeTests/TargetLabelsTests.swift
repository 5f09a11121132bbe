import Testing
import Config
import Model
import Scrape

/// Cases derived from Prometheus' `TestPopulateLabels` (scrape/manager_test.go) and
/// `PopulateLabels` (scrape/target.go).
@Suite struct TargetLabelsTests {
    static func config(scheme: String = "https", interval: Int64 = 1, timeout: Int64 = 1,
                       params: [String: [String]] = [:], relabel: [RelabelConfig] = []) -> ScrapeConfig {
        var c = ScrapeConfig()
        c.jobName = "job"
        c.scheme = scheme
        c.metricsPath = "/metrics"
        c.scrapeInterval = .seconds(interval)
        c.scrapeTimeout = .seconds(timeout)
        c.params = params
        c.relabelConfigs = relabel
        return c
    }

    /// The labels every case gets from the config above unless overridden.
    static func seeded(_ extra: [String: String]) -> Labels {
        var base: [String: String] = [
            "__scheme__": "https", "__metrics_path__": "/metrics", "job": "job",
            "__scrape_interval__": "1s", "__scrape_timeout__": "1s",
            "__convert_classic_histograms_to_nhcb__": "false",
            "__always_scrape_classic_histograms__": "false",
            "__scrape_native_histograms__": "false",
        ]
        for (k, v) in extra { base[k] = v }
        return Labels(base)
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var target: [String: String]
        var config: ScrapeConfig
        var want: Result<Labels, ScrapeError>
        var wantDiscovered: Labels?
        var description: String { name }
    }

    static let cases: [Case] = [
        .init(name: "regular population", target: ["__address__": "1.2.3.4:1000", "custom": "value"], config: config(),
              want: .success(seeded(["__address__": "1.2.3.4:1000", "instance": "1.2.3.4:1000", "custom": "value"])),
              wantDiscovered: seeded(["__address__": "1.2.3.4:1000", "custom": "value"])),
        .init(name: "target labels win over config; no default port",
              target: ["__address__": "1.2.3.4", "__scheme__": "http", "__metrics_path__": "/custom", "job": "custom-job",
                       "__scrape_interval__": "2s", "__scrape_timeout__": "2s"], config: config(),
              want: .success(seeded(["__address__": "1.2.3.4", "instance": "1.2.3.4", "__scheme__": "http",
                                     "__metrics_path__": "/custom", "job": "custom-job", "__scrape_interval__": "2s",
                                     "__scrape_timeout__": "2s"]))),
        .init(name: "instance given; IPv6 without port", target: ["__address__": "[::1]", "instance": "custom-instance"], config: config(),
              want: .success(seeded(["__address__": "[::1]", "instance": "custom-instance"]))),
        .init(name: "address missing", target: ["custom": "value"], config: config(), want: .failure(.noAddress)),
        .init(name: "address added by relabeling", target: ["custom": "host:1234"],
              config: config(relabel: [rule(.replace, source: ["custom"], regex: "(.*)", target: "__address__", replacement: "${1}")]),
              want: .success(seeded(["__address__": "host:1234", "instance": "host:1234", "custom": "host:1234"])),
              wantDiscovered: seeded(["custom": "host:1234"])),
        .init(name: "invalid interval", target: ["__address__": "1.2.3.4:1000", "__scrape_interval__": "2notseconds"], config: config(),
              want: .failure(.invalidScrapeInterval(.unknownDurationUnit(unit: "notseconds", in: "2notseconds")))),
        .init(name: "invalid timeout", target: ["__address__": "1.2.3.4:1000", "__scrape_timeout__": "2notseconds"], config: config(),
              want: .failure(.invalidScrapeTimeout(.unknownDurationUnit(unit: "notseconds", in: "2notseconds")))),
        .init(name: "zero interval", target: ["__address__": "1.2.3.4:1000", "__scrape_interval__": "0s"], config: config(),
              want: .failure(.zeroScrapeInterval)),
        .init(name: "zero timeout", target: ["__address__": "1.2.3.4:1000", "__scrape_timeout__": "0s"], config: config(),
              want: .failure(.zeroScrapeTimeout)),
        .init(name: "timeout above interval", target: ["__address__": "1.2.3.4:1000", "__scrape_interval__": "1s", "__scrape_timeout__": "2s"],
              config: config(), want: .failure(.timeoutExceedsInterval(timeout: "2s", interval: "1s"))),
        .init(name: "default http port stays", target: ["__address__": "1.2.3.4:80"], config: config(scheme: "http"),
              want: .success(seeded(["__address__": "1.2.3.4:80", "instance": "1.2.3.4:80", "__scheme__": "http"]))),
        .init(name: "default https port stays", target: ["__address__": "1.2.3.4:443"], config: config(),
              want: .success(seeded(["__address__": "1.2.3.4:443", "instance": "1.2.3.4:443"]))),
        .init(name: "histogram flag overridden by relabeling", target: ["__address__": "1.2.3.4:1000"],
              config: config(relabel: [rule(.replace, source: ["__convert_classic_histograms_to_nhcb__"], regex: "false",
                                            target: "__convert_classic_histograms_to_nhcb__", replacement: "true")]),
              want: .success(seeded(["__address__": "1.2.3.4:1000", "instance": "1.2.3.4:1000",
                                     "__convert_classic_histograms_to_nhcb__": "true"]))),
        .init(name: "histogram flag must be a bool", target: ["__address__": "1.2.3.4:1000", "__scrape_native_histograms__": "yes"],
              config: config(), want: .failure(.invalidBool(what: "scrape native histograms", value: "yes"))),
        .init(name: "URL as address", target: ["__address__": "http://host/metrics"], config: config(),
              want: .failure(.invalidAddress("http://host/metrics"))),
        .init(name: "meta labels go, other __ labels stay, params seeded",
              target: ["__address__": "h:1", "__meta_x": "m", "__tmp": "t"],
              config: config(params: ["module": ["a", "b"], "none": []],
                             relabel: [rule(.labelmap, regex: "__meta_(.*)", replacement: "meta_$1")]),
              want: .success(seeded(["__address__": "h:1", "instance": "h:1", "__tmp": "t", "meta_x": "m", "__param_module": "a"])),
              wantDiscovered: seeded(["__address__": "h:1", "__meta_x": "m", "__tmp": "t", "__param_module": "a"])),
    ]

    @Test(arguments: cases)
    func populate(_ c: Case) throws {
        let relabeler = try Relabeler(c.config.relabelConfigs)
        let got: Result<Labels, ScrapeError>
        do {
            switch try TargetLabels.populate(config: c.config, relabeler: relabeler, target: c.target, group: [:]) {
            case .target(let t):
                got = .success(t.labels)
                if let d = c.wantDiscovered { #expect(t.discoveredLabels == d) }
            case .dropped:
                Issue.record("dropped")
                return
            }
        } catch {
            got = .failure(error)
        }
        #expect(got == c.want)
    }

    @Test func groupLabelsFillInButTargetLabelsWin() throws {
        let c = Self.config()
        let outcome = try TargetLabels.populate(config: c, relabeler: try Relabeler([]),
                                                target: ["__address__": "a:1", "env": "target"],
                                                group: ["env": "group", "team": "x", "job": "from-group"])
        guard case .target(let t) = outcome else { Issue.record("dropped"); return }
        #expect(t.labels.get("env") == "target")
        #expect(t.labels.get("team") == "x")
        #expect(t.labels.get("job") == "from-group")
        #expect(t.publicLabels == ["env": "target", "team": "x", "job": "from-group", "instance": "a:1"])
    }

    @Test func droppedTargetsKeepTheirDiscoveredLabels() throws {
        var c = Self.config(relabel: [rule(.drop, source: ["__address__"], regex: "b:.*")])
        c.limits.keepDroppedTargets = 1
        let groups = [TargetGroup(source: "0", targets: [["__address__": "a:1"], ["__address__": "b:1"], ["__address__": "b:2"], ["x": "y"]])]
        let set = TargetSet(config: c, relabeler: try Relabeler(c.relabelConfigs), groups: groups)
        #expect(set.active.map { $0.labels.get("__address__") } == ["a:1"])
        #expect(set.droppedCount == 2)
        #expect(set.dropped == [DroppedTarget(discoveredLabels: Self.seeded(["__address__": "b:1"]))])
        #expect(set.failures == ["instance 3 in group 0: no address"])
    }

    @Test func staticConfigsBecomeGroups() {
        let groups = TargetGroup.groups(from: [StaticConfig(targets: ["a:1", "b:2"], labels: ["env": "prod"]), StaticConfig(targets: ["c:3"])])
        #expect(groups == [
            TargetGroup(source: "0", targets: [["__address__": "a:1"], ["__address__": "b:2"]], labels: ["env": "prod"]),
            TargetGroup(source: "1", targets: [["__address__": "c:3"]]),
        ])
    }

    @Test func urlAndIntervals() throws {
        let c = Self.config(scheme: "http", interval: 15, timeout: 10, params: ["module": ["http 2xx", "x"], "a": ["1"]])
        let outcome = try TargetLabels.populate(config: c, relabeler: try Relabeler([]),
                                                target: ["__address__": "h:9115", "__param_target": "example.com/x?y"], group: [:])
        guard case .target(let t) = outcome else { Issue.record("dropped"); return }
        #expect(t.url == "http://h:9115/metrics?a=1&module=http+2xx&module=x&target=example.com%2Fx%3Fy")
        #expect(t.interval == .seconds(15) && t.timeout == .seconds(10))
        #expect(t.labels.get("__scrape_interval__") == "15s")
    }

    @Test func errorMessagesMatchPrometheus() {
        #expect(ScrapeError.invalidScrapeInterval(.unknownDurationUnit(unit: "notseconds", in: "2notseconds")).description
                == "error parsing scrape interval: unknown unit \"notseconds\" in duration \"2notseconds\"")
        #expect(ScrapeError.timeoutExceedsInterval(timeout: "2s", interval: "1s").description
                == "scrape timeout cannot be greater than scrape interval (\"2s\" > \"1s\")")
        #expect(ScrapeError.noAddress.description == "no address")
    }
}
