internal import YAML

/// Why a configuration file was rejected, with the place in the file that caused it.
///
/// `description` prints `file:line:column: message` (or `file: message` when the problem has
/// no single position, such as an unreadable file). Messages reuse Prometheus' wording where
/// Prometheus has a check of the same meaning, so that error text users search for still
/// matches. `kind` lets callers (and tests) tell a broken file from one that only uses a
/// Prometheus feature Vigil does not implement.
package struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What sort of failure this is.
    package enum Kind: Sendable, Equatable {
        /// The file could not be read.
        case io
        /// The text is not well-formed YAML (reported by the YAML reader).
        case syntax
        /// The YAML does not describe a valid configuration (Prometheus would reject it too).
        case invalid
        /// Valid for Prometheus, but uses a feature Vigil does not implement;
        /// the message starts with `unsupported:`.
        case unsupported
    }

    package var kind: Kind
    /// The path or name the text came from, as given to `ConfigFile.parse` / `load`.
    package var file: String
    /// The 1-based line of the offending node, when there is one.
    package var line: Int?
    /// The 1-based column of the offending node, when there is one.
    package var column: Int?
    /// The explanation, without position.
    package var message: String

    package init(kind: Kind, file: String, line: Int?, column: Int?, message: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    init(_ kind: Kind, file: String, mark: Mark?, _ message: String) {
        self.init(kind: kind, file: file, line: mark?.line, column: mark?.column, message: message)
    }

    /// `file:line:column: message`, the form compilers and editors understand.
    package var description: String {
        if let line, let column {
            return "\(file):\(line):\(column): \(message)"
        }
        return "\(file): \(message)"
    }
}
