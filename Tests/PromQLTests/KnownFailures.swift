/// Script cases (`file:line` of the `eval`) that fail, each with the reason. Keep it short.
enum KnownFailures {
    static let reasons: [String: String] = [:]
}
