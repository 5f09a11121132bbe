import Testing
import YAML

/// Deep nesting is an error at the configured depth, never a stack overflow.
@Suite struct NestingTests {
    @Test(arguments: ["[", "{a: ", "[{a: "])
    func deepFlowNestingIsRejected(_ opener: String) {
        let text = String(repeating: opener, count: 100_000)
        do {
            _ = try YAMLReader.documents(text, file: "deep.yml")
            Issue.record("100k levels of nesting accepted")
        } catch {
            #expect(error.message.contains("nesting is deeper than \(YAMLReader.maxDepth) levels"))
            #expect(error.mark.line == 1)
        }
    }

    @Test func deepBlockSequenceOnOneLineIsRejected() {
        let text = String(repeating: "- ", count: 100_000) + "x"
        #expect(throws: YAMLError.self) { try YAMLReader.documents(text, file: "deep.yml") }
    }

    @Test func deepIndentationIsRejected() {
        var text = ""
        for level in 0..<2_000 {
            text += String(repeating: " ", count: level) + "k:\n"
        }
        do {
            _ = try YAMLReader.documents(text, file: "deep.yml")
            Issue.record("2000 levels of nesting accepted")
        } catch {
            #expect(error.message.contains("nesting is deeper than"))
        }
    }

    @Test func nestingWithinTheLimitIsFine() throws {
        let depth = YAMLReader.maxDepth - 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var node = try #require(try YAMLReader.document(text, file: "t"))
        var levels = 1
        while let first = node.items?.first {
            node = first
            levels += 1
        }
        #expect(levels == depth)
    }
}
