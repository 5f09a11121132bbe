import Config
import Dispatch
import Model
import Telemetry
import TSDB

/// Opens the TSDB for the daemon with settings from flags and the `vigil:` config section, and
/// exports its self-metrics.
enum Storage {
    /// `DB.Options` from the effective settings.
    static func options(flags: ParsedFlags, config: VigilConfig) -> DB.Options {
        let retention = StorageSettings.retention(flags: flags, config: config)
        var o = DB.Options()
        o.retentionMs = retention.time.milliseconds
        o.retentionBytes = retention.size.bytes
        o.blockRangeMs = config.vigil.storage.minBlockDuration.milliseconds
        switch config.vigil.storage.walFsync {
        case .always: o.walSync = .always
        case .batch: o.walSync = .batch(intervalMs: 1000)
        }
        return o
    }

    /// Opens the DB on a dedicated thread (WAL replay blocks) and returns it to the caller.
    static func open(path: String, options: DB.Options, logger: Logger) async throws -> DB {
        let log = logger.with([("component", "tsdb")])
        let tsdbLogger: DB.Logger = { level, msg, fields in
            switch level {
            case .debug: log.debug(msg, fields)
            case .info: log.info(msg, fields)
            case .warn: log.warn(msg, fields)
            case .error: log.error(msg, fields)
            }
        }
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<DB, any Error>) in
            DispatchQueue.global().async {
                do { c.resume(returning: try DB.open(dir: path, options: options, logger: tsdbLogger)) }
                catch { c.resume(throwing: error) }
            }
        }
    }

    /// Exports the DB's statistics under Prometheus' `prometheus_tsdb_*` names with a `vigil_`
    /// prefix, read fresh on every scrape of `/metrics`.
    static func registerMetrics(_ db: DB, on registry: MetricRegistry) {
        registry.addCollector { w in
            let s = db.stats
            func put(_ name: String, _ help: String, _ type: MetricType, _ v: Double) {
                w.family(name, help: help, type: type)
                w.sample(name, value: v)
            }
            put("vigil_tsdb_head_series", "Total number of series in the head block.", .gauge, Double(s.headSeries))
            put("vigil_tsdb_head_series_created_total", "Total number of series created in the head.", .counter, Double(s.headSeriesCreated))
            put("vigil_tsdb_head_series_removed_total", "Total number of series removed from the head.", .counter, Double(s.headSeriesRemoved))
            put("vigil_tsdb_head_chunks", "Total number of chunks in the head block.", .gauge, Double(s.headChunks))
            put("vigil_tsdb_head_samples_appended_total", "Total number of appended samples.", .counter, Double(s.headSamplesAppended))
            put("vigil_tsdb_out_of_order_samples_total", "Total number of out of order samples rejected.", .counter, Double(s.outOfOrderRejected))
            put("vigil_tsdb_duplicate_samples_total", "Total number of samples rejected for a duplicate timestamp with a different value.", .counter, Double(s.duplicateRejected))
            put("vigil_tsdb_out_of_bounds_samples_total", "Total number of samples rejected as older than the head allows.", .counter, Double(s.outOfBoundsRejected))
            if s.headMinTime != .max { put("vigil_tsdb_head_min_time", "Minimum time bound of the head block.", .gauge, Double(s.headMinTime)) }
            if s.headMaxTime != .min { put("vigil_tsdb_head_max_time", "Maximum timestamp of the head block.", .gauge, Double(s.headMaxTime)) }
            put("vigil_tsdb_head_truncations_total", "Total number of head truncations attempted.", .counter, Double(s.headTruncations))
            put("vigil_tsdb_head_truncations_failed_total", "Total number of head truncations that failed.", .counter, Double(s.headTruncationsFailed))
            put("vigil_tsdb_wal_storage_size_bytes", "Size of the write log directory.", .gauge, Double(s.walBytes))
            put("vigil_tsdb_wal_segment_current", "Write log segment index that the TSDB is currently writing to.", .gauge, Double(s.walCurrentSegment))
            put("vigil_tsdb_wal_fsyncs_total", "Total number of WAL fsyncs.", .counter, Double(s.walFsyncs))
            put("vigil_tsdb_wal_fsync_duration_seconds_total", "Total time spent in WAL fsync.", .counter, s.walFsyncSeconds)
            put("vigil_tsdb_wal_fsync_failures_total", "Total number of WAL fsyncs that failed.", .counter, Double(s.walFsyncFailures))
            put("vigil_tsdb_wal_corruptions_total", "Total number of WAL corruptions found and repaired at start-up.", .counter, Double(s.walCorruptions))
            put("vigil_tsdb_blocks_loaded", "Number of currently loaded data blocks.", .gauge, Double(s.blocks))
            put("vigil_tsdb_storage_blocks_bytes", "The number of bytes that are currently used for local storage by all blocks.", .gauge, Double(s.blockBytes))
            put("vigil_tsdb_compactions_total", "Total number of compactions that were executed.", .counter, Double(s.compactions))
            put("vigil_tsdb_compactions_failed_total", "Total number of compactions that failed.", .counter, Double(s.compactionsFailed))
            put("vigil_tsdb_head_compactions_total", "Total number of head compactions (head ranges written as blocks).", .counter, Double(s.headCompactions))
            put("vigil_tsdb_time_retentions_total", "The number of times that blocks were deleted because the maximum time limit was exceeded.", .counter, Double(s.retentionTimeDeletions))
            put("vigil_tsdb_size_retentions_total", "The number of times that blocks were deleted because the maximum number of bytes was exceeded.", .counter, Double(s.retentionSizeDeletions))
            put("vigil_tsdb_corrupt_blocks_total", "Total number of blocks skipped because they could not be read.", .counter, Double(s.corruptBlocks))
            if s.lowestTimestamp != .max { put("vigil_tsdb_lowest_timestamp", "Lowest timestamp value stored in the database.", .gauge, Double(s.lowestTimestamp)) }
        }
    }
}
