import Model

/// One active target as the targets API shows it (Prometheus' `/api/v1/targets`
/// `activeTargets` entry), as plain data; the API module renders it.
package struct ActiveTargetInfo: Sendable, Equatable {
    /// The labels before relabeling.
    package var discoveredLabels: Labels
    /// The labels attached to the target's samples (no `__` labels).
    package var labels: Labels
    /// The job name.
    package var scrapePool: String
    /// The URL scraped.
    package var scrapeURL: String
    /// The URL to show users: the scrape URL, with a loopback host replaced by the daemon's
    /// external host (Prometheus' `getGlobalURL`).
    package var globalURL: String
    /// The last scrape's error, "" when it succeeded.
    package var lastError: String
    /// The last scrape's timestamp in milliseconds since the epoch; nil before the first one.
    package var lastScrapeMs: Int64?
    /// The last scrape's duration in seconds.
    package var lastScrapeDurationSeconds: Double
    /// `up`, `down` or `unknown`.
    package var health: TargetHealth
    /// The `__scrape_interval__` label value (`15s`).
    package var scrapeInterval: String
    /// The `__scrape_timeout__` label value.
    package var scrapeTimeout: String

    /// A target entry (memberwise).
    package init(discoveredLabels: Labels, labels: Labels, scrapePool: String, scrapeURL: String, globalURL: String,
                 lastError: String, lastScrapeMs: Int64?, lastScrapeDurationSeconds: Double, health: TargetHealth,
                 scrapeInterval: String, scrapeTimeout: String) {
        self.discoveredLabels = discoveredLabels
        self.labels = labels
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.globalURL = globalURL
        self.lastError = lastError
        self.lastScrapeMs = lastScrapeMs
        self.lastScrapeDurationSeconds = lastScrapeDurationSeconds
        self.health = health
        self.scrapeInterval = scrapeInterval
        self.scrapeTimeout = scrapeTimeout
    }
}

/// One target relabeling dropped (Prometheus' `droppedTargets` entry).
package struct DroppedTargetInfo: Sendable, Equatable {
    /// The labels before relabeling.
    package var discoveredLabels: Labels
    /// The job name.
    package var scrapePool: String

    /// A dropped target entry.
    package init(discoveredLabels: Labels, scrapePool: String) {
        self.discoveredLabels = discoveredLabels
        self.scrapePool = scrapePool
    }
}

/// One metadata entry of one target (Prometheus' `/api/v1/targets/metadata` entry).
package struct TargetMetadataInfo: Sendable, Equatable {
    /// The target's labels.
    package var target: Labels
    /// The metric family name.
    package var metric: String
    /// The metric type (`counter`, `gauge`, ...).
    package var type: String
    /// The `# HELP` text.
    package var help: String
    /// The OpenMetrics `# UNIT`, "" when none.
    package var unit: String

    /// A metadata entry.
    package init(target: Labels, metric: String, type: String, help: String, unit: String) {
        self.target = target
        self.metric = metric
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// One distinct metadata value of a metric family (an element of Prometheus'
/// `/api/v1/metadata` lists).
package struct MetadataValue: Sendable, Hashable {
    /// The metric type (`counter`, `gauge`, ...).
    package var type: String
    /// The `# HELP` text.
    package var help: String
    /// The OpenMetrics `# UNIT`, "" when none.
    package var unit: String

    /// A metadata value.
    package init(type: String, help: String, unit: String) {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// Where the daemon is reachable from outside, for `globalUrl` (from `--web.external-url`
/// and `--web.listen-address`).
package struct ExternalURL: Sendable, Equatable {
    /// `http` or `https`.
    package var scheme: String
    /// `host` or `host:port` as users reach the daemon.
    package var host: String
    /// The port the daemon listens on, to recognise a target that is the daemon itself.
    package var listenPort: String

    /// Parses `scheme://host[:port]/...`; nil when it has no host.
    package init?(_ url: String, listenPort: String) {
        guard let schemeEnd = url.range(of: "://") else { return nil }
        scheme = String(url[..<schemeEnd.lowerBound])
        let rest = url[schemeEnd.upperBound...]
        host = String(rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if host.isEmpty { return nil }
        self.listenPort = listenPort
    }

    /// Prometheus' `getGlobalURL`: a target on a loopback host gets the external host (and,
    /// when it is the daemon's own port, the external scheme and port too).
    package func globalURL(for scrapeURL: String) -> String {
        guard let schemeEnd = scrapeURL.range(of: "://") else { return scrapeURL }
        let afterScheme = scrapeURL[schemeEnd.upperBound...]
        let hostPort = String(afterScheme.prefix { $0 != "/" && $0 != "?" })
        let rest = afterScheme.dropFirst(hostPort.count)
        let (host, port) = Self.splitHostPort(hostPort)
        guard ["localhost", "127.0.0.1", "::1"].contains(host) else { return scrapeURL }
        if port == listenPort {
            return scheme + "://" + self.host + rest
        }
        let (externalHost, _) = Self.splitHostPort(self.host)
        var newHost = externalHost.contains(":") ? "[" + externalHost + "]" : externalHost
        if !port.isEmpty { newHost += ":" + port }
        return String(scrapeURL[..<schemeEnd.upperBound]) + newHost + rest
    }

    static func splitHostPort(_ s: String) -> (String, String) {
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            let host = String(s[s.index(after: s.startIndex) ..< close])
            let after = s[s.index(after: close)...]
            return (host, after.hasPrefix(":") ? String(after.dropFirst()) : "")
        }
        guard let colon = s.lastIndex(of: ":") else { return (s, "") }
        return (String(s[..<colon]), String(s[s.index(after: colon)...]))
    }
}
