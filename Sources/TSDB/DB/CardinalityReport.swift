import Model

/// What Prometheus' `/api/v1/status/tsdb` returns: head statistics and the top-N lists, each
/// sorted by count, descending (ties by name).
package struct CardinalityReport: Sendable, Equatable {
    /// A name (or `name=value` pair) with its count.
    package struct Entry: Sendable, Equatable {
        package var name: String
        package var value: Int
    }

    /// Series in the head (or block).
    package var numSeries: Int
    /// Distinct label pairs.
    package var numLabelPairs: Int
    /// Chunks.
    package var chunkCount: Int
    /// Oldest / newest sample time (ms).
    package var minTime: Int64, maxTime: Int64
    /// Series per metric name.
    package var seriesCountByMetricName: [Entry]
    /// Distinct values per label name.
    package var labelValueCountByLabelName: [Entry]
    /// Per label name, the space its pairs take summed over the series carrying them, as
    /// Prometheus 3 estimates it (`labels.SizeOfLabels`: each string plus its length prefix).
    package var memoryInBytesByLabelName: [Entry]
    /// Series per `name=value` pair.
    package var seriesCountByLabelValuePair: [Entry]

    /// Builds the report from label pairs with their series counts (Prometheus'
    /// `MemPostings.Stats`).
    package init(pairs: [(name: String, value: String, series: Int)], numSeries: Int, chunkCount: Int,
                 minTime: Int64, maxTime: Int64, limit: Int) {
        self.numSeries = numSeries
        self.chunkCount = chunkCount
        self.minTime = minTime
        self.maxTime = maxTime
        numLabelPairs = pairs.count
        var byMetric: [Entry] = []
        var valueCount: [String: Int] = [:]
        var bytes: [String: Int] = [:]
        var byPair: [Entry] = []
        byPair.reserveCapacity(pairs.count)
        for p in pairs {
            if p.name == Labels.metricName { byMetric.append(Entry(name: p.value, value: p.series)) }
            valueCount[p.name, default: 0] += 1
            bytes[p.name, default: 0] += (Self.encodedSize(p.name) + Self.encodedSize(p.value)) * p.series
            byPair.append(Entry(name: p.name + "=" + p.value, value: p.series))
        }
        func top(_ list: [Entry]) -> [Entry] {
            let sorted = list.sorted { $0.value != $1.value ? $0.value > $1.value : $0.name < $1.name }
            return limit > 0 ? Array(sorted.prefix(limit)) : sorted
        }
        seriesCountByMetricName = top(byMetric)
        labelValueCountByLabelName = top(valueCount.map { Entry(name: $0.key, value: $0.value) })
        memoryInBytesByLabelName = top(bytes.map { Entry(name: $0.key, value: $0.value) })
        seriesCountByLabelValuePair = top(byPair)
    }

    /// A string's size in Prometheus' packed label encoding: its bytes plus a length prefix of
    /// 1 byte (under 255) or 4.
    static func encodedSize(_ s: String) -> Int {
        let n = s.utf8.count
        return n + (n < 255 ? 1 : 4)
    }
}

extension Block {
    /// The cardinality report of this block (for `vigil tsdb analyze DIR`).
    package func cardinality(limit: Int = 10) throws(TSDBError) -> CardinalityReport {
        CardinalityReport(pairs: try index.allPairs(), numSeries: index.seriesCount, chunkCount: Int(meta.stats.numChunks),
                          minTime: meta.minTime, maxTime: meta.maxTime - 1, limit: limit)
    }
}
