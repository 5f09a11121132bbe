import Testing
import YAML

/// Every YAML file of the shared corpus parses, except the few that are invalid YAML.
@Suite struct CorpusTests {
    /// Files that are not valid YAML, with the error we expect. Everything else under
    /// `config/` and `rules/` (including the bad Prometheus configs and invalid rule files,
    /// which are wrong for Prometheus but fine as YAML) must parse.
    static let invalidYAML: [String: (line: Int, column: Int, message: String)] = [
        // `scrape_configs:` appears twice at the top level; YAML requires unique keys and
        // Prometheus' strict decoding rejects it too ("field scrape_configs already set").
        "config/bad/section_key_dup.bad.yml": (4, 1, "mapping key \"scrape_configs\" already defined at line 1"),
        // `for:` is indented one column less than its sibling `expr:` (promtool: "did not find
        // expected '-' indicator").
        "rules/invalid/malformed_yaml.yml": (6, 8, "expected '-' for the next sequence item"),
    ]

    static let files = Corpus.yamlFiles(under: "config") + Corpus.yamlFiles(under: "rules")

    @Test(arguments: files)
    func parses(_ path: String) {
        do {
            let docs = try YAMLReader.documents(bytes: Corpus.bytes(path), file: path)
            #expect(Self.invalidYAML[path] == nil, "\(path) is invalid YAML but parsed")
            #expect(docs.count == 1, "\(path): \(docs.count) documents")
        } catch {
            guard let want = Self.invalidYAML[path] else {
                Issue.record("\(error)")
                return
            }
            #expect(error.mark == Mark(line: want.line, column: want.column), "\(error)")
            #expect(error.message.contains(want.message), "\(error)")
        }
    }

    @Test func corpusIsThereOrSkipped() {
        // With the corpus present, every listed invalid file must be part of it.
        guard !Self.files.isEmpty else { return }
        #expect(Self.files.count > 300)
        for path in Self.invalidYAML.keys {
            #expect(Self.files.contains(path), "\(path) missing from the corpus")
        }
    }

    /// Spot checks of trees that PyYAML agrees with (compared by hand with a JSON dump).
    @Test func anchorsAndFlowInRuleFile() throws {
        let path = "rules/valid/comments_and_anchors.yml"
        guard Self.files.contains(path) else { return }
        let doc = try #require(try YAMLReader.document(bytes: Corpus.bytes(path), file: path))
        let rules = try #require(doc.pairs?.first?.value.items?.first?.pairs?.last?.value.items)
        #expect(rules.count == 2)
        let labels = try #require(rules[1].pairs?.first { $0.key.scalar == "labels" }?.value)
        #expect(Rendering.render(labels) == #"{"severity": "warning", "team": "infra"}"#)
    }
}
