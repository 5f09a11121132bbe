/// One lexical unit produced by `Scanner` and consumed by `Parser`.
///
/// The split follows the YAML 1.2 productions: indentation becomes explicit
/// `blockSequenceStart`/`blockMappingStart` … `blockEnd` brackets, and implicit keys get a `key`
/// token inserted in front of them once the scanner sees their `:`.
struct Token {
    enum Kind: Equatable {
        case streamStart, streamEnd
        /// A `%YAML` or `%TAG` line; its content is ignored (tags are kept as written).
        case directive
        case documentStart, documentEnd
        case blockSequenceStart, blockMappingStart, blockEnd
        case flowSequenceStart, flowSequenceEnd, flowMappingStart, flowMappingEnd
        case blockEntry, flowEntry, key, value
        case alias(String), anchor(String), tag(String)
        case scalar(String, ScalarStyle)
    }

    var kind: Kind
    var start: Mark
    var end: Mark

    /// How the token reads in an error message ("found …").
    var description: String {
        switch kind {
        case .streamStart: return "the start of the input"
        case .streamEnd: return "the end of the input"
        case .directive: return "a directive"
        case .documentStart: return "'---'"
        case .documentEnd: return "'...'"
        case .blockSequenceStart: return "the start of a sequence"
        case .blockMappingStart: return "the start of a mapping"
        case .blockEnd: return "a less indented line"
        case .flowSequenceStart: return "'['"
        case .flowSequenceEnd: return "']'"
        case .flowMappingStart: return "'{'"
        case .flowMappingEnd: return "'}'"
        case .blockEntry: return "'-'"
        case .flowEntry: return "','"
        case .key: return "a mapping key"
        case .value: return "':'"
        case .alias(let name): return "alias *\(name)"
        case .anchor(let name): return "anchor &\(name)"
        case .tag(let tag): return "tag \(tag)"
        case .scalar(let text, _):
            let short = text.count > 20 ? String(text.prefix(20)) + "…" : text
            return "scalar \"\(short)\""
        }
    }
}
