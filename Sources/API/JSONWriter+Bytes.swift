import Model

extension JSONWriter {
    /// Appends raw UTF-8 bytes as a quoted JSON string with Go's escaping (see `JSONWriter`),
    /// for label names and values read straight from a `Labels` encoding. Runs of bytes that
    /// need no escaping are copied in one go; invalid UTF-8 becomes U+FFFD as in Go.
    package static func appendString(bytes raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(0x22)
        let n = raw.count
        var runStart = 0
        var i = 0
        while i < n {
            let b = raw[i]
            if b >= 0x20 && b < 0x80 && b != 0x22 && b != 0x5c && b != 0x3c && b != 0x3e && b != 0x26 {
                i += 1
                continue
            }
            if b >= 0x80 {
                let width = utf8Width(raw, at: i)
                if width > 0 {
                    // U+2028 and U+2029 (E2 80 A8/A9) are escaped; other valid sequences copied.
                    if width == 3 && b == 0xE2 && raw[i + 1] == 0x80 && (raw[i + 2] == 0xA8 || raw[i + 2] == 0xA9) {
                        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart ..< i]))
                        out.append(contentsOf: raw[i + 2] == 0xA8 ? Array("\\u2028".utf8) : Array("\\u2029".utf8))
                        i += 3
                        runStart = i
                    } else {
                        i += width
                    }
                    continue
                }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart ..< i]))
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                i += 1
                runStart = i
                continue
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart ..< i]))
            switch b {
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xf)]])
            }
            i += 1
            runStart = i
        }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[runStart ..< n]))
        out.append(0x22)
    }

    /// The length of the valid UTF-8 sequence starting at `i`, or 0 when it is invalid
    /// (overlong forms, surrogates and values above U+10FFFF are invalid, as in Go).
    private static func utf8Width(_ raw: UnsafeRawBufferPointer, at i: Int) -> Int {
        let b0 = raw[i]
        let n = raw.count
        func cont(_ k: Int) -> Bool { k < n && raw[k] & 0xC0 == 0x80 }
        switch b0 {
        case 0xC2 ... 0xDF:
            return cont(i + 1) ? 2 : 0
        case 0xE0 ... 0xEF:
            guard cont(i + 1), cont(i + 2) else { return 0 }
            let b1 = raw[i + 1]
            if b0 == 0xE0 && b1 < 0xA0 { return 0 }
            if b0 == 0xED && b1 >= 0xA0 { return 0 }
            return 3
        case 0xF0 ... 0xF4:
            guard cont(i + 1), cont(i + 2), cont(i + 3) else { return 0 }
            let b1 = raw[i + 1]
            if b0 == 0xF0 && b1 < 0x90 { return 0 }
            if b0 == 0xF4 && b1 >= 0x90 { return 0 }
            return 4
        default:
            return 0
        }
    }

    /// `{"name":"value",...}` for a label set, in its (sorted) order; `{}` when empty.
    package static func appendLabels(_ labels: Labels, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        var first = true
        labels.forEachRaw { name, value in
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendString(bytes: name, to: &out)
            out.append(UInt8(ascii: ":"))
            appendString(bytes: value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Writes a label set as one value (see `appendLabels`).
    package mutating func labels(_ labels: Labels) {
        value { JSONWriter.appendLabels(labels, to: &$0) }
    }
}
