import Foundation
internal import YAML

/// Entry points for reading a Prometheus-style configuration file.
///
/// Accepts and rejects files as Prometheus 3 does for the features Vigil implements. A file
/// that is valid for Prometheus but uses something Vigil lacks (remote write, cloud service
/// discovery, native histograms, ...) is rejected with one `ConfigError` of kind
/// `.unsupported` whose message starts with `unsupported:` and names the key — but only when
/// the file has no other error, so mistakes are reported with Prometheus' wording first.
package enum ConfigFile {
    /// Reads and parses the file at `path`. Relative paths inside the file are kept as
    /// written; resolve them against the file's directory when using them.
    package static func load(path: String,
                             environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigError) -> VigilConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(kind: .io, file: path, line: nil, column: nil,
                              message: "cannot read file: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(kind: .syntax, file: path, line: nil, column: nil,
                              message: "file is not valid UTF-8")
        }
        return try parse(text, file: path, environment: environment)
    }

    /// Parses configuration text. `file` names the source in errors; `environment` supplies
    /// the variables `external_labels` may reference.
    package static func parse(_ text: String, file: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigError) -> VigilConfig {
        let root: YAMLNode?
        do {
            root = try YAMLReader.document(text, file: file)
        } catch {
            throw ConfigError(kind: .syntax, file: file, line: error.mark.line, column: error.mark.column,
                              message: error.message)
        }
        var decoder = Decoder(file: file, environment: environment)
        var (config, scrapes, raw) = try VigilConfig.decode(root, &decoder)
        try VigilConfig.validate(&config, scrapes: scrapes, raw: raw, &decoder)
        if let first = decoder.unsupported.first { throw first }
        config.file = file
        config.originalText = text
        return config
    }
}
