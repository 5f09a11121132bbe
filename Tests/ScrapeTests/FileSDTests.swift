import Testing
import Config
import Foundation
import Model
import Scrape
import TestSupport

/// file_sd: decoding, globbing, change detection, broken files, and the manager following it.
@Suite(.serialized) struct FileSDTests {
    func write(_ path: String, _ text: String) throws {
        // Atomically, as tools generating these files do.
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    struct DecodeCase: Sendable, CustomStringConvertible {
        var name: String
        var file: String
        var text: String
        var want: Result<[TargetGroup], ScrapeError>
        var description: String { name }
    }

    static let decodeCases: [DecodeCase] = [
        .init(name: "json", file: "/d/t.json", text: #"[{"targets": ["a:1", "b:2"], "labels": {"env": "x"}}, {"targets": ["c:3"]}]"#,
              want: .success([TargetGroup(source: "/d/t.json:0", targets: [["__address__": "a:1"], ["__address__": "b:2"]],
                                          labels: ["env": "x", "__meta_filepath": "/d/t.json"]),
                              TargetGroup(source: "/d/t.json:1", targets: [["__address__": "c:3"]], labels: ["__meta_filepath": "/d/t.json"])])),
        .init(name: "yaml", file: "/d/t.yml", text: "- targets: ['a:1']\n  labels:\n    env: y\n",
              want: .success([TargetGroup(source: "/d/t.yml:0", targets: [["__address__": "a:1"]], labels: ["env": "y", "__meta_filepath": "/d/t.yml"])])),
        .init(name: "empty yaml", file: "/d/t.yaml", text: "", want: .success([])),
        .init(name: "json unknown field", file: "/d/t.json", text: #"[{"targets": ["a:1"], "lables": {}}]"#,
              want: .failure(.fileSD(path: "/d/t.json", reason: "json: unknown field \"lables\""))),
        .init(name: "json null group", file: "/d/t.json", text: "[null]",
              want: .failure(.fileSD(path: "/d/t.json", reason: "nil target group item found"))),
        .init(name: "json not a list", file: "/d/t.json", text: #"{"targets": []}"#,
              want: .failure(.fileSD(path: "/d/t.json", reason: "json: cannot unmarshal object into Go value of type []*targetgroup.Group"))),
        .init(name: "yaml target not a string", file: "/d/t.yml", text: "- targets: [[a]]\n",
              want: .failure(.fileSD(path: "/d/t.yml", reason: "line 1: cannot unmarshal !!seq into string"))),
    ]

    @Test(arguments: decodeCases)
    func decode(_ c: DecodeCase) {
        let got: Result<[TargetGroup], ScrapeError>
        do { got = .success(try TargetGroupFile.decode(Array(c.text.utf8), path: c.file)) } catch { got = .failure(error) }
        #expect(got == c.want)
    }

    @Test func globChangeDetectionAndBrokenFiles() throws {
        let dir = try TempDirectory()
        defer { dir.remove() }
        let metrics = ScrapeMetrics()
        let discovery = FileDiscovery(config: FileSDConfig(files: ["sd/*.json", "sd/*.yml"], refreshInterval: .minutes(5)),
                                      directory: dir.path, metrics: metrics)
        try FileManager.default.createDirectory(atPath: dir.path + "/sd", withIntermediateDirectories: true)
        #expect(discovery.refresh() == nil) // Nothing yet, nothing changed.
        try write(dir.path + "/sd/a.json", #"[{"targets": ["a:1"]}]"#)
        try write(dir.path + "/sd/b.yml", "- targets: ['b:1']\n")
        let first = try #require(discovery.refresh())
        #expect(first.flatMap(\.targets).compactMap { $0["__address__"] } == ["a:1", "b:1"])
        #expect(first.first?.labels["__meta_filepath"] == dir.path + "/sd/a.json")
        #expect(discovery.refresh() == nil)

        try write(dir.path + "/sd/a.json", #"[{"targets": ["a:1", "a:2"]}]"#)
        #expect(discovery.refresh()?.flatMap(\.targets).count == 3)

        // A broken file keeps its last good targets, and is counted.
        try write(dir.path + "/sd/a.json", #"[{"targets": ["a:1", "#)
        #expect(discovery.refresh() == nil)
        #expect(discovery.groups.flatMap(\.targets).count == 3)
        #expect(metrics.fileSDReadErrors.load(ordering: .relaxed) >= 1)

        // A removed file takes its targets along.
        try FileManager.default.removeItem(atPath: dir.path + "/sd/a.json")
        #expect(discovery.refresh()?.flatMap(\.targets).compactMap { $0["__address__"] } == ["b:1"])
    }

    @Test func managerFollowsFileSD() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "a 1\n")
        let dir = try TempDirectory()
        defer { dir.remove() }
        let one = "127.0.0.1:\(server.port)", two = "localhost:\(server.port)"
        let file = dir.path + "/targets.json"
        try write(file, #"[{"targets": ["\#(one)"], "labels": {"team": "x"}}]"#)

        var job = testConfig(job: "fs")
        job.serviceDiscovery.fileSDConfigs = [FileSDConfig(files: ["targets.json"], refreshInterval: .minutes(5))]
        job.relabelConfigs = [rule(.replace, source: ["__meta_filepath"], regex: ".*/(.*)", target: "sd_file", replacement: "$1")]
        var config = VigilConfig()
        config.scrapeConfigs = [job]
        config.file = dir.path + "/vigil.yml"
        var options = ScrapeManagerOptions()
        options.fileSDPollInterval = .milliseconds(50)
        let storage = RecordingStorage()
        let manager = ScrapeManager(appendable: storage, options: options)
        await manager.apply(config: config)
        let l1 = try #require(await manager.loop(job: "fs", address: one))
        #expect(await eventually { storage.samples(named: "a", ["team": "x", "sd_file": "targets.json"]).count >= 1 })

        // Add a target: the first loop keeps running.
        try write(file, #"[{"targets": ["\#(one)", "\#(two)"], "labels": {"team": "x"}}]"#)
        #expect(await eventually { await manager.loop(job: "fs", address: two) != nil })
        #expect(await manager.loop(job: "fs", address: one) === l1)
        // It has scraped (so it has series to mark stale when it goes).
        #expect(await eventually { storage.samples(named: "a", ["instance": two]).count >= 1 })

        // A broken file changes nothing.
        try write(file, "[{")
        try await Task.sleep(for: .milliseconds(200))
        #expect(await manager.loops(job: "fs").count == 2)
        #expect(manager.metrics.fileSDReadErrors.load(ordering: .relaxed) >= 1)

        // Remove a target: its loop stops and its series go stale; the other loop stays.
        try write(file, #"[{"targets": ["\#(one)"], "labels": {"team": "x"}}]"#)
        #expect(await eventually { await manager.loop(job: "fs", address: two) == nil })
        #expect(await manager.loop(job: "fs", address: one) === l1)
        await manager.waitForRetiredLoops()
        #expect(storage.samples(named: "a", ["instance": two]).last.map { isStaleNaN($0.v) } == true)
        await manager.stop(markStale: false)
    }
}
