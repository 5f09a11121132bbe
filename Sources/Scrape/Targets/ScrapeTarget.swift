import Model

/// A target that survived relabeling: what to scrape and the labels its samples get.
package struct ScrapeTarget: Sendable, Equatable {
    /// All labels after relabeling, including `__address__`, `__scheme__`, `__metrics_path__`,
    /// `__scrape_interval__`, `__scrape_timeout__`, `__param_*` and other `__` labels that
    /// decide how to scrape (`__meta_*` are gone).
    package var labels: Labels
    /// The labels before relabeling (Prometheus' `DiscoveredLabels`), for the targets API.
    package var discoveredLabels: Labels
    /// The scrape interval and timeout from the labels.
    package var interval: PromDuration
    package var timeout: PromDuration
    /// The query parameters: the job's `params`, with `__param_<name>` labels overriding the
    /// first value of `<name>`.
    package var params: [String: [String]]

    /// The labels attached to every sample: `labels` without `__`-prefixed names
    /// (Prometheus' `Target.Labels`).
    package var publicLabels: Labels {
        Labels(labels.pairs.filter { !$0.name.hasPrefix("__") }.map { ($0.name, $0.value) })
    }

    /// The URL to scrape, as Go's `url.URL{Scheme, Host, Path, RawQuery}.String()` writes it
    /// (query keys sorted and form-encoded).
    package var url: String {
        var s = labels.get("__scheme__") + "://" + labels.get("__address__")
        let path = labels.get("__metrics_path__")
        if !path.isEmpty && !path.hasPrefix("/") { s += "/" }
        s += path
        var query: [String] = []
        for key in params.keys.sorted() {
            for value in params[key] ?? [] {
                query.append(Self.queryEscape(key) + "=" + Self.queryEscape(value))
            }
        }
        if !query.isEmpty { s += "?" + query.joined(separator: "&") }
        return s
    }

    /// Go's `url.QueryEscape`: unreserved bytes stay, space becomes `+`, the rest `%XX`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "):
                out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}

/// A target relabeling dropped, kept for the targets API's `droppedTargets`.
package struct DroppedTarget: Sendable, Equatable {
    /// The labels before relabeling.
    package var discoveredLabels: Labels

    /// A dropped target.
    package init(discoveredLabels: Labels) { self.discoveredLabels = discoveredLabels }
}
