import Testing
import YAML

/// Literal and folded block scalars with chomping and indentation indicators (YAML 1.2 §8.1).
@Suite struct BlockScalarTests {
    @Test(arguments: [
        // Chomping: clip keeps one final break, strip none, keep all.
        ("a: |\n  x\n  y\n\n\nb: 1", "x\ny\n"),
        ("a: |-\n  x\n  y\n\n\nb: 1", "x\ny"),
        ("a: |+\n  x\n  y\n\n\nb: 1", "x\ny\n\n\n"),
        ("a: >\n  x\n  y\n\n\nb: 1", "x y\n"),
        ("a: >-\n  x\n  y\n\n\nb: 1", "x y"),
        ("a: >+\n  x\n  y\n\n\nb: 1", "x y\n\n\n"),
        // No final line break at the end of the input.
        ("a: |\n  x", "x"),
        ("a: |+\n  x", "x"),
        // Empty block scalars.
        ("a: |\nb: 1", ""),
        ("a: |+\n\nb: 1", "\n"),
        ("a: >-\n\n\nb: 1", ""),
        // Leading empty lines are kept; indentation comes from the first non-empty line.
        ("a: |\n\n  x\n", "\nx\n"),
        ("a: |\n    x\n      y\n    z\n", "x\n  y\nz\n"),
        // Explicit indentation indicators, alone and with chomping in either order.
        ("a: |2\n    x\n  y\n", "  x\ny\n"),
        ("a: |1-\n   x\n", "  x"),
        ("a: >-1\n   x\n", "  x"),
        ("- |1\n  explicit\n", " explicit\n"),
        ("--- |2\n   x\n", " x\n"),
        // Folding keeps breaks around more-indented lines and turns empty lines into breaks
        // (spec example 8.10).
        (">\n\n folded\n line\n\n next\n line\n   * bullet\n\n   * list\n   * lines\n\n last\n line\n\n# Comment\n",
         "\nfolded line\nnext line\n  * bullet\n\n  * list\n  * lines\n\nlast line\n"),
        ("a: >\n  one\n  two\n\n  three\n", "one two\nthree\n"),
        // Header comments; `#` inside the content is text.
        ("a: | # comment\n  # not a comment\n  x\n", "# not a comment\nx\n"),
        // Trailing spaces beyond the indentation are content.
        ("a: |\n  x  \n", "x  \n"),
        // A tab after the indentation is content.
        ("a: |\n  \tx\n", "\tx\n"),
        // The block scalar ends at a less indented line and a comment there is a comment.
        ("a: |\n  x\n# c\nb: 1", "x\n"),
        // k8s-style embedded YAML keeps its own structure as text.
        ("data:\n  prometheus.yml: |-\n    global:\n      scrape_interval: 15s\n",
         "global:\n  scrape_interval: 15s"),
    ] as [(String, String)])
    func decodes(_ input: String, _ expected: String) throws {
        let node = try #require(try YAMLReader.document(input, file: "t"))
        var value = node
        while true {
            if let items = value.items, let first = items.first { value = first; continue }
            if let pairs = value.pairs, let first = pairs.first { value = first.value; continue }
            break
        }
        #expect(value.scalar == expected)
    }

    @Test func followingKeysStillParse() throws {
        #expect(try Rendering.documents("a: >-\n  x\n  y\nb: |\n  z\nc: 1")
                == #"{"a": "x y", "b": "z\n", "c": "1"}"#)
    }
}
