internal import YAML

/// The per-scrape limits that `global` sets and each scrape config may override; zero means
/// "no limit" in a file and "inherit" in a scrape config, as in Prometheus.
package struct ScrapeLimits: Sendable, Equatable {
    package var bodySizeLimit = ByteSize(bytes: 0)
    package var sampleLimit: UInt64 = 0
    package var targetLimit: UInt64 = 0
    package var labelLimit: UInt64 = 0
    package var labelNameLengthLimit: UInt64 = 0
    package var labelValueLengthLimit: UInt64 = 0
    package var keepDroppedTargets: UInt64 = 0

    package init() {}

    /// Decodes `key` into this value if it is one of the limit keys; false when it is not.
    mutating func decodeField(_ key: String, _ v: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> Bool {
        switch key {
        case "body_size_limit": bodySizeLimit = try d.byteSize(v)
        case "sample_limit": sampleLimit = try d.unsigned(v)
        case "target_limit": targetLimit = try d.unsigned(v)
        case "label_limit": labelLimit = try d.unsigned(v)
        case "label_name_length_limit": labelNameLengthLimit = try d.unsigned(v)
        case "label_value_length_limit": labelValueLengthLimit = try d.unsigned(v)
        case "keep_dropped_targets": keepDroppedTargets = try d.unsigned(v)
        default: return false
        }
        return true
    }

    /// Fills every unset (zero) limit from `global`.
    mutating func inherit(from global: ScrapeLimits) {
        if bodySizeLimit.bytes == 0 { bodySizeLimit = global.bodySizeLimit }
        if sampleLimit == 0 { sampleLimit = global.sampleLimit }
        if targetLimit == 0 { targetLimit = global.targetLimit }
        if labelLimit == 0 { labelLimit = global.labelLimit }
        if labelNameLengthLimit == 0 { labelNameLengthLimit = global.labelNameLengthLimit }
        if labelValueLengthLimit == 0 { labelValueLengthLimit = global.labelValueLengthLimit }
        if keepDroppedTargets == 0 { keepDroppedTargets = global.keepDroppedTargets }
    }

    /// The non-zero limits in Prometheus' field order, for `renderYAML()`.
    func renderFields(into f: inout [(String, RenderNode)]) {
        if bodySizeLimit.bytes != 0 { f.append(("body_size_limit", .raw(bodySizeLimit.description))) }
        let limits: [(String, UInt64)] = [
            ("sample_limit", sampleLimit), ("target_limit", targetLimit), ("label_limit", labelLimit),
            ("label_name_length_limit", labelNameLengthLimit), ("label_value_length_limit", labelValueLengthLimit),
            ("keep_dropped_targets", keepDroppedTargets),
        ]
        for (key, value) in limits where value != 0 { f.append((key, .number(value))) }
    }
}
