import HTTP
import Model
import Scrape
import Telemetry

/// The scrape side of Prometheus' API: `/api/v1/targets`, `/api/v1/scrape_pools`,
/// `/api/v1/metadata` (and `/api/v1/targets/metadata` once selectors are wired), in Prometheus
/// 3's shapes. The handlers read a `TargetsSnapshot` the caller takes from the scrape manager.
package struct TargetsSnapshot: Sendable {
    package var active: [ActiveTargetInfo]
    package var dropped: [DroppedTargetInfo]
    package var droppedCounts: [String: Int]
    package var pools: [String]

    package init(active: [ActiveTargetInfo], dropped: [DroppedTargetInfo], droppedCounts: [String: Int], pools: [String]) {
        self.active = active
        self.dropped = dropped
        self.droppedCounts = droppedCounts
        self.pools = pools
    }
}

package enum TargetsAPI {
    /// `GET /api/v1/targets?state=active|dropped|any&scrapePool=NAME`.
    package static func targets(_ req: HTTPRequest, _ snap: TargetsSnapshot) -> HTTPResponse {
        let state = (req.formValue("state") ?? "").lowercased()
        let pool = req.formValue("scrapePool") ?? ""
        let showActive = state.isEmpty || state == "any" || state == "active"
        let showDropped = state.isEmpty || state == "any" || state == "dropped"
        return StatusHandlers.json(APIEnvelope.success { w in
            w.objectStart()
            w.key("activeTargets"); w.arrayStart()
            if showActive {
                for t in snap.active where pool.isEmpty || t.scrapePool == pool {
                    w.objectStart()
                    w.key("discoveredLabels"); labels(t.discoveredLabels, &w)
                    w.key("labels"); labels(t.labels, &w)
                    w.key("scrapePool"); w.string(t.scrapePool)
                    w.key("scrapeUrl"); w.string(t.scrapeURL)
                    w.key("globalUrl"); w.string(t.globalURL)
                    w.key("lastError"); w.string(t.lastError)
                    w.key("lastScrape"); w.string(t.lastScrapeMs.map { goTime(ms: $0) } ?? "0001-01-01T00:00:00Z")
                    w.key("lastScrapeDuration"); w.number(t.lastScrapeDurationSeconds)
                    w.key("health"); w.string(t.health.rawValue)
                    w.key("scrapeInterval"); w.string(t.scrapeInterval)
                    w.key("scrapeTimeout"); w.string(t.scrapeTimeout)
                    w.objectEnd()
                }
            }
            w.arrayEnd()
            w.key("droppedTargets"); w.arrayStart()
            if showDropped {
                for t in snap.dropped where pool.isEmpty || t.scrapePool == pool {
                    w.objectStart()
                    w.key("discoveredLabels"); labels(t.discoveredLabels, &w)
                    w.key("scrapePool"); w.string(t.scrapePool)
                    w.objectEnd()
                }
            }
            w.arrayEnd()
            // Prometheus leaves the counts out (null) when dropped targets are not asked for.
            w.key("droppedTargetCounts")
            if showDropped {
                w.objectStart()
                for k in snap.droppedCounts.keys.sorted() where pool.isEmpty || k == pool {
                    w.key(k); w.int(snap.droppedCounts[k] ?? 0)
                }
                w.objectEnd()
            } else {
                w.null()
            }
            w.objectEnd()
        })
    }

    /// `GET /api/v1/scrape_pools`.
    package static func scrapePools(_ snap: TargetsSnapshot) -> HTTPResponse {
        StatusHandlers.json(APIEnvelope.success { w in
            w.objectStart()
            w.key("scrapePools"); w.arrayStart(); for p in snap.pools { w.string(p) }; w.arrayEnd()
            w.objectEnd()
        })
    }

    /// `GET /api/v1/metadata?metric=&limit=&limit_per_metric=`: `{metric: [{type, help, unit}]}`.
    package static func metadata(_ req: HTTPRequest, fetch: (String, Int, Int) -> [String: [MetadataValue]]) -> HTTPResponse {
        func intParam(_ name: String) -> Result<Int, APIError> {
            guard let s = req.formValue(name), !s.isEmpty else { return .success(-1) }
            guard let n = Int(s) else { return .failure(APIError(.badData, "\(name) must be a number")) }
            return .success(n)
        }
        let limit: Int, perMetric: Int
        switch (intParam("limit"), intParam("limit_per_metric")) {
        case (.success(let a), .success(let b)): limit = a; perMetric = b
        case (.failure(let e), _), (_, .failure(let e)): return StatusHandlers.error(e)
        }
        let data = fetch(req.formValue("metric") ?? "", limit, perMetric)
        return StatusHandlers.json(APIEnvelope.success { w in
            w.objectStart()
            for name in data.keys.sorted() {
                w.key(name); w.arrayStart()
                for m in data[name] ?? [] {
                    w.objectStart()
                    w.key("type"); w.string(m.type)
                    w.key("help"); w.string(m.help)
                    w.key("unit"); w.string(m.unit)
                    w.objectEnd()
                }
                w.arrayEnd()
            }
            w.objectEnd()
        })
    }

    /// A label set as a JSON object, keys in label order (sorted, as Go marshals them).
    package static func labels(_ l: Labels, _ w: inout JSONWriter) {
        w.objectStart()
        for label in l { w.key(label.name); w.string(label.value) }
        w.objectEnd()
    }

    /// Go's RFC 3339 time with the fraction trimmed (`time.Time` JSON), in UTC.
    static func goTime(ms: Int64) -> String {
        let secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let frac = Int(ms - secs * 1000)
        let base = RFC3339.format(seconds: Int(secs), millis: 0)
        let noFrac = String(base.dropLast(5)) // drop ".000Z"
        if frac == 0 { return noFrac + "Z" }
        var f = String(frac)
        while f.count < 3 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        return noFrac + "." + f + "Z"
    }
}
