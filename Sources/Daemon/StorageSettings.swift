import Config
import Model

/// Storage settings that can come from a flag or from the `vigil:` config section. A flag given
/// on the command line wins; otherwise the config file's value applies (which has its own
/// defaults: `data`, 15d, no size cap). The path is read once at start-up; a reload does not move
/// the data directory.
enum StorageSettings {
    static func path(flags: ParsedFlags, config: VigilConfig) -> String {
        flags.explicitlySet.contains("storage.path") ? flags.string("storage.path") : config.vigil.storage.path
    }

    static func retention(flags: ParsedFlags, config: VigilConfig) -> (time: PromDuration, size: ByteSize) {
        var time = config.effectiveRetentionTime
        var size = config.effectiveRetentionSize
        if flags.explicitlySet.contains("storage.retention.time"),
           let t = try? PromDuration(parsing: flags.string("storage.retention.time")) {
            time = t
        }
        if flags.explicitlySet.contains("storage.retention.size"),
           let s = try? ByteSize(parsing: flags.string("storage.retention.size")) {
            size = s
        }
        return (time, size)
    }
}
