import Exposition
import Model

/// Appending one body: parse, look up the cache, append, track staleness (Prometheus'
/// `scrapeLoopAppender.append`).
extension ScrapeEngine {
    /// The counts of one append pass and its error.
    struct AppendResult {
        var total = 0
        var added = 0
        var seriesAdded = 0
        var error: ScrapeError?
    }

    /// Prometheus accepts honoured timestamps at most this far in the future (`maxAheadTime`).
    static let maxAheadMs: Int64 = 10 * 60 * 1000

    /// Appends the samples of `body` to `app`, then stale markers for the series of the previous
    /// scrape that are gone. An empty body appends only the stale markers (a failed scrape).
    ///
    /// On any error the pass stops and the caller must roll back: a malformed line, a Content-Type
    /// with no parser, a missing or invalid name after relabeling, a label limit, `sample_limit`
    /// (counted to the end so the totals are right), or a storage failure other than the
    /// per-sample rejections (out of order, duplicate, out of bounds), which are only counted.
    func append(_ app: any Appender, body: [UInt8], contentType: String, defTime: Int64, nowMs: Int64) -> AppendResult {
        var result = AppendResult()
        if body.isEmpty {
            result.error = updateStaleMarkers(app, t: defTime)
            endIteration(flush: false)
            return result
        }
        let format: ExpositionFormat
        do {
            let negotiated = try ExpositionFormat.negotiate(contentType: contentType, fallback: options.fallbackFormat)
            if let warning = negotiated.warning {
                logger?(.debug, warning, [("scrape_pool", options.jobName), ("target", options.target.url)])
            }
            format = negotiated.format
        } catch {
            result.error = .exposition(error)
            return result
        }

        var parser = ExpositionParser(body, format: format)
        let maxTime = nowMs &+ Self.maxAheadMs
        let sampleLimit = options.sampleLimit
        let trackExplicit = options.trackTimestampsStaleness
        let honorTimestamps = options.honorTimestamps
        var appendedForLimit = 0
        var sampleLimitHit = false
        var outOfOrder = 0, duplicates = 0, outOfBounds = 0
        let cache = self.cache

        /// Counts a per-sample refusal; false for an error that fails the scrape.
        func count(_ rejection: StorageError) -> Bool {
            switch rejection {
            case .outOfOrderSample, .tooOldSample:
                outOfOrder += 1
                ScrapeMetrics.inc(metrics.sampleOutOfOrder)
            case .duplicateSampleForTimestamp:
                duplicates += 1
                ScrapeMetrics.inc(metrics.sampleDuplicateTimestamp)
            case .outOfBounds:
                outOfBounds += 1
                ScrapeMetrics.inc(metrics.sampleOutOfBounds)
            default:
                result.error = .storage(rejection)
                return false
            }
            return true
        }

        // Samples of cached series go to the storage in one batch (see `flushKnown`); their
        // cache entries and whether they are tracked for staleness wait beside them.
        var batch = knownBatch
        batch.removeAll()
        var batchEntries = knownBatchEntries
        batchEntries.removeAll(keepingCapacity: true)

        /// Appends the batched samples and settles their cache entries; false on a hard error.
        func flushKnown() -> Bool {
            guard batch.count > 0 else { return true }
            app.append(batch: &batch)
            var ok = true
            for k in 0 ..< batch.count where ok {
                let (index, track) = batchEntries[k]
                var rejection = batch.errors[k]
                var ref = batch.refs[k]
                if case .unknownSeriesRef? = rejection {
                    // The storage dropped the series (inactive past a head truncation): append
                    // by labels, which creates it again.
                    do throws(StorageError) {
                        ref = try app.append(ref: .none, labels: cache.labels(index), t: batch.ts[k], v: batch.vs[k])
                        rejection = nil
                    } catch {
                        rejection = error
                    }
                }
                if let rejection {
                    ok = count(rejection)
                } else {
                    cache.updateRef(index, ref)
                    if track && ref != .none { cache.trackStaleness(index) }
                }
            }
            batch.removeAll()
            batchEntries.removeAll(keepingCapacity: true)
            return ok
        }

        // The parser shares `body`'s storage, so its series ranges index these bytes; one
        // pointer for the whole pass keeps the cache lookup free of per-sample closures.
        body.withUnsafeBytes { raw in
        loop: while true {
            let entry: ExpositionEntry?
            do throws(ExpositionError) { entry = try parser.next() } catch {
                result.error = .exposition(error)
                break
            }
            guard let entry else { break }
            switch entry {
            case .series: break
            case .type: cache.setType(parser.familyName(), parser.metricType); continue
            case .help: cache.setHelp(parser.familyName(), parser.helpText()); continue
            case .unit: cache.setUnit(parser.familyName(), parser.unit); continue
            case .comment: continue
            }
            result.total += 1
            let parsedTimestamp = honorTimestamps ? parser.timestamp : nil
            let t = parsedTimestamp ?? defTime
            let value = parser.value
            let track = parsedTimestamp == nil || trackExplicit

            let key = UnsafeRawBufferPointer(rebasing: raw[parser.seriesRange])
            let hash = ScrapeCache.hash(key)
            let found = cache.find(key, hash: hash)
            var labels = Labels()
            var alreadyScraped = false
            if let index = found {
                alreadyScraped = cache.markSeen(index)
                if cache.isDropped(index) { continue }
            } else {
                countLabelParse()
                let parsed: Labels
                do throws(ExpositionError) { parsed = try parser.labels() } catch {
                    result.error = .exposition(error)
                    break
                }
                guard let mutated = mutateSampleLabels(parsed) else {
                    _ = cache.add(key, hash: hash, ref: .none, labels: Labels(), dropped: true)
                    continue
                }
                if let problem = checkLabels(mutated) {
                    result.error = problem
                    break
                }
                labels = mutated
            }
            // Counted even when refused, so that the post-relabeling count is the number of
            // series the target exposes after relabeling.
            result.added += 1

            // The limit and time bound wrap the storage appender in Prometheus
            // (`limitAppender` over `timeLimitAppender`); the same checks in the same order.
            if alreadyScraped && parsedTimestamp == nil {
                if !count(.duplicateSampleForTimestamp(t: t)) { break }
                continue
            }
            if sampleLimit > 0 {
                appendedForLimit += 1
                if appendedForLimit > sampleLimit {
                    sampleLimitHit = true
                    continue
                }
            }
            if t > maxTime {
                if !count(.outOfBounds(t: t, minValid: maxTime)) { break }
                continue
            }
            if let index = found {
                let ref = cache.ref(index)
                if ref != .none {
                    batch.add(ref, t, value)
                    batchEntries.append((index, track))
                    if batch.count >= 4096 && !flushKnown() { break }
                    continue
                }
            }

            // A new series (or a cached one without a reference): appended by labels now.
            var ref = SeriesRef.none
            do throws(StorageError) {
                ref = try app.append(ref: .none, labels: found.map { cache.labels($0) } ?? labels, t: t, v: value)
            } catch {
                if !count(error) { break }
                continue
            }
            if let index = found {
                cache.updateRef(index, ref)
                if track && ref != .none { cache.trackStaleness(index) }
            } else {
                // Only series that reached the storage are cached: one refused by the limit
                // needs no stale marker when it goes away.
                let index = cache.add(key, hash: hash, ref: ref, labels: labels)
                if track && ref != .none { cache.trackStaleness(index) }
                if !sampleLimitHit { result.seriesAdded += 1 }
            }
        }
        }
        if result.error == nil { _ = flushKnown() }
        knownBatch = batch
        knownBatchEntries = batchEntries

        if sampleLimitHit {
            if result.error == nil { result.error = .sampleLimitExceeded }
            ScrapeMetrics.inc(metrics.exceededSampleLimit)
        }
        if outOfOrder > 0 { logger?(.warn, "Error on ingesting out-of-order samples", context([("num_dropped", String(outOfOrder))])) }
        if duplicates > 0 { logger?(.warn, "Error on ingesting samples with different value but same timestamp", context([("num_dropped", String(duplicates))])) }
        if outOfBounds > 0 { logger?(.warn, "Error on ingesting samples that are too old or are too far into the future", context([("num_dropped", String(outOfBounds))])) }
        if result.error == nil { result.error = updateStaleMarkers(app, t: defTime) }
        if result.error == nil { endIteration(flush: true) }
        return result
    }

