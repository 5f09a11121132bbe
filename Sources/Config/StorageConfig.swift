import Model
internal import YAML

/// The `storage` section: TSDB settings that Prometheus reloads at runtime, and exemplars.
package struct StorageConfig: Sendable, Equatable {
    package var tsdb = TSDBConfig()
    /// nil when the file has no `storage.exemplars` block.
    package var exemplars: ExemplarsConfig?

    package init() {}

    /// `storage.tsdb`.
    package struct TSDBConfig: Sendable, Equatable {
        /// How far back out-of-order samples are still accepted; zero disables them.
        package var outOfOrderTimeWindow = PromDuration.zero
        package var retention = Retention()
        /// `xor` or empty (the default); `xor2` is unsupported.
        package var floatChunkEncoding = ""

        package init() {}
    }

    /// `storage.tsdb.retention`: zero values mean "not set here".
    package struct Retention: Sendable, Equatable {
        package var time = PromDuration.zero
        package var size = ByteSize(bytes: 0)
        /// Share of the disk the TSDB may use, 0–100; zero means no limit. Validated like
        /// Prometheus, but a non-zero value is unsupported (Vigil does not measure the disk).
        package var percentage = 0.0

        package init() {}
    }

    /// `storage.exemplars`: the size of the in-memory exemplar ring (Prometheus default
    /// 100000; zero or less disables exemplar storage).
    package struct ExemplarsConfig: Sendable, Equatable {
        package var maxExemplars: Int64 = 100_000
    }

    static func decode(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> StorageConfig {
        var s = StorageConfig()
        for entry in try d.entries(node, type: "config.StorageConfig") {
            switch entry.key {
            case "tsdb": s.tsdb = try decodeTSDB(entry.value, &d)
            case "exemplars":
                if entry.value.isNull { continue }
                var exemplars = ExemplarsConfig(maxExemplars: 0)
                for field in try d.entries(entry.value, type: "config.ExemplarsConfig") {
                    switch field.key {
                    case "max_exemplars": exemplars.maxExemplars = try d.signed(field.value)
                    default: throw d.unknownField(field, in: "config.ExemplarsConfig")
                    }
                }
                s.exemplars = exemplars
            default:
                throw d.unknownField(entry, in: "config.StorageConfig")
            }
        }
        return s
    }

    private static func decodeTSDB(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> TSDBConfig {
        var t = TSDBConfig()
        var encodingNode: YAMLNode?
        for entry in try d.entries(node, type: "config.plain") {
            switch entry.key {
            case "out_of_order_time_window": t.outOfOrderTimeWindow = try d.duration(entry.value)
            case "stale_series_compaction_threshold":
                if try d.float(entry.value) != 0 { d.unsupported(key: entry.key, at: entry.keyNode, context: "storage.tsdb") }
            case "chunk_encoding":
                for field in try d.entries(entry.value, type: "config.ChunkEncodingConfig") {
                    switch field.key {
                    case "floats":
                        t.floatChunkEncoding = try d.string(field.value)
                        encodingNode = field.keyNode
                    default: throw d.unknownField(field, in: "config.ChunkEncodingConfig")
                    }
                }
            case "retention": t.retention = try decodeRetention(entry.value, &d)
            default: throw d.unknownField(entry, in: "config.plain")
            }
        }
        switch t.floatChunkEncoding {
        case "", "xor": break
        case "xor2":
            if let encodingNode { d.unsupported(key: "chunk_encoding.floats: xor2", at: encodingNode, context: "storage.tsdb") }
        default:
            throw d.error("'storage.tsdb.chunk_encoding.floats' must be 'xor' or 'xor2', or the field must be omitted entirely, got \(goQuoted(t.floatChunkEncoding))", at: encodingNode)
        }
        return t
    }

    private static func decodeRetention(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> Retention {
        var r = Retention()
        for entry in try d.entries(node, type: "config.plain") {
            switch entry.key {
            case "time": r.time = try d.duration(entry.value)
            case "size": r.size = try d.byteSize(entry.value)
            case "percentage":
                r.percentage = try d.float(entry.value)
                if r.percentage != 0 { d.unsupported(key: "retention.percentage", at: entry.keyNode, context: "storage.tsdb") }
            default: throw d.unknownField(entry, in: "config.plain")
            }
        }
        if r.size.bytes < 0 {
            throw d.error("'storage.tsdb.retention.size' must be greater than or equal to 0, got \(r.size)", at: node)
        }
        if !(r.percentage >= 0 && r.percentage <= 100) {
            throw d.error("'storage.tsdb.retention.percentage' must be in the range [0, 100], got \(formatGoFloat(r.percentage))", at: node)
        }
        return r
    }
}

/// Formats a float like Go's `%v` for the values configs contain (`28`, `0.5`, `-1`).
func formatGoFloat(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
    if value == value.rounded(), abs(value) < 1e21 { return String(Int64(value)) }
    return "\(value)"
}
