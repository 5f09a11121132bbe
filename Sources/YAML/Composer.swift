/// Assembles parser events into `YAMLNode` trees: resolves aliases, applies merge keys and
/// rejects duplicate keys.
///
/// Collections under construction live on an explicit stack, so deep documents cost heap, not
/// call stack. Aliases are expanded into copies; copies share storage (Swift arrays are
/// copy-on-write), but a consumer walking the tree sees every copy, so the nodes aliases bring
/// in are capped at `maxNodes` per document against "billion laughs" inputs. Nodes written out
/// in the text are not counted: the input size already bounds them.
struct Composer {
    /// A sequence or mapping whose end event has not arrived yet.
    private struct Frame {
        var isMapping: Bool
        var properties: NodeProperties
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        /// Line of each scalar key seen so far, for duplicate detection.
        var keyLines: [String: Int] = [:]
        /// Pairs brought in by `<<` entries, with the index in `pairs` where they go.
        var merges: [(at: Int, pairs: [YAMLPair])] = []
        /// Nodes in this subtree with aliases expanded, for the expansion budget.
        var size = 1
    }

    private var parser: Parser
    private let file: String
    private let maxNodes: Int
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var aliasedNodes = 0

    init(parser: Parser, file: String, maxNodes: Int) {
        self.parser = parser
        self.file = file
        self.maxNodes = maxNodes
    }

    private func error(_ message: String, at mark: Mark) -> YAMLError {
        YAMLError(file: file, mark: mark, message: message)
    }

    /// Every document of the stream.
    mutating func documents() throws(YAMLError) -> [YAMLNode] {
        var documents: [YAMLNode] = []
        while true {
            switch try parser.next() {
            case .streamStart, .documentEnd:
                continue
            case .streamEnd:
                return documents
            case .documentStart:
                // Anchors are local to their document (§9.1).
                anchors = [:]
                aliasedNodes = 0
                documents.append(try composeDocumentRoot())
            default:
                // The parser only emits node events between documentStart and documentEnd.
                continue
            }
        }
    }

    private mutating func composeDocumentRoot() throws(YAMLError) -> YAMLNode {
        var stack: [Frame] = []
        while true {
            let completed: (node: YAMLNode, size: Int)
            switch try parser.next() {
            case .scalar(let text, let style, let properties):
                let node = YAMLNode(.scalar(text, style), mark: properties.mark, tag: properties.tag)
                if let anchor = properties.anchor { anchors[anchor] = (node, 1) }
                completed = (node, 1)
            case .alias(let name, let mark):
                guard let target = anchors[name] else {
                    throw error("unknown anchor \"\(name)\" referenced by alias *\(name)", at: mark)
                }
                aliasedNodes += target.size
                if aliasedNodes > maxNodes {
                    throw error("aliases in this document expand to more than \(maxNodes) nodes "
                                + "(refusing a possible alias bomb)", at: mark)
                }
                var node = target.node
                node.mark = mark
                completed = (node, target.size)
            case .sequenceStart(let properties):
                stack.append(Frame(isMapping: false, properties: properties))
                continue
            case .mappingStart(let properties):
                stack.append(Frame(isMapping: true, properties: properties))
                continue
            case .sequenceEnd, .mappingEnd:
                guard let frame = stack.popLast() else { continue }
                let node = finish(frame)
                if let anchor = frame.properties.anchor { anchors[anchor] = (node, frame.size) }
                completed = (node, frame.size)
            case .streamStart, .streamEnd, .documentStart, .documentEnd:
                // Unreachable: the parser closes every collection and emits a root first.
                throw error("internal error: document structure ended early", at: Mark(line: 1, column: 1))
            }
            guard !stack.isEmpty else { return completed.node }
            try add(completed.node, size: completed.size, to: &stack[stack.count - 1])
        }
    }

    private func add(_ node: YAMLNode, size: Int, to frame: inout Frame) throws(YAMLError) {
        frame.size += size
        guard frame.isMapping else {
            frame.items.append(node)
            return
        }
        guard let key = frame.pendingKey else {
            frame.pendingKey = node
            return
        }
        frame.pendingKey = nil
        if Self.isMergeKey(key) {
            frame.merges.append((frame.pairs.count, try mergedPairs(from: node)))
            return
        }
        if let text = key.scalar {
            if let line = frame.keyLines[text] {
                throw error("mapping key \"\(text)\" already defined at line \(line)", at: key.mark)
            }
            frame.keyLines[text] = key.mark.line
        }
        frame.pairs.append(YAMLPair(key: key, value: node))
    }

    /// `<<` written plain (or tagged `!!merge`): the YAML 1.1 merge key, which Prometheus'
    /// Go YAML library (yaml.v2) honours.
    private static func isMergeKey(_ key: YAMLNode) -> Bool {
        guard case .scalar("<<", let style) = key.kind else { return false }
        return (style == .plain && key.tag == nil) || key.tag == "!!merge"
    }

    /// The pairs a `<<` value contributes: a mapping, or a sequence of mappings where earlier
    /// mappings win over later ones (https://yaml.org/type/merge.html).
    private func mergedPairs(from value: YAMLNode) throws(YAMLError) -> [YAMLPair] {
        switch value.kind {
        case .mapping(let pairs):
            return pairs
        case .sequence(let items):
            var result: [YAMLPair] = []
            for item in items {
                guard case .mapping(let pairs) = item.kind else {
                    throw error("merge key '<<' needs a mapping or a sequence of mappings, "
                                + "found a \(item.kindName) in the sequence", at: item.mark)
                }
                result.append(contentsOf: pairs)
            }
            return result
        case .scalar:
            throw error("merge key '<<' needs a mapping or a sequence of mappings, found a scalar",
                        at: value.mark)
        }
    }

    private func finish(_ frame: Frame) -> YAMLNode {
        let mark = frame.properties.mark
        let tag = frame.properties.tag
        guard frame.isMapping else { return YAMLNode(.sequence(frame.items), mark: mark, tag: tag) }
        var pairs = frame.pairs
        if let key = frame.pendingKey {
            // Unreachable with this parser (every key gets a value event); kept total anyway.
            pairs.append(YAMLPair(key: key, value: YAMLNode(.scalar("", .plain), mark: key.mark)))
        }
        guard !frame.merges.isEmpty else { return YAMLNode(.mapping(pairs), mark: mark, tag: tag) }
        // Explicit keys win over merged ones wherever they appear; among merged pairs the
        // first occurrence wins. Merged pairs go where their `<<` was written.
        var taken = Set(frame.keyLines.keys)
        var result: [YAMLPair] = []
        result.reserveCapacity(pairs.count)
        var nextMerge = 0
        for index in 0...pairs.count {
            while nextMerge < frame.merges.count && frame.merges[nextMerge].at == index {
                for pair in frame.merges[nextMerge].pairs {
                    if let text = pair.key.scalar {
                        guard taken.insert(text).inserted else { continue }
                    }
                    result.append(pair)
                }
                nextMerge += 1
            }
            if index < pairs.count { result.append(pairs[index]) }
        }
        return YAMLNode(.mapping(result), mark: mark, tag: tag)
    }
}
