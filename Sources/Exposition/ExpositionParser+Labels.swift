import Model

/// Building label sets from the current entry, only when the caller asks (a scrape-cache miss).
extension ExpositionParser {
    /// The label set of the current series: `__name__` and the written labels, escapes decoded.
    ///
    /// As in Prometheus 3: labels with empty values are dropped; the values of `le` in a
    /// histogram family and `quantile` in a summary family (by the last `# TYPE` line) are
    /// rewritten in OpenMetrics float form (`1` → `1.0`, `+Inf` stays); a repeated label name
    /// is an error (Prometheus' TSDB refuses such a set, failing the scrape).
    package func labels() throws(ExpositionError) -> Labels {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        pairs.reserveCapacity(labelOffsets.count / 4 + 1)
        pairs.append((Array(Labels.metricName.utf8), Self.unescape(bytes[nameStart..<nameEnd], quotes: true)))
        var k = 0
        while k + 3 < labelOffsets.count {
            let name = Self.unescape(bytes[labelOffsets[k]..<labelOffsets[k + 1]], quotes: true)
            var value = Self.unescape(bytes[labelOffsets[k + 2]..<labelOffsets[k + 3]], quotes: true)
            if let normalized = normalizedFloatLabel(name, value) { value = normalized }
            pairs.append((name, value))
            k += 4
        }
        pairs.sort { $0.name.lexicographicallyPrecedes($1.name) }
        var out: [UInt8] = []
        out.reserveCapacity(seriesEnd - seriesStart + 2 * pairs.count + 10)
        for index in pairs.indices {
            let pair = pairs[index]
            if index > 0 && pairs[index - 1].name == pair.name {
                throw ExpositionError.duplicateLabelName(String(decoding: pair.name, as: UTF8.self),
                                                         line: entryLine, column: seriesStart - entryLineStart + 1)
            }
            if pair.value.isEmpty { continue }
            Varint.appendUvarint(UInt64(pair.name.count), to: &out)
            out.append(contentsOf: pair.name)
            Varint.appendUvarint(UInt64(pair.value.count), to: &out)
            out.append(contentsOf: pair.value)
        }
        // Names are non-empty (checked while parsing), sorted and unique, values non-empty, so
        // the encoding is canonical; the check is a cheap second line of defence.
        guard let labels = Labels(canonical: out) else {
            throw ExpositionError.emptyName(line: entryLine, column: seriesStart - entryLineStart + 1)
        }
        return labels
    }

    /// The exemplar of the current series, if it has one (OpenMetrics only).
    ///
    /// Exemplar label values are used as written, without decoding escapes, as Prometheus 3
    /// does; an empty value drops the label.
    package func exemplar() -> Exemplar? {
        guard hasExemplar else { return nil }
        var pairs: [(String, String)] = []
        var k = 0
        while k + 3 < exemplarOffsets.count {
            pairs.append((String(decoding: bytes[exemplarOffsets[k]..<exemplarOffsets[k + 1]], as: UTF8.self),
                          String(decoding: bytes[exemplarOffsets[k + 2]..<exemplarOffsets[k + 3]], as: UTF8.self)))
            k += 4
        }
        return Exemplar(labels: Labels(pairs), value: exemplarValue, timestamp: exemplarTimestamp)
    }

    /// Prometheus' `normalizeFloatsInLabelValues`: the new value, or nil to keep it.
    private func normalizedFloatLabel(_ name: [UInt8], _ value: [UInt8]) -> [UInt8]? {
        let isLe = metricType == .histogram && name.elementsEqual("le".utf8)
        let isQuantile = metricType == .summary && name.elementsEqual("quantile".utf8)
        guard isLe || isQuantile else { return nil }
        guard let v = value.withUnsafeBufferPointer({ GoFloat.parse($0, 0, $0.count) }) else { return nil }
        let formatted = Self.openMetricsFloat(v)
        return formatted.elementsEqual(value) ? nil : formatted
    }

    /// Prometheus' `labels.FormatOpenMetricsFloat`: Go's shortest `'g'` form with `.0` added
    /// to integers (`1.0`, `0.0`, `1e+06`, `0.25`, `+Inf`, `NaN`).
    static func openMetricsFloat(_ v: Double) -> [UInt8] {
        if v == 0 { return Array("0.0".utf8) }
        var out: [UInt8] = []
        FloatFormat.appendG(v, to: &out)
        if v.isNaN || v.isInfinite { return out }
        if !out.contains(ASCII.dot) && !out.contains(0x65) { out.append(contentsOf: ".0".utf8) }
        return out
    }
}
