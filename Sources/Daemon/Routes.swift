import API
import Foundation
import Glibc
import HTTP
import Model
import PromQL
import Scrape
import Telemetry

/// The daemon's route table. Cheap answers run inline on the event loops; anything that reads
/// files or may block runs on a pool.
enum Routes {
    static func make(_ d: Daemon) -> Router {
        var r = Router()
        let lifecycle = d.flags.bool("web.enable-lifecycle")

        r.add(.get, "/-/healthy") { _ in .text("Vigil is Healthy.\n") }
        r.add(.get, "/-/ready") { _ in
            d.isReady ? .text("Vigil is Ready.\n") : .text("Service Unavailable\n", status: 503)
        }
        r.add([.post, .put], "/-/reload", executor: .pool(d.adminPool)) { _ in
            guard lifecycle else { return .text("Lifecycle API is not enabled.\n", status: 403) }
            if let err = d.reloadConfig(trigger: "HTTP") {
                return .text("failed to reload config: \(err)\n", status: 500)
            }
            return HTTPResponse(status: 200)
        }
        r.add([.post, .put], "/-/quit") { _ in
            guard lifecycle else { return .text("Lifecycle API is not enabled.\n", status: 403) }
            d.requestStop(reason: "/-/quit")
            return .text("Requesting termination... Goodbye!")
        }
        r.add(.get, "/metrics", executor: .pool(d.telemetryPool)) { _ in
            HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: d.registry.render())
        }

        // Prometheus sets the CORS headers on every API v1 answer (the query API adds its own).
        let policy = (try? CORSPolicy(originRegex: d.flags.string("web.cors.origin"))) ?? .allowAll
        let cors = { (handler: @escaping HTTPHandler) -> HTTPHandler in
            { req in
                var response = handler(req)
                policy.apply(origin: req.header("Origin"), to: &response.headers)
                return response
            }
        }

        r.add(.post, "/api/v1/import/prometheus", executor: .pool(d.ingestPool)) { req in
            importHandler(d, req)
        }

        r.add([.get, .post], "/api/v1/targets", executor: .pool(d.telemetryPool), cors { req in
            guard let snap = targetsSnapshot(d) else { return notReady() }
            return TargetsAPI.targets(req, snap)
        })
        r.add(.get, "/api/v1/scrape_pools", executor: .pool(d.telemetryPool), cors { _ in
            guard let snap = targetsSnapshot(d) else { return notReady() }
            return TargetsAPI.scrapePools(snap)
        })
        r.add(.get, "/api/v1/metadata", executor: .pool(d.telemetryPool), cors { req in
            guard let manager = d.scraper else { return notReady() }
            return TargetsAPI.metadata(req) { metric, limit, perMetric in
                blockingAwait { await manager.metadata(metric: metric, limit: limit, limitPerMetric: perMetric) }
            }
        })

        r.add(.get, "/api/v1/status/tsdb", executor: .pool(d.apiPool), cors { req in
            guard let db = d.database else { return notReady() }
            var limit = 10
            if let l = req.formValue("limit"), !l.isEmpty {
                guard let n = Int(l), n > 0 else {
                    return StatusHandlers.error(APIError(.badData, "limit must be a positive number"))
                }
                guard n <= 10_000 else {
                    return StatusHandlers.error(APIError(.badData, "limit must not exceed 10000"))
                }
                limit = n
            }
            return StatusHandlers.tsdb(db.cardinality(limit: limit))
        })
        r.add(.get, "/api/v1/status/walreplay", executor: .pool(d.apiPool), cors { _ in
            StatusHandlers.walReplay(done: d.database != nil, segments: d.database.map { $0.stats.walCurrentSegment } ?? 0)
        })

