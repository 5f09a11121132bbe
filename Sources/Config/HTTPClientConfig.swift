import Foundation
import Model
internal import YAML

/// The HTTP client settings Prometheus inlines into scrape jobs and Alertmanager entries
/// (`prometheus/common` `config.HTTPClientConfig`), restricted to what Vigil implements.
///
/// Accepted: `basic_auth`, `authorization`, `bearer_token`, `bearer_token_file`, `tls_config`,
/// `follow_redirects`, `enable_http2`, `proxy_url`, `no_proxy`, `proxy_from_environment`,
/// `proxy_connect_header`. Unsupported (reported as `unsupported:`): `oauth2`, `http_headers`
/// and every `*_ref` field (they need a secret manager). After validation a `bearer_token`
/// or `bearer_token_file` is folded into `authorization` with type `Bearer`, as Prometheus does.
package struct HTTPClientConfig: Sendable, Equatable {
    package var basicAuth: BasicAuth?
    package var authorization: Authorization?
    package var bearerToken: String = ""
    package var bearerTokenFile: String = ""
    package var tlsConfig = TLSConfig()
    package var followRedirects = true
    package var enableHTTP2 = true
    /// The proxy URL as written; empty when none.
    package var proxyURL: String = ""
    package var noProxy: String = ""
    package var proxyFromEnvironment = false
    /// Headers sent to the proxy on CONNECT; the values are secrets.
    package var proxyConnectHeader: [String: [String]] = [:]
    /// True when an `oauth2` block was present (unsupported, but it matters to the
    /// "at most one auth method" checks, which Prometheus reports first).
    var hasOAuth2 = false

    package init() {}

    /// `basic_auth`: a username (or file) and a password (or file).
    package struct BasicAuth: Sendable, Equatable {
        package var username = ""
        package var usernameFile = ""
        package var password = ""
        package var passwordFile = ""

        package init(username: String = "", usernameFile: String = "", password: String = "", passwordFile: String = "") {
            self.username = username
            self.usernameFile = usernameFile
            self.password = password
            self.passwordFile = passwordFile
        }
    }

    /// `authorization`: a scheme (default `Bearer`) and credentials (or a file holding them).
    package struct Authorization: Sendable, Equatable {
        package var type = ""
        package var credentials = ""
        package var credentialsFile = ""

        package init(type: String = "", credentials: String = "", credentialsFile: String = "") {
            self.type = type
            self.credentials = credentials
            self.credentialsFile = credentialsFile
        }
    }

    /// `tls_config`: CA, client certificate and key (inline text or files), server name,
    /// verification switch and protocol version bounds (`TLS10`…`TLS13`).
    package struct TLSConfig: Sendable, Equatable {
        package var ca = ""
        package var cert = ""
        package var key = ""
        package var caFile = ""
        package var certFile = ""
        package var keyFile = ""
        package var serverName = ""
        package var insecureSkipVerify = false
        package var minVersion = ""
        package var maxVersion = ""

        package init() {}
    }

    /// The `tls_config` versions Prometheus knows.
    static let tlsVersions: Set<String> = ["TLS10", "TLS11", "TLS12", "TLS13"]

    /// Decodes one HTTP client field into `self`; false when `entry` is not an HTTP client key.
    /// `context` names the owner for `unsupported:` messages.
    mutating func decodeField(_ entry: Decoder.Entry, _ d: inout Decoder, context: String) throws(ConfigError) -> Bool {
        switch entry.key {
        case "basic_auth":
            basicAuth = try Self.decodeBasicAuth(entry.value, &d, context: context)
        case "authorization":
            authorization = try Self.decodeAuthorization(entry.value, &d, context: context)
        case "oauth2":
            hasOAuth2 = !entry.value.isNull
            d.unsupported(entry, context: context)
        case "http_headers":
            d.unsupported(entry, context: context)
        case "bearer_token":
            bearerToken = try d.string(entry.value, type: "config.Secret")
        case "bearer_token_file":
            bearerTokenFile = try d.string(entry.value)
        case "tls_config":
            tlsConfig = try Self.decodeTLS(entry.value, &d, context: context)
        case "follow_redirects":
            followRedirects = try d.bool(entry.value)
        case "enable_http2":
            enableHTTP2 = try d.bool(entry.value)
        case "proxy_url":
            proxyURL = try d.string(entry.value, type: "config.URL")
        case "no_proxy":
            noProxy = try d.string(entry.value)
        case "proxy_from_environment":
            proxyFromEnvironment = try d.bool(entry.value)
        case "proxy_connect_header":
            for header in try d.entries(entry.value, type: "config.ProxyHeader") {
                var values: [String] = []
                for item in try d.items(header.value, type: "[]config.Secret") {
                    values.append(try d.string(item, type: "config.Secret"))
                }
                proxyConnectHeader[header.key] = values
            }
        default:
            return false
        }
        return true
    }

    private static func decodeBasicAuth(_ node: YAMLNode, _ d: inout Decoder, context: String) throws(ConfigError) -> BasicAuth? {
        if node.isNull { return nil }
        var auth = BasicAuth()
        for entry in try d.entries(node, type: "config.BasicAuth") {
            switch entry.key {
            case "username": auth.username = try d.string(entry.value)
            case "username_file": auth.usernameFile = try d.string(entry.value)
            case "password": auth.password = try d.string(entry.value, type: "config.Secret")
            case "password_file": auth.passwordFile = try d.string(entry.value)
            case "username_ref", "password_ref": d.unsupported(entry, context: context)
            default: throw d.unknownField(entry, in: "config.BasicAuth")
            }
        }
        return auth
    }

    private static func decodeAuthorization(_ node: YAMLNode, _ d: inout Decoder, context: String) throws(ConfigError) -> Authorization? {
        if node.isNull { return nil }
        var auth = Authorization()
        for entry in try d.entries(node, type: "config.Authorization") {
            switch entry.key {
            case "type": auth.type = try d.string(entry.value)
            case "credentials": auth.credentials = try d.string(entry.value, type: "config.Secret")
            case "credentials_file": auth.credentialsFile = try d.string(entry.value)
            case "credentials_ref": d.unsupported(entry, context: context)
            default: throw d.unknownField(entry, in: "config.Authorization")
            }
        }
        return auth
    }

    /// Decodes and checks a `tls_config` block (Prometheus validates it while decoding).
    static func decodeTLS(_ node: YAMLNode, _ d: inout Decoder, context: String) throws(ConfigError) -> TLSConfig {
        var tls = TLSConfig()
        for entry in try d.entries(node, type: "config.plain") {
            switch entry.key {
            case "ca": tls.ca = try d.string(entry.value)
            case "cert": tls.cert = try d.string(entry.value)
            case "key": tls.key = try d.string(entry.value, type: "config.Secret")
            case "ca_file": tls.caFile = try d.string(entry.value)
            case "cert_file": tls.certFile = try d.string(entry.value)
            case "key_file": tls.keyFile = try d.string(entry.value)
            case "server_name": tls.serverName = try d.string(entry.value)
            case "insecure_skip_verify": tls.insecureSkipVerify = try d.bool(entry.value)
            case "min_version", "max_version":
                let version = try d.string(entry.value, type: "config.TLSVersion")
                guard tlsVersions.contains(version) else {
                    throw d.error("unknown TLS version: \(version)", at: entry.value)
                }
                if entry.key == "min_version" { tls.minVersion = version } else { tls.maxVersion = version }
            case "ca_ref", "cert_ref", "key_ref": d.unsupported(entry, context: context)
            default: throw d.unknownField(entry, in: "config.plain")
            }
        }
        let problem: String? =
            if !tls.ca.isEmpty && !tls.caFile.isEmpty {
                "at most one of ca, ca_file & ca_ref must be configured"
            } else if !tls.cert.isEmpty && !tls.certFile.isEmpty {
                "at most one of cert, cert_file & cert_ref must be configured"
            } else if !tls.key.isEmpty && !tls.keyFile.isEmpty {
                "at most one of key and key_file must be configured"
            } else if (!tls.cert.isEmpty || !tls.certFile.isEmpty) && tls.key.isEmpty && tls.keyFile.isEmpty {
                "exactly one of key or key_file must be configured when a client certificate is configured"
            } else if (!tls.key.isEmpty || !tls.keyFile.isEmpty) && tls.cert.isEmpty && tls.certFile.isEmpty {
                "exactly one of cert or cert_file must be configured when a client key is configured"
            } else {
                nil
            }
        if let problem { throw d.error(problem, at: node) }
        return tls
    }

    /// Prometheus' `HTTPClientConfig.Validate`: at most one authentication method, consistent
    /// proxy settings. Folds `bearer_token(_file)` into `authorization` like Prometheus.
    /// Returns the message of the first problem, nil when valid.
    mutating func validate() -> String? {
        let hasBearer = !bearerToken.isEmpty || !bearerTokenFile.isEmpty
        if !bearerToken.isEmpty && !bearerTokenFile.isEmpty {
            return "at most one of bearer_token & bearer_token_file must be configured"
        }
        if (basicAuth != nil || hasOAuth2) && hasBearer {
            return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured"
        }
        if let basic = basicAuth, !basic.username.isEmpty && !basic.usernameFile.isEmpty {
            return "at most one of basic_auth username, username_file & username_ref must be configured"
        }
        if let basic = basicAuth, !basic.password.isEmpty && !basic.passwordFile.isEmpty {
            return "at most one of basic_auth password, password_file & password_ref must be configured"
        }
        if var auth = authorization {
            if hasBearer {
                return "authorization is not compatible with bearer_token & bearer_token_file"
            }
            if !auth.credentials.isEmpty && !auth.credentialsFile.isEmpty {
                return "at most one of authorization credentials & credentials_file must be configured"
            }
            auth.type = auth.type.trimmingCharacters(in: .whitespaces)
            if auth.type.isEmpty { auth.type = "Bearer" }
            if auth.type.lowercased() == "basic" {
                return #"authorization type cannot be set to "basic", use "basic_auth" instead"#
            }
            if basicAuth != nil || hasOAuth2 {
                return "at most one of basic_auth, oauth2 & authorization must be configured"
            }
            authorization = auth
        } else if !bearerToken.isEmpty {
            authorization = Authorization(type: "Bearer", credentials: bearerToken)
            bearerToken = ""
        } else if !bearerTokenFile.isEmpty {
            authorization = Authorization(type: "Bearer", credentialsFile: bearerTokenFile)
            bearerTokenFile = ""
        }
        if hasOAuth2 && basicAuth != nil {
            return "at most one of basic_auth, oauth2 & authorization must be configured"
        }
        if !proxyConnectHeader.isEmpty && !proxyFromEnvironment && proxyURL.isEmpty {
            return "if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured"
        }
        if proxyFromEnvironment && !proxyURL.isEmpty {
            return "if proxy_from_environment is configured, proxy_url must not be configured"
        }
        if proxyFromEnvironment && !noProxy.isEmpty {
            return "if proxy_from_environment is configured, no_proxy must not be configured"
        }
        if proxyURL.isEmpty && !noProxy.isEmpty {
            return "if no_proxy is configured, proxy_url must also be configured"
        }
        return nil
    }
}
