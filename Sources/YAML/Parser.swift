/// Turns tokens into events following the YAML 1.2 grammar (chapters 8 and 9).
///
/// The parser is a state machine with an explicit stack of states to return to, so nesting
/// depth costs heap, never call stack; the scanner already caps it at `maxDepth`.
struct Parser {
    private enum State {
        case streamStart, implicitDocumentStart, documentStart, documentContent, documentEnd
        case blockNode, blockNodeOrIndentlessSequence, flowNode
        case blockSequenceFirstEntry, blockSequenceEntry, indentlessSequenceEntry
        case blockMappingFirstKey, blockMappingKey, blockMappingValue
        case flowSequenceFirstEntry, flowSequenceEntry(first: Bool)
        case flowSequenceEntryMappingKey, flowSequenceEntryMappingValue, flowSequenceEntryMappingEnd
        case flowMappingFirstKey, flowMappingKey(first: Bool), flowMappingValue, flowMappingEmptyValue
        case end
    }

    private var scanner: Scanner
    private var state = State.streamStart
    private var states: [State] = []
    /// Where each open flow collection started, for messages about a missing `]` or `}`.
    private var flowStarts: [Mark] = []

    init(scanner: Scanner) {
        self.scanner = scanner
    }

    private func error(_ message: String, at mark: Mark) -> YAMLError {
        YAMLError(file: scanner.file, mark: mark, message: message)
    }

    private mutating func peek() throws(YAMLError) -> Token { try scanner.peekToken() }

    @discardableResult
    private mutating func take() throws(YAMLError) -> Token { try scanner.nextToken() }

    private mutating func popState() {
        state = states.popLast() ?? .end
    }

    private func emptyScalar(at mark: Mark) -> Event {
        .scalar("", .plain, NodeProperties(anchor: nil, tag: nil, mark: mark))
    }

    /// The next event. After `.streamEnd` it keeps returning `.streamEnd`.
    mutating func next() throws(YAMLError) -> Event {
        switch state {
        case .streamStart:
            _ = try take()  // The scanner always starts with streamStart.
            state = .implicitDocumentStart
            return .streamStart
        case .implicitDocumentStart:
            let token = try peek()
            switch token.kind {
            case .directive, .documentStart, .documentEnd, .streamEnd:
                state = .documentStart
                return try next()
            default:
                // A bare document: `---` is optional before the first one (§9.1.3).
                states.append(.documentEnd)
                state = .blockNode
                return .documentStart(token.start)
            }
        case .documentStart:
            return try parseDocumentStart()
        case .documentContent:
            let token = try peek()
            switch token.kind {
            case .directive, .documentStart, .documentEnd, .streamEnd:
                popState()
                return emptyScalar(at: token.start)
            default:
                return try parseNode(block: true, indentlessSequence: false)
            }
        case .documentEnd:
            let token = try peek()
            if case .documentEnd = token.kind {
                try take()
                // After `...` a new document may start without `---` (§9.2).
                state = .implicitDocumentStart
            } else {
                state = .documentStart
            }
            return .documentEnd
        case .blockNode:
            return try parseNode(block: true, indentlessSequence: false)
        case .blockNodeOrIndentlessSequence:
            return try parseNode(block: true, indentlessSequence: true)
        case .flowNode:
            return try parseNode(block: false, indentlessSequence: false)
        case .blockSequenceFirstEntry:
            try take()
            state = .blockSequenceEntry
            return try next()
        case .blockSequenceEntry:
            return try parseBlockSequenceEntry()
        case .indentlessSequenceEntry:
            return try parseIndentlessSequenceEntry()
        case .blockMappingFirstKey:
            try take()
            state = .blockMappingKey
            return try next()
        case .blockMappingKey:
            return try parseBlockMappingKey()
        case .blockMappingValue:
            return try parseBlockMappingValue()
        case .flowSequenceFirstEntry:
            flowStarts.append(try take().start)
            state = .flowSequenceEntry(first: true)
            return try next()
        case .flowSequenceEntry(let first):
            return try parseFlowSequenceEntry(first: first)
        case .flowSequenceEntryMappingKey:
            let token = try peek()
            switch token.kind {
            case .value, .flowEntry, .flowSequenceEnd:
                state = .flowSequenceEntryMappingValue
                return emptyScalar(at: token.start)
            default:
                states.append(.flowSequenceEntryMappingValue)
                return try parseNode(block: false, indentlessSequence: false)
            }
        case .flowSequenceEntryMappingValue:
            let token = try peek()
            if case .value = token.kind {
                try take()
                let next = try peek()
                switch next.kind {
                case .flowEntry, .flowSequenceEnd:
                    state = .flowSequenceEntryMappingEnd
                    return emptyScalar(at: token.end)
                default:
                    states.append(.flowSequenceEntryMappingEnd)
                    return try parseNode(block: false, indentlessSequence: false)
                }
            }
            state = .flowSequenceEntryMappingEnd
            return emptyScalar(at: token.start)
        case .flowSequenceEntryMappingEnd:
            state = .flowSequenceEntry(first: false)
            return .mappingEnd
        case .flowMappingFirstKey:
            flowStarts.append(try take().start)
            state = .flowMappingKey(first: true)
            return try next()
        case .flowMappingKey(let first):
            return try parseFlowMappingKey(first: first)
        case .flowMappingValue:
            let token = try peek()
            if case .value = token.kind {
                try take()
                let next = try peek()
                switch next.kind {
                case .flowEntry, .flowMappingEnd:
                    state = .flowMappingKey(first: false)
                    return emptyScalar(at: token.end)
                default:
                    states.append(.flowMappingKey(first: false))
                    return try parseNode(block: false, indentlessSequence: false)
                }
            }
            state = .flowMappingKey(first: false)
            return emptyScalar(at: token.start)
        case .flowMappingEmptyValue:
            state = .flowMappingKey(first: false)
            return emptyScalar(at: try peek().start)
        case .end:
            return .streamEnd
        }
    }

