import Config

/// A group of discovered targets sharing labels (Prometheus' `targetgroup.Group`).
package struct TargetGroup: Sendable, Equatable {
    /// Identifies the group within its discovery mechanism (an index for static configs, the
    /// file name and index for file_sd).
    package var source: String
    /// One label set per target; each normally holds `__address__`.
    package var targets: [[String: String]]
    /// Labels every target of the group gets unless it sets them itself.
    package var labels: [String: String]

    /// A group.
    package init(source: String, targets: [[String: String]], labels: [String: String] = [:]) {
        self.source = source
        self.targets = targets
        self.labels = labels
    }

    /// The groups of a job's `static_configs`, sourced by index as Prometheus does.
    package static func groups(from statics: [StaticConfig]) -> [TargetGroup] {
        statics.enumerated().map { index, group in
            TargetGroup(source: String(index),
                        targets: group.targets.map { ["__address__": $0] },
                        labels: group.labels)
        }
    }
}
