import Config
import Model

/// What identifies a running loop within a job: the target's full label set (including the
/// `__` labels that steer the scrape: address, scheme, path, interval, timeout, params) and its
/// URL, as Prometheus' `Target.hash` does.
struct TargetKey: Hashable {
    var labels: Labels
    var url: String

    init(_ target: ScrapeTarget) {
        labels = target.labels
        url = target.url
    }
}

/// One job's state inside the manager (Prometheus' `scrapePool`).
struct ScrapePool {
    /// A running loop and the latest version of its target (discovered labels may change
    /// without changing the key).
    struct Active {
        var loop: ScrapeLoop
        var target: ScrapeTarget
    }

    var config: ScrapeConfig
    /// The configuration file's directory, against which file_sd paths were resolved.
    var directory: String
    var loopKey: LoopConfigKey
    var relabeler: Relabeler
    var metricRelabeler: Relabeler
    var staticGroups: [TargetGroup]
    var discoveries: [FileDiscovery] = []
    /// The latest groups of each discovery, by its index.
    var fileGroups: [[TargetGroup]] = []
    /// Bumped whenever the discoveries are replaced, so late updates from old ones are ignored.
    var generation = 0
    var discoveryTask: Task<Void, Never>?
    var active: [TargetKey: Active] = [:]
    /// Active targets in discovery order.
    var order: [TargetKey] = []
    var dropped: [DroppedTarget] = []
    var droppedCount = 0
    /// Targets that could not be built, with Prometheus' messages.
    var failures: [String] = []
    /// The statuses of loops stopped for a restart, handed to their successors by `sync`.
    var carriedStatus: [TargetKey: TargetStatus] = [:]

    /// All groups: static ones first, then each file_sd entry's in file-name order.
    var groups: [TargetGroup] { staticGroups + fileGroups.flatMap { $0 } }
}
