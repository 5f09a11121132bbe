import TSDB
import HTTP
import Telemetry

/// What `/api/v1/status/buildinfo` reports. Field names are Prometheus'; `goVersion` carries
/// the Swift version because clients read that key.
package struct BuildInfo: Sendable {
    package var version: String
    package var revision: String
    package var branch: String
    package var buildUser: String
    package var buildDate: String
    package var swiftVersion: String

    package init(version: String, revision: String, branch: String, buildUser: String, buildDate: String, swiftVersion: String) {
        self.version = version
        self.revision = revision
        self.branch = branch
        self.buildUser = buildUser
        self.buildDate = buildDate
        self.swiftVersion = swiftVersion
    }
}

/// What `/api/v1/status/runtimeinfo` reports, read fresh for each request.
package struct RuntimeInfo: Sendable {
    package var startTimeSeconds: Double
    package var cwd: String
    package var hostname: String
    package var reloadConfigSuccess: Bool
    package var lastConfigTimeSeconds: Double
    package var corruptionCount: Int
    package var threadCount: Int
    package var cpuCount: Int
    package var storageRetention: String

    package init(startTimeSeconds: Double, cwd: String, hostname: String, reloadConfigSuccess: Bool,
                 lastConfigTimeSeconds: Double, corruptionCount: Int, threadCount: Int, cpuCount: Int,
                 storageRetention: String) {
        self.startTimeSeconds = startTimeSeconds
        self.cwd = cwd
        self.hostname = hostname
        self.reloadConfigSuccess = reloadConfigSuccess
        self.lastConfigTimeSeconds = lastConfigTimeSeconds
        self.corruptionCount = corruptionCount
        self.threadCount = threadCount
        self.cpuCount = cpuCount
        self.storageRetention = storageRetention
    }
}

/// Handlers for the `/api/v1/status/*` endpoints, in Prometheus' JSON shapes and field order.
package enum StatusHandlers {
    package static func buildInfo(_ b: BuildInfo) -> HTTPResponse {
        json(APIEnvelope.success { w in
            w.objectStart()
            w.key("version"); w.string(b.version)
            w.key("revision"); w.string(b.revision)
            w.key("branch"); w.string(b.branch)
            w.key("buildUser"); w.string(b.buildUser)
            w.key("buildDate"); w.string(b.buildDate)
            w.key("goVersion"); w.string(b.swiftVersion)
            w.objectEnd()
        })
    }

    package static func runtimeInfo(_ r: RuntimeInfo, nowSeconds: Double) -> HTTPResponse {
        json(APIEnvelope.success { w in
            w.objectStart()
            w.key("startTime"); w.string(RFC3339.format(unixSeconds: r.startTimeSeconds))
            w.key("CWD"); w.string(r.cwd)
            w.key("hostname"); w.string(r.hostname)
            w.key("serverTime"); w.string(RFC3339.format(unixSeconds: nowSeconds))
            w.key("reloadConfigSuccess"); w.bool(r.reloadConfigSuccess)
            w.key("lastConfigTime"); w.string(RFC3339.format(unixSeconds: r.lastConfigTimeSeconds))
            w.key("corruptionCount"); w.int(r.corruptionCount)
            w.key("goroutineCount"); w.int(r.threadCount)
            w.key("GOMAXPROCS"); w.int(r.cpuCount)
            w.key("GOMEMLIMIT"); w.int(Int.max)
            w.key("GOGC"); w.string("")
            w.key("GODEBUG"); w.string("")
            w.key("storageRetention"); w.string(r.storageRetention)
            w.objectEnd()
        })
    }

    /// Every flag and its value, keys sorted as Go marshals a map.
    package static func flags(_ values: [String: String]) -> HTTPResponse {
        json(APIEnvelope.success { w in
            w.objectStart()
            for k in values.keys.sorted() {
                w.key(k); w.string(values[k] ?? "")
            }
            w.objectEnd()
        })
    }

    /// `{"yaml": "<config>"}`.
    package static func config(yaml: String) -> HTTPResponse {
        json(APIEnvelope.success { w in
            w.objectStart()
            w.key("yaml"); w.string(yaml)
            w.objectEnd()
        })
    }

    /// An error envelope with the status code Prometheus uses for its class.
    package static func error(_ e: APIError) -> HTTPResponse {
        json(APIEnvelope.error(e), status: e.type.httpStatus)
    }

    package static func json(_ body: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json", body: body)
    }
}

extension StatusHandlers {
    /// `/api/v1/status/tsdb`: head statistics and the top-N cardinality lists, Prometheus' shape.
    package static func tsdb(_ r: CardinalityReport) -> HTTPResponse {
        json(APIEnvelope.success { w in
            w.objectStart()
            w.key("headStats"); w.objectStart()
            w.key("numSeries"); w.int(r.numSeries)
            w.key("numLabelPairs"); w.int(r.numLabelPairs)
            w.key("chunkCount"); w.int(r.chunkCount)
            w.key("minTime"); w.int(Int(r.minTime))
            w.key("maxTime"); w.int(Int(r.maxTime))
            w.objectEnd()
            for (key, list) in [("seriesCountByMetricName", r.seriesCountByMetricName),
                                ("labelValueCountByLabelName", r.labelValueCountByLabelName),
                                ("memoryInBytesByLabelName", r.memoryInBytesByLabelName),
                                ("seriesCountByLabelValuePair", r.seriesCountByLabelValuePair)] {
                w.key(key); w.arrayStart()
                for e in list {
                    w.objectStart(); w.key("name"); w.string(e.name); w.key("value"); w.int(e.value); w.objectEnd()
                }
                w.arrayEnd()
            }
            w.objectEnd()
        })
    }

    /// `/api/v1/status/walreplay`: `{"min","max","current"}` segment numbers, as Prometheus
    /// reports them. Replay is one blocking step at open, so before it finishes all three are 0
    /// and afterwards `current` equals `max`.
    package static func walReplay(done: Bool, segments: Int) -> HTTPResponse {
        json(APIEnvelope.success { w in
            w.objectStart()
            w.key("min"); w.int(0)
            w.key("max"); w.int(done ? segments : 0)
            w.key("current"); w.int(done ? segments : 0)
            w.objectEnd()
        })
    }
}
