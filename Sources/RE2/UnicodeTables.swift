import Synchronization

/// Character sets named in patterns: Perl's `\d \s \w`, POSIX `[:alpha:]` (ASCII, as in RE2),
/// Unicode general categories `\pL` / `\p{Lu}`, and case-folding orbits for `(?i)`.
///
/// Category and fold tables come from the platform's Unicode data (`Unicode.Scalar.Properties`),
/// built once per process on first use.
enum UnicodeTables {
    static let perl: [Character: CharClass] = [
        "d": CharClass([0x30 ... 0x39]),
        "s": CharClass([0x09 ... 0x0A, 0x0C ... 0x0D, 0x20 ... 0x20]),
        "w": CharClass([0x30 ... 0x39, 0x41 ... 0x5A, 0x5F ... 0x5F, 0x61 ... 0x7A]),
    ]

    static let posix: [String: CharClass] = [
        "alnum": CharClass([0x30 ... 0x39, 0x41 ... 0x5A, 0x61 ... 0x7A]),
        "alpha": CharClass([0x41 ... 0x5A, 0x61 ... 0x7A]),
        "ascii": CharClass([0x00 ... 0x7F]),
        "blank": CharClass([0x09 ... 0x09, 0x20 ... 0x20]),
        "cntrl": CharClass([0x00 ... 0x1F, 0x7F ... 0x7F]),
        "digit": CharClass([0x30 ... 0x39]),
        "graph": CharClass([0x21 ... 0x7E]),
        "lower": CharClass([0x61 ... 0x7A]),
        "print": CharClass([0x20 ... 0x7E]),
        "punct": CharClass([0x21 ... 0x2F, 0x3A ... 0x40, 0x5B ... 0x60, 0x7B ... 0x7E]),
        "space": CharClass([0x09 ... 0x0D, 0x20 ... 0x20]),
        "upper": CharClass([0x41 ... 0x5A]),
        "word": CharClass([0x30 ... 0x39, 0x41 ... 0x5A, 0x5F ... 0x5F, 0x61 ... 0x7A]),
        "xdigit": CharClass([0x30 ... 0x39, 0x41 ... 0x46, 0x61 ... 0x66]),
    ]

    /// Go's category names (`unicode.Categories`) and the platform categories each covers.
    static let categoryNames: [String: [Unicode.GeneralCategory]] = {
        let one: [String: Unicode.GeneralCategory] = [
            "Lu": .uppercaseLetter, "Ll": .lowercaseLetter, "Lt": .titlecaseLetter, "Lm": .modifierLetter,
            "Lo": .otherLetter, "Mn": .nonspacingMark, "Mc": .spacingMark, "Me": .enclosingMark,
            "Nd": .decimalNumber, "Nl": .letterNumber, "No": .otherNumber, "Pc": .connectorPunctuation,
            "Pd": .dashPunctuation, "Ps": .openPunctuation, "Pe": .closePunctuation,
            "Pi": .initialPunctuation, "Pf": .finalPunctuation, "Po": .otherPunctuation,
            "Sm": .mathSymbol, "Sc": .currencySymbol, "Sk": .modifierSymbol, "So": .otherSymbol,
            "Zs": .spaceSeparator, "Zl": .lineSeparator, "Zp": .paragraphSeparator, "Cc": .control,
            "Cf": .format, "Cs": .surrogate, "Co": .privateUse,
        ]
        var out = one.mapValues { [$0] }
        for major in ["L", "M", "N", "P", "S", "Z"] {
            out[major] = one.filter { $0.key.hasPrefix(major) }.map(\.value)
        }
        // Go's `C` is Cc, Cf, Co and Cs (unassigned code points are not in it).
        out["C"] = [.control, .format, .privateUse, .surrogate]
        return out
    }()

    private static let categoryCache = Mutex<[String: CharClass]>([:])

    /// The scalars of a named category (`L`, `Lu`, …) or `Any`; nil when the name is unknown.
    static func category(_ name: String) -> CharClass? {
        if name == "Any" { return CharClass([0 ... CharClass.maxScalar]) }
        guard let cats = categoryNames[name] else { return nil }
        if let c = categoryCache.withLock({ $0[name] }) { return c }
        var ranges: [ClosedRange<UInt32>] = []
        var start: UInt32? = nil
        var v: UInt32 = 0
        while v <= CharClass.maxScalar {
            let inside: Bool
            if let s = Unicode.Scalar(v) {
                inside = cats.contains(s.properties.generalCategory)
            } else {
                inside = cats.contains(.surrogate)
            }
            if inside, start == nil { start = v }
            if !inside, let s = start { ranges.append(s ... v - 1); start = nil }
            v += 1
        }
        if let s = start { ranges.append(s ... CharClass.maxScalar) }
        let c = CharClass(ranges)
        categoryCache.withLock { $0[name] = c }
        return c
    }

    /// The simple (one-scalar) case mappings of `c`, as Go's `unicode.SimpleFold` orbit sees them.
    private static func foldKey(_ v: UInt32) -> UInt32 {
        guard let s = Unicode.Scalar(v) else { return v }
        let up = single(s.properties.uppercaseMapping) ?? v
        guard let u = Unicode.Scalar(up) else { return up }
        return single(u.properties.lowercaseMapping) ?? up
    }

    private static func single(_ s: String) -> UInt32? {
        var it = s.unicodeScalars.makeIterator()
        guard let first = it.next(), it.next() == nil else { return nil }
        return first.value
    }

    /// Every scalar whose fold key is shared with another one, grouped by key.
    private static let orbits: [UInt32: [UInt32]] = {
        var byKey: [UInt32: [UInt32]] = [:]
        var v: UInt32 = 0
        while v <= CharClass.maxScalar {
            if let s = Unicode.Scalar(v), s.properties.changesWhenCaseMapped || s.properties.isCased {
                byKey[foldKey(v), default: []].append(v)
            }
            v += 1
        }
        return byKey.filter { $0.value.count > 1 }
    }()

    /// `c` and the scalars that match it case-insensitively.
    static func foldOrbit(_ c: UInt32) -> [UInt32] {
        if c < 0x80 {
            switch c {
            case 0x41 ... 0x5A, 0x61 ... 0x7A: break
            default: return [c]
            }
        }
        if let o = orbits[foldKey(c)] { return o.contains(c) ? o : o + [c] }
        return [c]
    }

    /// A class closed under case folding (Go's `appendFoldedRange`).
    static func folded(_ cls: CharClass) -> CharClass {
        var out = cls.normalized
        for r in cls.normalized.ranges {
            // Ranges beyond the cased scripts, or wider than any real class, are kept as they are.
            let lo = max(r.lowerBound, 0x41), hi = min(r.upperBound, 0x1F000)
            if lo > hi || hi - lo > 0x20000 { continue }
            for v in lo ... hi {
                for f in foldOrbit(v) where f != v { out.add(f) }
            }
        }
        out.normalize()
        return out
    }
}
