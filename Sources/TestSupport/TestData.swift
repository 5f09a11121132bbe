import Foundation

/// Locates the external test corpus (`../shared/testdata` beside the project).
///
/// `VIGIL_TESTDATA` overrides the location. When the folder is absent (a user's clone has no
/// `../shared`), `directory(_:)` returns nil and prints one notice, so callers skip their cases.
package enum TestData {
    /// The project root, derived from this file's path (Sources/TestSupport/TestData.swift).
    package static let projectRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The corpus root: `$VIGIL_TESTDATA`, else `<project>/../shared/testdata`.
    package static var root: URL {
        if let env = ProcessInfo.processInfo.environment["VIGIL_TESTDATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return projectRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata")
    }

    /// `root/sub` if it exists; otherwise prints a skip notice naming the path and returns nil.
    package static func directory(_ sub: String) -> URL? {
        let url = root.appendingPathComponent(sub)
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            return url
        }
        print("notice: skipping tests on \(url.path): folder absent (set VIGIL_TESTDATA to point at shared/testdata)")
        return nil
    }

    /// Regular files directly inside `dir` whose names end with `suffix`, sorted by name.
    package static func files(in dir: URL, suffix: String) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { dir.appendingPathComponent($0) }
    }
}

/// A fresh directory under the system temp folder, removed by `remove()`.
package struct TempDirectory: Sendable {
    package let url: URL

    package init(prefix: String = "vigil-test") throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    package var path: String { url.path }

    package func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
