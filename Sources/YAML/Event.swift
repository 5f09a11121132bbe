/// One step of a document's structure, produced by `Parser` and assembled by `Composer`.
enum Event {
    case streamStart, streamEnd
    case documentStart(Mark), documentEnd
    case alias(String, Mark)
    case scalar(String, ScalarStyle, NodeProperties)
    case sequenceStart(NodeProperties)
    case sequenceEnd
    case mappingStart(NodeProperties)
    case mappingEnd
}

/// The anchor and tag written before a node, and where the node (with them) starts.
struct NodeProperties {
    var anchor: String?
    var tag: String?
    var mark: Mark
}
