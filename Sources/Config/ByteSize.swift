/// A number of bytes written with Prometheus' base-2 units: `15MB`, `1GiB`, `512KB`, `0`.
///
/// Prometheus parses these with `units.ParseBase2Bytes`: `KB` and `KiB` both mean 1024,
/// lowercase `kB` is rejected, fractions (`1.5GB`) and sums (`1GB512MB`) are allowed, a unit
/// is required except for a bare `0`, and a leading `-` is accepted (the caller rejects
/// negative sizes where they make no sense). It prints back as `15MiB`, `0B`.
package struct ByteSize: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The size in bytes; may be negative only until validated.
    package var bytes: Int64

    package init(bytes: Int64) {
        self.bytes = bytes
    }

    package static func < (lhs: ByteSize, rhs: ByteSize) -> Bool {
        lhs.bytes < rhs.bytes
    }

    private static let iecUnits: [String: Double] = [
        "B": 1, "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824,
        "TiB": 1_099_511_627_776, "PiB": 1_125_899_906_842_624, "EiB": 1_152_921_504_606_846_976,
    ]
    private static let legacyUnits: [String: Double] = [
        "B": 1, "KB": 1024, "MB": 1_048_576, "GB": 1_073_741_824,
        "TB": 1_099_511_627_776, "PB": 1_125_899_906_842_624, "EB": 1_152_921_504_606_846_976,
    ]

    /// Parses a size; the error message is the one Prometheus prints (`units: unknown unit  in
    /// 100`), without a position (the caller adds it).
    package init(parsing text: String) throws(ConfigError) {
        // Like ParseBase2Bytes: try the IEC spellings, then the old ones, keep the last error.
        switch Self.parse(text, units: Self.iecUnits) {
        case .success(let value):
            self.init(bytes: value)
        case .failure:
            switch Self.parse(text, units: Self.legacyUnits) {
            case .success(let value): self.init(bytes: value)
            case .failure(let message):
                throw ConfigError(kind: .invalid, file: "", line: nil, column: nil, message: message.text)
            }
        }
    }

    private struct Message: Error { var text: String }

    private static func parse(_ original: String, units: [String: Double]) -> Result<Int64, Message> {
        var rest = Substring(original)
        var negative = false
        if let first = rest.first, first == "-" || first == "+" {
            negative = first == "-"
            rest = rest.dropFirst()
        }
        if rest == "0" { return .success(0) }
        if rest.isEmpty { return .failure(Message(text: "units: invalid " + original)) }
        var total = 0.0
        func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" }
        while !rest.isEmpty {
            guard let first = rest.first, first == "." || isDigit(first) else {
                return .failure(Message(text: "units: invalid " + original))
            }
            let intDigits = rest.prefix(while: isDigit)
            rest = rest.dropFirst(intDigits.count)
            var value = Double(String(intDigits)) ?? 0
            var fracDigits: Substring = ""
            if rest.first == "." {
                rest = rest.dropFirst()
                fracDigits = rest.prefix(while: isDigit)
                rest = rest.dropFirst(fracDigits.count)
                if !fracDigits.isEmpty {
                    value += (Double("0." + fracDigits) ?? 0)
                }
            }
            if intDigits.isEmpty && fracDigits.isEmpty {
                return .failure(Message(text: "units: invalid " + original))
            }
            if intDigits.count > 18 { return .failure(Message(text: "units: invalid " + original)) }
            let unit = rest.prefix(while: { $0 != "." && !isDigit($0) })
            rest = rest.dropFirst(unit.count)
            guard let scale = units[String(unit)] else {
                return .failure(Message(text: "units: unknown unit \(unit) in \(original)"))
            }
            total += value * scale
        }
        if negative { total = -total }
        guard total >= -9.223372036854775808e18, total < 9.223372036854775808e18 else {
            return .failure(Message(text: "units: overflow parsing unit"))
        }
        return .success(Int64(total))
    }

    /// Prometheus' rendering (`units.Base2Bytes.String()`): `15MiB`, `1GiB512MiB`, `0B`.
    package var description: String {
        let prefixes = ["", "K", "M", "G", "T", "P", "E"]
        var parts = [String](repeating: "", count: prefixes.count)
        var n = bytes
        for (index, prefix) in prefixes.enumerated() {
            if n % 1024 != 0 || (index == 0 && n == 0) {
                parts[prefixes.count - 1 - index] = "\(n % 1024)\(prefix)\(index == 0 ? "B" : "iB")"
            }
            n /= 1024
            if n == 0 { break }
        }
        return parts.joined()
    }
}