    private func context(_ extra: [(String, String)]) -> [(String, String)] {
        [("scrape_pool", options.jobName), ("target", options.target.url)] + extra
    }

    /// Ends the cache iteration, counting forced flushes.
    private func endIteration(flush: Bool) {
        let before = cache.forcedFlushes
        cache.iterDone(flush: flush)
        if cache.forcedFlushes != before { ScrapeMetrics.inc(metrics.cacheFlushForced) }
    }

    /// Appends stale markers for the series of the previous scrape that this one did not have.
    /// Out-of-order and duplicate refusals are expected (a successor loop already wrote newer
    /// samples) and ignored.
    func updateStaleMarkers(_ app: any Appender, t: Int64) -> ScrapeError? {
        var failure: ScrapeError?
        cache.forEachStale { ref, labels in
            do throws(StorageError) {
                _ = try app.append(ref: ref, labels: labels, t: t, v: StaleNaN)
                return true
            } catch {
                switch error {
                case .outOfOrderSample, .duplicateSampleForTimestamp, .tooOldSample: return true
                default:
                    failure = .storage(error)
                    return false
                }
            }
        }
        return failure
    }

    /// Prometheus' `mutateSampleLabels`: attach the target's labels (on a conflict the exposed
    /// value moves to `exported_<name>`, or with `honor_labels` the exposed value wins), then
    /// apply `metric_relabel_configs`. Nil when relabeling drops the series.
    func mutateSampleLabels(_ exposed: Labels) -> Labels? {
        var b = RelabelBuilder(exposed)
        if options.honorLabels {
            for (name, value) in targetPairs where !exposed.has(name) { b.set(name, value) }
        } else {
            var conflicts: [(name: String, value: String)] = []
            for (name, value) in targetPairs {
                let existing = exposed.get(name)
                if !existing.isEmpty { conflicts.append((name, existing)) }
                b.set(name, value)
            }
            if !conflicts.isEmpty {
                // Stable by name length, as Go's `slices.SortStableFunc` on `len(Name)`.
                let ordered = conflicts.enumerated().sorted { a, c in
                    a.element.name.utf8.count != c.element.name.utf8.count
                        ? a.element.name.utf8.count < c.element.name.utf8.count : a.offset < c.offset
                }
                for (_, conflict) in ordered {
                    var newName = conflict.name
                    while true {
                        newName = "exported_" + newName
                        if b.get(newName).isEmpty {
                            b.set(newName, conflict.value)
                            break
                        }
                    }
                }
            }
        }
        guard options.metricRelabeler.process(&b) else { return nil }
        let out = b.labels()
        return out.isEmpty ? nil : out
    }