    // MARK: Documents

    private mutating func parseDocumentStart() throws(YAMLError) -> Event {
        // Stray `...` markers between documents are allowed (§9.2).
        while case .documentEnd = try peek().kind { try take() }
        var token = try peek()
        if case .streamEnd = token.kind {
            try take()
            state = .end
            return .streamEnd
        }
        while case .directive = token.kind {
            try take()
            token = try peek()
        }
        guard case .documentStart = token.kind else {
            throw error("expected '---' before a new document after the end of the previous one, "
                        + "found \(token.description)", at: token.start)
        }
        try take()
        states.append(.documentEnd)
        state = .documentContent
        return .documentStart(token.start)
    }

    // MARK: Nodes

    /// A node: an alias, or optional anchor and tag followed by a scalar or collection.
    private mutating func parseNode(block: Bool, indentlessSequence: Bool) throws(YAMLError) -> Event {
        var token = try peek()
        if case .alias(let name) = token.kind {
            try take()
            popState()
            return .alias(name, token.start)
        }
        var properties = NodeProperties(anchor: nil, tag: nil, mark: token.start)
        var hasProperties = false
        var propertiesEnd = token.start
        readProperties: while true {
            switch token.kind {
            case .anchor(let name):
                guard properties.anchor == nil else {
                    throw error("a node can have only one anchor", at: token.start)
                }
                properties.anchor = name
            case .tag(let tag):
                guard properties.tag == nil else {
                    throw error("a node can have only one tag", at: token.start)
                }
                properties.tag = tag
            default:
                break readProperties
            }
            hasProperties = true
            propertiesEnd = token.end
            try take()
            token = try peek()
        }
        if !hasProperties { properties.mark = token.start }

        switch token.kind {
        case .blockEntry where indentlessSequence:
            state = .indentlessSequenceEntry
            return .sequenceStart(properties)
        case .scalar(let text, let style):
            try take()
            popState()
            return .scalar(text, style, properties)
        case .flowSequenceStart:
            state = .flowSequenceFirstEntry
            return .sequenceStart(properties)
        case .flowMappingStart:
            state = .flowMappingFirstKey
            return .mappingStart(properties)
        case .blockSequenceStart where block:
            state = .blockSequenceFirstEntry
            return .sequenceStart(properties)
        case .blockMappingStart where block:
            state = .blockMappingFirstKey
            return .mappingStart(properties)
        default:
            if hasProperties {
                // `key: &a` or `key: !!str` with nothing after: an empty scalar (§7.2).
                popState()
                return .scalar("", .plain, NodeProperties(anchor: properties.anchor, tag: properties.tag,
                                                          mark: propertiesEnd))
            }
            throw error("expected a value, found \(token.description)", at: token.start)
        }
    }

    // MARK: Block collections

    private mutating func parseBlockSequenceEntry() throws(YAMLError) -> Event {
        let token = try peek()
        switch token.kind {
        case .blockEntry:
            try take()
            let next = try peek()
            switch next.kind {
            case .blockEntry, .blockEnd:
                state = .blockSequenceEntry
                return emptyScalar(at: token.end)
            default:
                states.append(.blockSequenceEntry)
                return try parseNode(block: true, indentlessSequence: false)
            }
        case .blockEnd:
            try take()
            popState()
            return .sequenceEnd
        default:
            throw error("expected '-' for the next sequence item, found \(token.description) "
                        + "(bad indentation?)", at: token.start)
        }
    }

