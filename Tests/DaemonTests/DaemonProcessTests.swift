import Foundation
import Glibc
import Testing
import TestSupport

/// End-to-end tests of the `vigil` executable: each test starts its own daemon on an ephemeral
/// port in a temp directory and stops it.
@Suite(.serialized) struct DaemonProcessTests {
    @Test func servesHealthReadyMetricsAndStatus() throws {
        let d = try DaemonProcess([])
        defer { d.stop() }
        #expect(try d.get("/-/healthy").text == "Vigil is Healthy.\n")
        let head = try d.request("HEAD", "/-/healthy")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(d.waitUntilReady())

        let metrics = try d.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                     "process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes",
                     "vigil_build_info", "vigil_config_last_reload_successful 1",
                     "vigil_config_last_reload_success_timestamp_seconds", "vigil_http_open_connections",
                     "vigil_http_requests_total{code=\"200\",handler=\"/-/healthy\"} 2",
                     "vigil_http_request_duration_seconds_bucket{handler=\"/-/healthy\",le=\"+Inf\"} 2"] {
            #expect(metrics.text.contains(name), "missing \(name)")
        }

        let build = try jsonObject(d.get("/api/v1/status/buildinfo"))
        #expect(build["status"] as? String == "success")
        let data = try #require(build["data"] as? [String: Any])
        #expect(Set(data.keys) == ["version", "revision", "branch", "buildUser", "buildDate", "goVersion"])

        let flags = try #require(try jsonObject(d.get("/api/v1/status/flags"))["data"] as? [String: String])
        #expect(flags["web.listen-address"] == "127.0.0.1:0")
        #expect(flags["log.level"] == "info")

        let runtime = try #require(try jsonObject(d.get("/api/v1/status/runtimeinfo"))["data"] as? [String: Any])
        #expect(runtime["reloadConfigSuccess"] as? Bool == true)
        #expect(runtime["storageRetention"] as? String == "15d")
        #expect(runtime["CWD"] as? String == d.directory.url.path)

        let config = try #require(try jsonObject(d.get("/api/v1/status/config"))["data"] as? [String: String])
        #expect(config["yaml"]?.contains("job_name: vigil") == true)