        r.add(.get, "/api/v1/status/buildinfo", executor: .pool(d.apiPool), cors { _ in
            StatusHandlers.buildInfo(Version.buildInfo)
        })
        r.add(.get, "/api/v1/status/config", executor: .pool(d.apiPool), cors { _ in
            StatusHandlers.config(yaml: d.configState.snapshot.config.renderYAML())
        })
        r.add(.get, "/api/v1/status/flags", executor: .pool(d.apiPool), cors { _ in
            StatusHandlers.flags(d.flags.values)
        })
        r.add(.get, "/api/v1/status/runtimeinfo", executor: .pool(d.apiPool), cors { _ in
            let snap = d.configState.snapshot
            let proc = ProcessMetrics.read()
            let info = RuntimeInfo(
                startTimeSeconds: d.startSeconds,
                cwd: FileManager.default.currentDirectoryPath,
                hostname: ProcessInfo.processInfo.hostName,
                reloadConfigSuccess: snap.lastReloadSuccess,
                lastConfigTimeSeconds: snap.lastSuccessSeconds,
                corruptionCount: 0,
                threadCount: Int(proc.threads ?? 0),
                cpuCount: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))),
                storageRetention: retentionDescription(d))
            return StatusHandlers.runtimeInfo(info, nowSeconds: Date().timeIntervalSince1970)
        })
        queryAPI(d).register(on: &r, pool: d.apiPool)
        r.add([.get, .post], "/api/v1/targets/metadata", executor: .pool(d.telemetryPool), cors { req in
            targetMetadata(d, req)
        })
        return r
    }

    /// The PromQL engine and the Prometheus query API over the daemon's storage.
    static func queryAPI(_ d: Daemon) -> QueryAPI {
        var engine = EngineOptions()
        let lookback = (try? PromDuration(parsing: d.flags.string("query.lookback-delta")))?.milliseconds ?? 300_000
        engine.lookbackDeltaMs = lookback
        engine.timeout = (try? PromDuration(parsing: d.flags.string("query.timeout")))?.duration ?? .seconds(120)
        engine.maxSamples = Int(d.flags.string("query.max-samples")) ?? 50_000_000
        var options = QueryAPIOptions()
        options.lookbackDeltaMs = lookback
        options.externalLabels = Labels(d.configState.snapshot.config.global.externalLabels)
        if let cors = try? CORSPolicy(originRegex: d.flags.string("web.cors.origin")) { options.cors = cors }
        return QueryAPI(storage: d.queryStorage, engine: PromQLEngine(options: engine), options: options)
    }

    /// `GET /api/v1/targets/metadata?match_target=&metric=&limit=`.
    static func targetMetadata(_ d: Daemon, _ req: HTTPRequest) -> HTTPResponse {
        guard let manager = d.scraper else { return notReady() }
        var matchers: [Matcher] = []
        if let sel = req.formValue("match_target"), !sel.isEmpty {
            do { matchers = try PromQLParser.parseMetricSelector(sel) } catch {
                return StatusHandlers.error(APIError(.badData, "invalid parameter \"match_target\": \(error)"))
            }
        }
        let metric = req.formValue("metric") ?? ""
        var limit = -1
        if let l = req.formValue("limit"), !l.isEmpty {
            guard let n = Int(l) else { return StatusHandlers.error(APIError(.badData, "limit must be a number")) }
            limit = n
        }
        let (selectors, max) = (matchers, limit)
        let items = blockingAwait { await manager.targetMetadata(matchTarget: selectors, metric: metric, limit: max) }
        return StatusHandlers.json(APIEnvelope.success { w in
            w.arrayStart()
            for m in items {
                w.objectStart()
                w.key("target"); TargetsAPI.labels(m.target, &w)
                if metric.isEmpty { w.key("metric"); w.string(m.metric) }
                w.key("type"); w.string(m.type)
                w.key("help"); w.string(m.help)
                w.key("unit"); w.string(m.unit)
                w.objectEnd()
            }
            w.arrayEnd()
        })
    }

    /// The scrape manager's targets, read on a pool thread; nil before storage is open.
    static func targetsSnapshot(_ d: Daemon) -> TargetsSnapshot? {
        guard let m = d.scraper else { return nil }
        return blockingAwait {
            TargetsSnapshot(active: await m.activeTargets(), dropped: await m.droppedTargets(),
                            droppedCounts: await m.droppedTargetCounts(), pools: await m.scrapePools())
        }
    }

    static func notReady() -> HTTPResponse {
        StatusHandlers.error(APIError(.unavailable, "storage is not open yet"))
    }

    /// Push import: the body is stored as one all-or-nothing batch and made durable (WAL
    /// fsync) before the 204, so an acknowledged sample survives a crash.
    static func importHandler(_ d: Daemon, _ req: HTTPRequest) -> HTTPResponse {
        guard let db = d.database else { return notReady() }
        let importer = PushImporter(storage: db)
        do {
            let extra = try PushImporter.extraLabels(req.queryValues("extra_label"))
            try importer.importBody(req.body, contentType: req.header("Content-Type"), extraLabels: extra,
                                    defaultTimestamp: Int64(Date().timeIntervalSince1970 * 1000))
        } catch {
            return StatusHandlers.error(APIError(.badData, error.description))
        }
        do { try db.syncWAL() } catch {
            return StatusHandlers.error(APIError(.internal, "samples stored but the WAL could not be synced: \(error)"))
        }
        return HTTPResponse(status: 204)
    }

    /// Prometheus prints retention as `15d`, or `15d or 10GiB` when a size limit is set too.
    static func retentionDescription(_ d: Daemon) -> String {
        let r = StorageSettings.retention(flags: d.flags, config: d.configState.snapshot.config)
        return r.size.bytes == 0 ? r.time.description : "\(r.time) or \(r.size)"
    }
}
