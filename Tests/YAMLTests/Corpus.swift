import Foundation
import TestSupport

/// The YAML files of the shared corpus (`config/`, `rules/`), found recursively.
enum Corpus {
    /// Paths relative to the corpus root of every `*.yml`/`*.yaml` under `sub`, sorted;
    /// empty (after TestData's skip notice) when the corpus is absent.
    static func yamlFiles(under sub: String) -> [String] {
        guard let dir = TestData.directory(sub) else { return [] }
        let root = TestData.root.path
        var result: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: dir.path) else { return [] }
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".yml") || relative.hasSuffix(".yaml") else { continue }
            let full = dir.appendingPathComponent(relative).path
            result.append(String(full.dropFirst(root.count + 1)))
        }
        return result.sorted()
    }

    static func bytes(_ relative: String) -> [UInt8] {
        let url = TestData.root.appendingPathComponent(relative)
        return (try? Data(contentsOf: url)).map { Array($0) } ?? []
    }
}
