import Model
internal import YAML

/// The checks Prometheus runs once the whole file is decoded (`Config.UnmarshalYAML`'s
/// second half and `ScrapeConfig.Validate`), in the same order, plus Vigil's own
/// cross-section rules. Scrape jobs get their inherited values here.
extension VigilConfig {
    static func validate(_ config: inout VigilConfig, scrapes: [ScrapeConfig?], raw: VigilConfig.Raw,
                         _ d: inout Decoder) throws(ConfigError) {
        for path in config.ruleFiles where !ServiceDiscovery.isValidGlobPath(path) {
            throw d.error("invalid rule file path \(goQuoted(path))", at: raw.ruleFilesNode)
        }
        for path in raw.scrapeConfigFiles where !ServiceDiscovery.isValidGlobPath(path) {
            throw d.error("invalid scrape config file path \(goQuoted(path))", at: raw.scrapeConfigFilesNode)
        }

        var jobNames: Set<String> = []
        var nullIndex = 0
        for scrape in scrapes {
            guard var scrape else {
                let node = nullIndex < raw.nullScrapeNodes.count ? raw.nullScrapeNodes[nullIndex] : nil
                nullIndex += 1
                throw d.error("empty or null scrape config section", at: node)
            }
            try validate(&scrape, global: config.global, d)
            if !jobNames.insert(scrape.jobName).inserted {
                throw d.error("found multiple scrape configs with job name \(goQuoted(scrape.jobName))", at: scrape.position.mark)
            }
            config.scrapeConfigs.append(scrape)
        }

        let scheme = config.global.metricNameValidationScheme
        for rule in config.alerting.alertRelabelConfigs {
            if let problem = rule.validationError(scheme: scheme) { throw d.error(problem, at: rule.position.mark) }
        }
        for manager in config.alerting.alertmanagers {
            for rule in manager.alertRelabelConfigs + manager.relabelConfigs {
                if let problem = rule.validationError(scheme: scheme) { throw d.error(problem, at: rule.position.mark) }
            }
        }

        let retention = config.storage.tsdb.retention
        if (raw.vigilRetention.time && retention.time != .zero)
            || (raw.vigilRetention.size && retention.size.bytes != 0) {
            throw d.error("retention is set in both storage.tsdb.retention and vigil.retention; set it in one place",
                          at: raw.vigilNode ?? raw.storageNode)
        }
    }

    /// Prometheus' `ScrapeConfig.Validate`: inherit from `global`, then check.
    static func validate(_ c: inout ScrapeConfig, global: GlobalConfig, _ d: Decoder) throws(ConfigError) {
        let job = goQuoted(c.jobName)
        if c.scrapeInterval == .zero { c.scrapeInterval = global.scrapeInterval }
        if c.scrapeTimeout > c.scrapeInterval {
            throw d.error("scrape timeout greater than scrape interval for scrape config with job name \(job)", at: c.position.mark)
        }
        if c.scrapeTimeout == .zero { c.scrapeTimeout = min(global.scrapeTimeout, c.scrapeInterval) }
        c.limits.inherit(from: global.limits)
        if c.scrapeFailureLogFile.isEmpty { c.scrapeFailureLogFile = global.scrapeFailureLogFile }
        if c.scrapeNativeHistograms == nil { c.scrapeNativeHistograms = global.scrapeNativeHistograms }
        if c.extraScrapeMetrics == nil { c.extraScrapeMetrics = global.extraScrapeMetrics }
        if c.scrapeProtocols == nil {
            // Native histograms would select the protobuf-first order; Vigil never enables them.
            c.scrapeProtocols = global.scrapeProtocols ?? ScrapeProtocol.defaultOrder.map(\.rawValue)
        }
        if let protocols = c.scrapeProtocols, let problem = ScrapeProtocol.listError(protocols) {
            throw d.error("\(problem) for scrape config with job name \(job)", at: c.position.mark)
        }
        if !c.fallbackScrapeProtocol.isEmpty && ScrapeProtocol(rawValue: c.fallbackScrapeProtocol) == nil {
            throw d.error("invalid fallback_scrape_protocol for scrape config with job name \(job): "
                          + ScrapeProtocol.unknownMessage(c.fallbackScrapeProtocol), at: c.position.mark)
        }

        let localSchemeUnset = c.metricNameValidationScheme == nil
        let scheme = c.metricNameValidationScheme ?? global.metricNameValidationScheme
        c.metricNameValidationScheme = scheme
        let escapings = ["allow-utf-8", "underscores", "dots", "values"]
        var globalEscaping = global.metricNameEscapingScheme
        if globalEscaping.isEmpty {
            globalEscaping = global.metricNameValidationScheme == .legacy ? "underscores" : "allow-utf-8"
        } else if !escapings.contains(globalEscaping) {
            throw d.error("unknown global name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got \(goQuoted(globalEscaping))", at: c.position.mark)
        }
        if c.metricNameEscapingScheme.isEmpty {
            if localSchemeUnset {
                c.metricNameEscapingScheme = globalEscaping
            } else {
                c.metricNameEscapingScheme = scheme == .legacy ? "underscores" : "allow-utf-8"
            }
        }
        if c.metricNameEscapingScheme == "allow-utf-8" {
            if scheme != .utf8 {
                throw d.error("utf8 metric names requested but validation scheme is not set to UTF8", at: c.position.mark)
            }
        } else if !escapings.contains(c.metricNameEscapingScheme) {
            throw d.error("unknown scrape config name escaping method specified, must be one of 'allow-utf-8', 'underscores', 'dots', or 'values', got \(goQuoted(c.metricNameEscapingScheme))", at: c.position.mark)
        }
        if c.convertClassicHistogramsToNHCB == nil { c.convertClassicHistogramsToNHCB = global.convertClassicHistogramsToNHCB }
        if c.alwaysScrapeClassicHistograms == nil { c.alwaysScrapeClassicHistograms = global.alwaysScrapeClassicHistograms }

        for rule in c.relabelConfigs + c.metricRelabelConfigs {
            if let problem = rule.validationError(scheme: scheme) { throw d.error(problem, at: rule.position.mark) }
        }
    }
}
