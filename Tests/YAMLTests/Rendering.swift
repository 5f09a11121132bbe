import YAML

/// A compact canonical text for node trees, so table cases can state the expected tree inline.
///
/// Scalars are double-quoted with `\n`, `\t`, `\"` and `\\` escaped; sequences are `[a, b]`,
/// mappings `{k: v}`; an explicit tag prefixes its node (`!!str "1"`). Documents are joined
/// with ` | `. Scalar styles are not shown: tables that care check `style` directly.
enum Rendering {
    static func render(_ node: YAMLNode) -> String {
        let tag = node.tag.map { $0 + " " } ?? ""
        switch node.kind {
        case .scalar(let text, _):
            return tag + quote(text)
        case .sequence(let items):
            return tag + "[" + items.map(render).joined(separator: ", ") + "]"
        case .mapping(let pairs):
            return tag + "{" + pairs.map { render($0.key) + ": " + render($0.value) }.joined(separator: ", ") + "}"
        }
    }

    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Every document of `text`, rendered and joined with ` | `.
    static func documents(_ text: String) throws(YAMLError) -> String {
        try YAMLReader.documents(text, file: "test.yml").map(render).joined(separator: " | ")
    }
}
