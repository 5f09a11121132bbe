/// The configuration `vigil` runs with when `--config.file` is left at its default and no
/// `vigil.yml` exists: scrape Vigil itself and load the bundled rules. It is the text of
/// `deploy/vigil.yml` (a test keeps the two equal) with the self-scrape target following
/// `--web.listen-address`.
enum DefaultConfig {
    static let fileName = "<embedded default config>"

    static let template = """
    # Vigil's default configuration. `make run` starts Vigil with this same text built in (the
    # self-scrape target follows --web.listen-address there); copy this file to start your own.
    global:
      scrape_interval: 15s
      scrape_timeout: 10s
      evaluation_interval: 15s

    rule_files:
      - rules/*.yml

    scrape_configs:
      - job_name: vigil
        static_configs:
          - targets: ["localhost:9090"]

    """

    /// The template with the scrape target pointed at the port Vigil listens on.
    static func text(listenAddress: String) -> String {
        guard let colon = listenAddress.lastIndex(of: ":") else { return template }
        let port = listenAddress[listenAddress.index(after: colon)...]
        guard !port.isEmpty, port.allSatisfy(\.isNumber) else { return template }
        return template.replacingOccurrences(of: "\"localhost:9090\"", with: "\"localhost:\(port)\"")
    }
}
