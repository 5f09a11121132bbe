import Config
import Foundation
import HTTP
import Model

/// A fetched exposition body and the Content-Type it came with.
package struct ScrapedBody: Sendable {
    /// The body bytes, de-chunked and never compressed.
    package var bytes: [UInt8]
    /// The Content-Type header value, "" when absent.
    package var contentType: String

    /// A body.
    package init(bytes: [UInt8], contentType: String) {
        self.bytes = bytes
        self.contentType = contentType
    }
}

/// Turns a target into HTTP requests and responses into bodies or errors, as Prometheus'
/// `targetScraper` (scrape/scrape.go) does: GET `metrics_path` with `params`, the Accept header,
/// `X-Prometheus-Scrape-Timeout-Seconds`, a deadline of `scrape_timeout`, status 200 required,
/// bodies of `body_size_limit` bytes or more refused.
///
/// Vigil has no zlib, so it never asks for compression: it sends `Accept-Encoding: identity`
/// (what Prometheus sends with `enable_compression: false`, and what keeps exporters that
/// treat a missing header as "anything goes" from compressing) and refuses a compressed answer.
struct TargetScraper: Sendable {
    /// The scrape URL as the targets API shows it.
    let url: String
    private let scheme: String
    private let host: String
    private let port: Int
    private let requestTarget: String
    private let headers: [(name: String, value: String)]
    private let timeout: Duration
    private let bodySizeLimit: Int
    private let httpConfig: HTTPClientConfig
    /// Set when the target cannot be scraped at all (https, an IPv6 literal).
    private let unusable: ScrapeError?

    init(options: ScrapeLoopOptions) {
        let target = options.target
        url = target.url
        scheme = target.labels.get("__scheme__")
        let address = target.labels.get("__address__")
        var problem: ScrapeError?
        if scheme != "http" {
            problem = .unsupportedScheme(scheme)
        }
        let (h, p) = Self.split(address, defaultPort: scheme == "https" ? 443 : 80)
        if h.isEmpty || p == nil { problem = problem ?? .unsupportedAddress(address) }
        host = h
        port = p ?? 0
        unusable = problem

        var path = target.labels.get("__metrics_path__")
        if !path.hasPrefix("/") { path = "/" + path }
        var query: [String] = []
        for key in target.params.keys.sorted() {
            for value in target.params[key] ?? [] {
                query.append(ScrapeTarget.queryEscape(key) + "=" + ScrapeTarget.queryEscape(value))
            }
        }
        requestTarget = query.isEmpty ? path : path + "?" + query.joined(separator: "&")
        timeout = options.timeout
        bodySizeLimit = options.bodySizeLimit
        httpConfig = options.httpClient
        headers = [
            ("Accept", options.acceptHeader),
            ("Accept-Encoding", "identity"),
            ("User-Agent", "Vigil"),
            ("X-Prometheus-Scrape-Timeout-Seconds", Self.seconds(options.target.timeout)),
        ]
    }

    /// The request of one scrape, or why the target cannot be scraped at all.
    func request() -> Result<ClientRequest, ScrapeError> {
        if let unusable { return .failure(unusable) }
        var requestHeaders = headers
        if let auth = authorizationHeader() { requestHeaders.append(("Authorization", auth)) }
        return .success(ClientRequest(host: host, port: port, target: requestTarget, headers: requestHeaders,
                                      timeout: timeout, maxBodyBytes: bodySizeLimit))
    }

    /// A response as a body or a scrape error.
    func interpret(_ fetched: Result<ClientResponse, HTTPClientError>) -> Result<ScrapedBody, ScrapeError> {
        switch fetched {
        case .failure(.bodyTooLarge):
            return .failure(.bodySizeLimitExceeded)
        case .failure(let e):
            return .failure(.request(url: url, e))
        case .success(let response):
            guard response.status == 200 else { return .failure(.httpStatus(response.status)) }
            // Go's reader stops at the limit and calls reaching it an error (`n >= limit`).
            if bodySizeLimit > 0 && response.body.count >= bodySizeLimit { return .failure(.bodySizeLimitExceeded) }
            if let encoding = response.header("Content-Encoding"), !encoding.isEmpty, encoding.lowercased() != "identity" {
                return .failure(.unsupportedContentEncoding(encoding))
            }
            return .success(ScrapedBody(bytes: response.body, contentType: response.header("Content-Type") ?? ""))
        }
    }

    /// `basic_auth` or `authorization`, reading credential files on every scrape as Prometheus
    /// does (so rotated secrets are picked up).
    private func authorizationHeader() -> String? {
        if let basic = httpConfig.basicAuth {
            let user = basic.usernameFile.isEmpty ? basic.username : Self.readSecret(basic.usernameFile)
            let password = basic.passwordFile.isEmpty ? basic.password : Self.readSecret(basic.passwordFile)
            return "Basic " + Data((user + ":" + password).utf8).base64EncodedString()
        }
        if let auth = httpConfig.authorization {
            let credentials = auth.credentialsFile.isEmpty ? auth.credentials : Self.readSecret(auth.credentialsFile)
            return (auth.type.isEmpty ? "Bearer" : auth.type) + " " + credentials
        }
        return nil
    }

    private static func readSecret(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        var s = String(decoding: data, as: UTF8.self)
        while let last = s.last, last == "\n" || last == "\r" || last == " " { s.removeLast() }
        return s
    }

    /// `host:port`; a missing port is the scheme's default. IPv6 literals are not supported by
    /// the client yet and give an empty host.
    static func split(_ address: String, defaultPort: Int) -> (String, Int?) {
        if address.hasPrefix("[") { return ("", nil) }
        guard let colon = address.lastIndex(of: ":") else { return (address, defaultPort) }
        let host = String(address[..<colon])
        let portText = address[address.index(after: colon)...]
        if host.contains(":") { return ("", nil) }
        guard let port = Int(portText), (1 ... 65535).contains(port) else { return (host, nil) }
        return (host, port)
    }

    /// Go's `strconv.FormatFloat(seconds, 'f', -1, 64)`.
    static func seconds(_ d: PromDuration) -> String {
        let ns = d.nanoseconds
        let whole = ns / 1_000_000_000
        var frac = ns % 1_000_000_000
        if frac == 0 { return String(whole) }
        var digits = String(frac)
        digits = String(repeating: "0", count: 9 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast(); frac /= 10 }
        return "\(whole).\(digits)"
    }
}
