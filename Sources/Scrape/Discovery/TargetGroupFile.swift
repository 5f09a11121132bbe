import Foundation
import Model
internal import YAML

/// Decoding a file_sd file: a JSON or YAML list of `{targets: [...], labels: {...}}`
/// (Prometheus' `targetgroup.Group` with strict decoding: unknown fields are errors).
package enum TargetGroupFile {
    /// The label every group of a file gets, holding the file's path.
    package static let filepathLabel = "__meta_filepath"

    /// The groups in `bytes`, read as JSON when `path` ends in `.json` (any case), else YAML.
    /// Each group's source is `<path>:<index>` and its labels include `__meta_filepath`.
    package static func decode(_ bytes: [UInt8], path: String) throws(ScrapeError) -> [TargetGroup] {
        let raw: [(targets: [String], labels: [String: String])]
        if path.lowercased().hasSuffix(".json") {
            raw = try decodeJSON(bytes, path: path)
        } else {
            raw = try decodeYAML(bytes, path: path)
        }
        var groups: [TargetGroup] = []
        for (index, group) in raw.enumerated() {
            var labels = group.labels
            labels[filepathLabel] = path
            groups.append(TargetGroup(source: "\(path):\(index)",
                                      targets: group.targets.map { ["__address__": $0] }, labels: labels))
        }
        return groups
    }

    private static func decodeJSON(_ bytes: [UInt8], path: String) throws(ScrapeError) -> [(targets: [String], labels: [String: String])] {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw .fileSD(path: path, reason: "invalid JSON: \(error.localizedDescription)")
        }
        guard let list = object as? [Any] else {
            throw .fileSD(path: path, reason: "json: cannot unmarshal \(jsonKind(object)) into Go value of type []*targetgroup.Group")
        }
        var out: [(targets: [String], labels: [String: String])] = []
        for item in list {
            if item is NSNull { throw .fileSD(path: path, reason: "nil target group item found") }
            guard let dict = item as? [String: Any] else {
                throw .fileSD(path: path, reason: "json: cannot unmarshal \(jsonKind(item)) into Go value of type targetgroup.Group")
            }
            var targets: [String] = []
            var labels: [String: String] = [:]
            for key in dict.keys.sorted() {
                let value = dict[key] ?? NSNull()
                switch key {
                case "targets":
                    if value is NSNull { continue }
                    guard let array = value as? [Any] else {
                        throw .fileSD(path: path, reason: "json: cannot unmarshal \(jsonKind(value)) into Go struct field .targets of type []string")
                    }
                    for t in array {
                        guard let s = t as? String else {
                            throw .fileSD(path: path, reason: "json: cannot unmarshal \(jsonKind(t)) into Go struct field .targets of type string")
                        }
                        targets.append(s)
                    }
                case "labels":
                    if value is NSNull { continue }
                    guard let map = value as? [String: Any] else {
                        throw .fileSD(path: path, reason: "json: cannot unmarshal \(jsonKind(value)) into Go struct field .labels of type model.LabelSet")
                    }
                    for (name, v) in map {
                        guard let s = v as? String else {
                            throw .fileSD(path: path, reason: "json: cannot unmarshal \(jsonKind(v)) into Go struct field .labels of type model.LabelValue")
                        }
                        labels[name] = s
                    }
                default:
                    throw .fileSD(path: path, reason: "json: unknown field \(goQuoted(key))")
                }
            }
            try validate(labels, path: path)
            out.append((targets, labels))
        }
        return out
    }

    private static func jsonKind(_ value: Any) -> String {
        switch value {
        case is String: return "string"
        case is NSNumber: return "number"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "null"
        }
    }

    private static func decodeYAML(_ bytes: [UInt8], path: String) throws(ScrapeError) -> [(targets: [String], labels: [String: String])] {
        let root: YAMLNode?
        do { root = try YAMLReader.document(bytes: bytes, file: path) } catch {
            throw .fileSD(path: path, reason: error.description)
        }
        guard let root, !root.isNull else { return [] }
        guard let items = root.items else {
            throw .fileSD(path: path, reason: "line \(root.mark.line): cannot unmarshal !!\(yamlKind(root)) into []*targetgroup.Group")
        }
        var out: [(targets: [String], labels: [String: String])] = []
        for item in items {
            if item.isNull { throw .fileSD(path: path, reason: "nil target group item found") }
            guard let pairs = item.pairs else {
                throw .fileSD(path: path, reason: "line \(item.mark.line): cannot unmarshal !!\(yamlKind(item)) into targetgroup.Group")
            }
            var targets: [String] = []
            var labels: [String: String] = [:]
            for pair in pairs {
                guard let key = pair.key.scalar else {
                    throw .fileSD(path: path, reason: "line \(pair.key.mark.line): mapping keys must be scalars")
                }
                let value = pair.value
                switch key {
                case "targets":
                    if value.isNull { continue }
                    guard let list = value.items else {
                        throw .fileSD(path: path, reason: "line \(value.mark.line): cannot unmarshal !!\(yamlKind(value)) into []string")
                    }
                    for t in list {
                        guard let s = t.scalar else {
                            throw .fileSD(path: path, reason: "line \(t.mark.line): cannot unmarshal !!\(yamlKind(t)) into string")
                        }
                        targets.append(s)
                    }
                case "labels":
                    if value.isNull { continue }
                    guard let map = value.pairs else {
                        throw .fileSD(path: path, reason: "line \(value.mark.line): cannot unmarshal !!\(yamlKind(value)) into model.LabelSet")
                    }
                    for p in map {
                        guard let name = p.key.scalar, let v = p.value.scalar else {
                            throw .fileSD(path: path, reason: "line \(p.key.mark.line): label names and values must be scalars")
                        }
                        labels[name] = p.value.isNull ? "" : v
                    }
                default:
                    throw .fileSD(path: path, reason: "line \(pair.key.mark.line): field \(key) not found in type struct { Targets []string \"yaml:\\\"targets\\\"\"; Labels model.LabelSet \"yaml:\\\"labels\\\"\" }")
                }
            }
            try validate(labels, path: path)
            out.append((targets, labels))
        }
        return out
    }

    private static func yamlKind(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar: return "str"
        case .sequence: return "seq"
        case .mapping: return "map"
        }
    }

    /// Prometheus 3 label-set checks: names non-empty (UTF-8 scheme).
    private static func validate(_ labels: [String: String], path: String) throws(ScrapeError) {
        for name in labels.keys where !isValidUTF8LabelName(name) {
            throw .fileSD(path: path, reason: "\(goQuoted(name)) is not a valid label name")
        }
    }
}