    /// A sequence whose `-` sit at the same column as the mapping key that owns it (§8.2.1).
    private mutating func parseIndentlessSequenceEntry() throws(YAMLError) -> Event {
        let token = try peek()
        guard case .blockEntry = token.kind else {
            popState()
            return .sequenceEnd
        }
        try take()
        let next = try peek()
        switch next.kind {
        case .blockEntry, .key, .value, .blockEnd:
            state = .indentlessSequenceEntry
            return emptyScalar(at: token.end)
        default:
            states.append(.indentlessSequenceEntry)
            return try parseNode(block: true, indentlessSequence: false)
        }
    }

    private mutating func parseBlockMappingKey() throws(YAMLError) -> Event {
        let token = try peek()
        switch token.kind {
        case .key:
            try take()
            let next = try peek()
            switch next.kind {
            case .key, .value, .blockEnd:
                state = .blockMappingValue
                return emptyScalar(at: token.end)
            default:
                states.append(.blockMappingValue)
                return try parseNode(block: true, indentlessSequence: true)
            }
        case .value:
            // `: value` with an empty key.
            state = .blockMappingValue
            return emptyScalar(at: token.start)
        case .blockEnd:
            try take()
            popState()
            return .mappingEnd
        default:
            throw error("expected a mapping key, found \(token.description) (bad indentation?)", at: token.start)
        }
    }

    private mutating func parseBlockMappingValue() throws(YAMLError) -> Event {
        let token = try peek()
        guard case .value = token.kind else {
            state = .blockMappingKey
            return emptyScalar(at: token.start)
        }
        try take()
        let next = try peek()
        switch next.kind {
        case .key, .value, .blockEnd:
            state = .blockMappingKey
            return emptyScalar(at: token.end)
        default:
            states.append(.blockMappingKey)
            return try parseNode(block: true, indentlessSequence: true)
        }
    }

    // MARK: Flow collections

    private var flowStartDescription: String {
        guard let start = flowStarts.last else { return "an unknown position" }
        return "line \(start.line), column \(start.column)"
    }

    private mutating func parseFlowSequenceEntry(first: Bool) throws(YAMLError) -> Event {
        var token = try peek()
        if case .flowSequenceEnd = token.kind {
            try take()
            flowStarts.removeLast()
            popState()
            return .sequenceEnd
        }
        if !first {
            guard case .flowEntry = token.kind else {
                throw error("expected ',' or ']' in the flow sequence started at \(flowStartDescription), "
                            + "found \(token.description)", at: token.start)
            }
            try take()
            token = try peek()
            // A trailing comma before `]` is allowed.
            if case .flowSequenceEnd = token.kind {
                try take()
                flowStarts.removeLast()
                popState()
                return .sequenceEnd
            }
        }
        if case .key = token.kind {
            // `[a: 1]`: a single-pair mapping inside a flow sequence (§7.4.1).
            try take()
            state = .flowSequenceEntryMappingKey
            return .mappingStart(NodeProperties(anchor: nil, tag: nil, mark: token.start))
        }
        states.append(.flowSequenceEntry(first: false))
        return try parseNode(block: false, indentlessSequence: false)
    }

    private mutating func parseFlowMappingKey(first: Bool) throws(YAMLError) -> Event {
        var token = try peek()
        if case .flowMappingEnd = token.kind {
            try take()
            flowStarts.removeLast()
            popState()
            return .mappingEnd
        }
        if !first {
            guard case .flowEntry = token.kind else {
                throw error("expected ',' or '}' in the flow mapping started at \(flowStartDescription), "
                            + "found \(token.description)", at: token.start)
            }
            try take()
            token = try peek()
            if case .flowMappingEnd = token.kind {
                try take()
                flowStarts.removeLast()
                popState()
                return .mappingEnd
            }
        }
        if case .key = token.kind {
            try take()
            let next = try peek()
            switch next.kind {
            case .value, .flowEntry, .flowMappingEnd:
                state = .flowMappingValue
                return emptyScalar(at: next.start)
            default:
                states.append(.flowMappingValue)
                return try parseNode(block: false, indentlessSequence: false)
            }
        }
        if case .value = token.kind {
            // `{: v}`: an empty key.
            state = .flowMappingValue
            return emptyScalar(at: token.start)
        }
        // `{a, b}`: keys without values.
        states.append(.flowMappingEmptyValue)
        return try parseNode(block: false, indentlessSequence: false)
    }
}