    /// The checks on a new series after relabeling: a name, valid names under the job's
    /// validation scheme, and the label limits (Prometheus' `verifyLabelLimits`).
    func checkLabels(_ labels: Labels) -> ScrapeError? {
        let metric = labels.get(Labels.metricName)
        if metric.isEmpty { return .missingMetricName }
        let scheme = options.validationScheme
        for l in labels {
            if l.name == Labels.metricName && !scheme.isValidMetricName(l.value) { return .invalidLabelNames(labels.description) }
            if !scheme.isValidLabelName(l.name) { return .invalidLabelNames(labels.description) }
        }
        let limits = options.labelLimits
        if limits.labelLimit > 0 {
            let n = labels.count
            if n > limits.labelLimit {
                ScrapeMetrics.inc(metrics.exceededLabelLimits)
                return .labelLimitExceeded(metric: metric, count: n, limit: limits.labelLimit)
            }
        }
        if limits.nameLengthLimit == 0 && limits.valueLengthLimit == 0 { return nil }
        for l in labels {
            let nameLength = l.name.utf8.count
            if limits.nameLengthLimit > 0 && nameLength > limits.nameLengthLimit {
                ScrapeMetrics.inc(metrics.exceededLabelLimits)
                return .labelNameLengthLimitExceeded(metric: metric, name: l.name, length: nameLength, limit: limits.nameLengthLimit)
            }
            let valueLength = l.value.utf8.count
            if limits.valueLengthLimit > 0 && valueLength > limits.valueLengthLimit {
                ScrapeMetrics.inc(metrics.exceededLabelLimits)
                return .labelValueLengthLimitExceeded(metric: metric, name: l.name, value: l.value,
                                                      length: valueLength, limit: limits.valueLengthLimit)
            }
        }
        return nil
    }
}