        let missing = try d.get("/api/v1/does_not_exist")
        #expect(missing.status == 404)
        // Prometheus answers unknown API paths with Go's plain-text 404, not a JSON envelope.
        #expect(missing.text == "404 page not found\n")
        #expect(missing.header("X-Content-Type-Options") == "nosniff")
        #expect(try d.get("/nope").status == 404)
    }

    @Test func sigtermShutsDownCleanlyAndReleasesTheLock() throws {
        let dir = try TempDirectory(prefix: "vigil-lock")
        defer { dir.remove() }
        let data = "--storage.path=\(dir.path)/data"
        let first = try DaemonProcess([data])
        defer { first.stop() }
        // A second daemon on the same directory must refuse to start.
        let second = try DaemonProcess.runToEnd([data, "--web.listen-address=127.0.0.1:0"])
        #expect(second.0 == 1)
        #expect(second.2.contains("cannot lock storage directory"))

        first.send(signal: SIGTERM)
        #expect(first.waitForExit() == 0)
        #expect(first.log.contains("Received shutdown request"))
        #expect(first.log.contains("See you next time!"))

        let third = try DaemonProcess([data])
        #expect(third.waitUntilReady())
        third.stop()
    }

    @Test func sighupReloadsAndKeepsTheOldConfigOnError() throws {
        let dir = try TempDirectory(prefix: "vigil-reload")
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("vigil.yml").path
        try config(job: "first").write(toFile: path, atomically: true, encoding: .utf8)
        let d = try DaemonProcess(["--config.file=\(path)"])
        defer { d.stop() }
        #expect(try configYAML(d).contains("job_name: first"))

        try config(job: "second").write(toFile: path, atomically: true, encoding: .utf8)
        d.send(signal: SIGHUP)
        #expect(d.waitForLog("Completed loading of configuration file"))
        #expect(try configYAML(d).contains("job_name: second"))

        try "scrape_configs:\n  - job_name: x\n    bogus_key: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        d.send(signal: SIGHUP)
        #expect(d.waitForLog("Error reloading config"))
        #expect(d.log.contains("vigil.yml:3:5"))
        #expect(try configYAML(d).contains("job_name: second"))
        #expect(try d.get("/metrics").text.contains("vigil_config_last_reload_successful 0"))
        #expect(try d.get("/-/healthy").status == 200)
    }

    @Test func httpReloadNeedsLifecycleFlag() throws {
        let dir = try TempDirectory(prefix: "vigil-lifecycle")
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("vigil.yml").path
        try config(job: "one").write(toFile: path, atomically: true, encoding: .utf8)

        let locked = try DaemonProcess(["--config.file=\(path)"])
        #expect(try locked.request("POST", "/-/reload").status == 403)
        #expect(try locked.request("POST", "/-/quit").status == 403)
        #expect(try locked.request("GET", "/-/reload").status == 405)
        locked.stop()

        let d = try DaemonProcess(["--config.file=\(path)", "--web.enable-lifecycle"])
        defer { d.stop() }
        try config(job: "two").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try d.request("POST", "/-/reload").status == 200)
        #expect(try configYAML(d).contains("job_name: two"))

        try "global:\n  scrape_interval: 10s\n  scrape_timeout: 20s\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = try d.request("POST", "/-/reload")
        #expect(bad.status == 500)
        #expect(bad.text.contains("failed to reload config"))
        #expect(try configYAML(d).contains("job_name: two"))

        #expect(try d.request("POST", "/-/quit").text.contains("Goodbye"))
        #expect(d.waitForExit() == 0)
    }

    @Test func retentionComesFromConfigUnlessAFlagIsGiven() throws {
        let dir = try TempDirectory(prefix: "vigil-retention")
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("vigil.yml").path
        try "vigil:\n  storage:\n    path: fromconfig\n  retention:\n    time: 30d\n    size: 1GB\n".write(toFile: path, atomically: true, encoding: .utf8)
        let fromConfig = try DaemonProcess(["--config.file=\(path)", "--storage.path=\(dir.path)/a"])
        let r1 = try #require(try jsonObject(fromConfig.get("/api/v1/status/runtimeinfo"))["data"] as? [String: Any])
        #expect(r1["storageRetention"] as? String == "30d or 1GiB")
        fromConfig.stop()

        let fromFlag = try DaemonProcess(["--config.file=\(path)", "--storage.path=\(dir.path)/b", "--storage.retention.time=2d"])
        let r2 = try #require(try jsonObject(fromFlag.get("/api/v1/status/runtimeinfo"))["data"] as? [String: Any])
        #expect(r2["storageRetention"] as? String == "2d or 1GiB")
        fromFlag.stop()
        #expect(FileManager.default.fileExists(atPath: "\(dir.path)/b/lock"))
    }

    @Test func pushImportAnswers204OrA400AndStoresAllOrNothing() throws {
        let d = try DaemonProcess([])
        defer { d.stop() }
        #expect(d.waitUntilReady())
        let ok = try d.request("POST", "/api/v1/import/prometheus?extra_label=job=push&extra_label=env=test",
                               body: "a_total{x=\"1\"} 1\nb 2\n")
        #expect(ok.status == 204)
        let bad = try d.request("POST", "/api/v1/import/prometheus", body: "c 1\nd{oops 2\n")
        #expect(bad.status == 400)
        let err = try jsonObject(bad)
        #expect(err["errorType"] as? String == "bad_data")
        #expect((err["error"] as? String)?.contains("line 2") == true)
        let badLabel = try d.request("POST", "/api/v1/import/prometheus?extra_label=nope", body: "e 1\n")
        #expect(badLabel.status == 400)
        // Only the first body's two series exist: nothing of the rejected bodies was stored.
        #expect(try d.get("/metrics").text.contains("vigil_tsdb_head_series 2\n"))
        #expect(try d.get("/api/v1/import/prometheus").status == 405)
    }

    @Test func scrapesConfiguredTargetsAndFollowsReloads() throws {
        let dir = try TempDirectory(prefix: "vigil-scrape")
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("vigil.yml").path
        // The daemon scrapes itself; its port is only known after start, so start first with a
        // target on a closed port, then point the job at the daemon and reload.
        func config(_ job: String, _ target: String) -> String {
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 500ms\nscrape_configs:\n  - job_name: \(job)\n    static_configs:\n      - targets: [\"\(target)\"]\n"
        }
        try config("down", "127.0.0.1:1").write(toFile: path, atomically: true, encoding: .utf8)
        let d = try DaemonProcess(["--config.file=\(path)", "--web.enable-lifecycle"])
        defer { d.stop() }
        #expect(d.waitUntilReady())
        func targets() throws -> [[String: Any]] {
            let data = try #require(try jsonObject(d.get("/api/v1/targets"))["data"] as? [String: Any])
            return try #require(data["activeTargets"] as? [[String: Any]])
        }
        let deadline = ContinuousClock.now + .seconds(10)
        var down: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            if let t = try targets().first, t["health"] as? String == "down" { down = t; break }
            usleep(100_000)
        }
        #expect(down["scrapePool"] as? String == "down")
        #expect((down["lastError"] as? String)?.isEmpty == false)

        try config("self", "127.0.0.1:\(d.port)").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try d.request("POST", "/-/reload").status == 200)
        var up: [String: Any] = [:]
        let deadline2 = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline2 {
            if let t = try targets().first, t["health"] as? String == "up" { up = t; break }
            usleep(100_000)
        }
        #expect(up["scrapePool"] as? String == "self")
        #expect((up["labels"] as? [String: String])?["instance"] == "127.0.0.1:\(d.port)")
        #expect(try targets().count == 1)
        let pools = try #require(try jsonObject(d.get("/api/v1/scrape_pools"))["data"] as? [String: [String]])
        #expect(pools["scrapePools"] == ["self"])
        let meta = try #require(try jsonObject(d.get("/api/v1/metadata?metric=vigil_build_info"))["data"] as? [String: Any])
        #expect(meta["vigil_build_info"] != nil)
        #expect(try d.get("/metrics").text.contains("vigil_target_scrapes_total{instance=\"127.0.0.1:\(d.port)\",scrape_job=\"self\"}"))
    }

    @Test func pushedSamplesAreQueryableThroughTheAPI() throws {
        let d = try DaemonProcess([])
        defer { d.stop() }
        #expect(d.waitUntilReady())
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let body = "temperature{room=\"a\"} 21.5 \(now - 60_000)\ntemperature{room=\"a\"} 22.5 \(now)\ntemperature{room=\"b\"} 19 \(now)\n"
        #expect(try d.request("POST", "/api/v1/import/prometheus", body: body).status == 204)
        let t = String(format: "%.3f", Double(now) / 1000)
        let q = try jsonObject(d.get("/api/v1/query?query=max(temperature)&time=\(t)"))
        let result = try #require((q["data"] as? [String: Any])?["result"] as? [[String: Any]])
        #expect((result.first?["value"] as? [Any])?.last as? String == "22.5")
        let series = try #require(try jsonObject(d.get("/api/v1/series?match%5B%5D=temperature"))["data"] as? [[String: String]])
        #expect(series.count == 2)
        let fed = try d.get("/federate?match%5B%5D=%7Broom%3D%22b%22%7D").text
        // Prometheus adds instance="" to federated series that have none, after their own labels.
        #expect(fed.contains("temperature{room=\"b\",instance=\"\"} 19 \(now)"))
        let tsdb = try #require(try jsonObject(d.get("/api/v1/status/tsdb"))["data"] as? [String: Any])
        #expect((tsdb["headStats"] as? [String: Any])?["numSeries"] as? Int == 2)
        let byName = try #require(tsdb["seriesCountByMetricName"] as? [[String: Any]])
        #expect(byName.first?["name"] as? String == "temperature" && byName.first?["value"] as? Int == 2)
        let replay = try #require(try jsonObject(d.get("/api/v1/status/walreplay"))["data"] as? [String: Any])
        #expect(Set(replay.keys) == ["min", "max", "current"])
        #expect(replay["current"] as? Int == replay["max"] as? Int)
        let bad = try d.get("/api/v1/query?query=sum(")
        #expect(bad.status == 400)
        #expect(try jsonObject(bad)["errorType"] as? String == "bad_data")
    }

    @Test func badConfigAtStartExitsWithPosition() throws {
        let dir = try TempDirectory(prefix: "vigil-badstart")
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("bad.yml").path
        try "global:\n  scrape_interval: 1parsec\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (code, _, err) = try DaemonProcess.runToEnd(["--config.file=\(path)", "--web.listen-address=127.0.0.1:0",
                                                         "--storage.path=\(dir.path)/data"])
        #expect(code == 1)
        #expect(err.contains("bad.yml:2:20"))
        let (code2, _, err2) = try DaemonProcess.runToEnd(["--config.file=\(dir.path)/missing.yml"])
        #expect(code2 == 1)
        #expect(err2.contains("missing.yml"))
    }

    @Test func jsonLogs() throws {
        let d = try DaemonProcess(["--log.format=json", "--log.level=debug"])
        defer { d.stop() }
        let first = try #require(d.log.split(separator: "\n").first)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: String])
        #expect(obj["level"] == "info")
        #expect(obj["msg"] == "Starting Vigil")
        #expect(obj["time"]?.hasSuffix("Z") == true)
    }

    @Test func versionAndHelpAndUnknownFlags() throws {
        let (vc, vout, _) = try DaemonProcess.runToEnd(["--version"])
        #expect(vc == 0 && vout.hasPrefix("vigil, version "))
        let (hc, hout, _) = try DaemonProcess.runToEnd(["--help"])
        #expect(hc == 0 && hout.contains("--storage.retention.time=DURATION") && hout.contains("check config"))
        let (uc, _, uerr) = try DaemonProcess.runToEnd(["--frobnicate"])
        #expect(uc == 1 && uerr.contains("unknown long flag '--frobnicate'"))
        let (cc, _, cerr) = try DaemonProcess.runToEnd(["launch"])
        #expect(cc == 1 && cerr.contains("unknown command 'launch'"))
    }

    private func config(job: String) -> String {
        "global:\n  scrape_interval: 15s\nscrape_configs:\n  - job_name: \(job)\n    static_configs:\n      - targets: [\"localhost:9100\"]\n"
    }

    private func configYAML(_ d: DaemonProcess) throws -> String {
        let obj = try jsonObject(d.get("/api/v1/status/config"))
        return ((obj["data"] as? [String: Any])?["yaml"] as? String) ?? ""
    }
}

func jsonObject(_ r: RawHTTPResponse) throws -> [String: Any] {
    guard let obj = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
        throw DaemonProcessError(description: "not a JSON object: \(r.text)")
    }
    return obj
}
