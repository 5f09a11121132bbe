/// A parsed `--web.listen-address`: `:9090`, `0.0.0.0:9090`, `127.0.0.1:0`, `localhost:9090`.
/// The HTTP server binds IPv4; an empty host means all interfaces.
struct ListenAddress: Sendable {
    var host: String
    var port: Int

    init(parsing text: String) throws(FlagError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0 ... 65535).contains(port) else {
            throw FlagError(description: "invalid --web.listen-address \"\(text)\": expected host:port, e.g. :9090 or 127.0.0.1:9090")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") {
            throw FlagError(description: "invalid --web.listen-address \"\(text)\": IPv6 listen addresses are not supported yet")
        }
        if host.isEmpty { host = "0.0.0.0" }
        if host == "localhost" { host = "127.0.0.1" }
        self.host = host
        self.port = port
    }
}
