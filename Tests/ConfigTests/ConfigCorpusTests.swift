import Config
import Foundation
import Testing
import TestSupport

/// Runs the shared Prometheus corpus (`testdata/config`): good files must load or be
/// rejected as unsupported (as listed here), bad files must be rejected with Prometheus'
/// meaning, and with its wording unless listed among the deliberate differences.
@Suite struct ConfigCorpusTests {
    enum Outcome: Sendable { case accepted, unsupported }

    /// What each good file and example does in Vigil.
    static let goodOutcomes: [String: Outcome] = [
        "agent_mode.good.yml": .unsupported,                       // remote_write
        "conf.good.yml": .unsupported,                             // runtime, remote_write, cloud SDs, ...
        "external_labels.good.yml": .accepted,
        "global_convert_classic_hist_to_nhcb.good.yml": .unsupported,
        "global_disable_always_scrape_classic_hist.good.yml": .accepted,
        "global_disable_extra_scrape_metrics.good.yml": .accepted,
        "global_enable_always_scrape_classic_hist.good.yml": .accepted,
        "global_enable_extra_scrape_metrics.good.yml": .accepted,
        "global_enable_scrape_native_hist.good.yml": .unsupported,
        "global_enable_scrape_native_hist_and_scrape_protocols.good.yml": .unsupported,
        "global_scrape_protocols_and_local_disable_scrape_native_hist.good.yml": .unsupported,
        "global_timeout.good.yml": .accepted,
        "kubernetes_empty_apiserver.good.yml": .unsupported,
        "kubernetes_kubeconfig_without_apiserver.good.yml": .unsupported,
        "kubernetes_selectors_endpoints.good.yml": .unsupported,
        "kubernetes_selectors_ingress.good.yml": .unsupported,
        "kubernetes_selectors_node.good.yml": .unsupported,
        "kubernetes_selectors_pod.good.yml": .unsupported,
        "kubernetes_selectors_service.good.yml": .unsupported,
        "local_convert_classic_hist_to_nhcb.good.yml": .unsupported,
        "local_disable_always_scrape_classic_hist.good.yml": .accepted,
        "local_disable_convert_classic_hist_to_nhcb.good.yml": .unsupported, // global true
        "local_disable_extra_scrape_metrics.good.yml": .accepted,
        "local_disable_scrape_native_hist.good.yml": .unsupported,           // global true
        "local_enable_always_scrape_classic_hist.good.yml": .accepted,
        "local_enable_extra_scrape_metrics.good.yml": .accepted,
        "local_enable_scrape_native_hist.good.yml": .unsupported,
        "local_enable_scrape_native_hist_and_scrape_protocols.good.yml": .unsupported,
        "otlp_allow_keep_identifying_resource_attributes.good.yml": .unsupported,
        "otlp_allow_utf8.good.yml": .unsupported,
        "otlp_convert_histograms_to_nhcb.good.yml": .unsupported,
        "otlp_label_underscore_sanitization_defaults.good.yml": .unsupported,
        "otlp_label_underscore_sanitization_disabled.good.yml": .unsupported,
        "otlp_label_underscore_sanitization_enabled.good.yml": .unsupported,
        "otlp_no_translation.good.yml": .unsupported,
        "otlp_promote_scope_metadata.good.yml": .unsupported,
        "otlp_sanitize_default_resource_attributes.good.yml": .accepted,     // `otlp:` is null
        "otlp_sanitize_ignore_resource_attributes.good.yml": .unsupported,
        "otlp_sanitize_promote_resource_attributes.good.yml": .unsupported,
        "otlp_sanitize_resource_attributes_promote_all.good.yml": .unsupported,
        "remote_write_retry_on_rate_limit.good.yml": .unsupported,
        "roundtrip.good.yml": .unsupported,                        // azure, consul, ... SDs
        "rules_abs_path.good.yml": .accepted,
        "rules_abs_path_windows.good.yml": .accepted,
        "scrape_config_disable_compression.good.yml": .accepted,
        "scrape_config_files.good.yml": .accepted,
        "scrape_config_files1.good.yml": .accepted,
        "scrape_config_files2.good.yml": .unsupported,             // vultr_sd_configs
        "scrape_config_files_combined.good.yml": .unsupported,     // scrape_config_files
        "scrape_config_files_glob.good.yml": .unsupported,
        "scrape_config_files_only.good.yml": .unsupported,
        "scrape_interval_larger.good.yml": .unsupported,           // dns_sd_configs
        "tsdb_chunk_encoding_floats_xor.good.yml": .accepted,
        "tsdb_chunk_encoding_floats_xor2.good.yml": .unsupported,
        "tsdb_retention_percentage_float.good.yml": .unsupported,
        // examples/
        "prometheus.yml": .unsupported,                            // scrape_native_histograms: true
        "prometheus-kubernetes.yml": .unsupported,
        "prometheus-otlp.yml": .unsupported,
    ]

    /// Example files that are not Prometheus configuration files at all.
    static let notPrometheusConfigs: [String: String] = [
        // The exporter-toolkit web config (`--web.config.file`); Prometheus rejects it as a
        // config file too ("field tls_server_config not found in type config.plain").
        "web-config.yml": "field tls_server_config not found in type config.plain",
    ]

    /// Bad files that use a feature Vigil does not implement, so they are rejected as
    /// `unsupported:` before (or instead of) the feature-specific check Prometheus makes.
    static let unsupportedBad: Set<String> = [
        "azure_bearertoken_basicauth.bad.yml", "azure_client_id_missing.bad.yml",
        "azure_client_secret_missing.bad.yml", "azure_subscription_id_missing.bad.yml",
        "azure_tenant_id_missing.bad.yml", "ec2_filters_empty_values.bad.yml", "ec2_token_file.bad.yml",
        "empty_rr_config.bad.yml", "empty_rw_config.bad.yml", "empty_rw_relabel_config.bad.yml",
        "eureka_invalid_server.bad.yml", "eureka_no_server.bad.yml", "http_token_file.bad.yml",
        "kubernetes_api_server_with_own_namespace.bad.yml", "kubernetes_authorization_basicauth.bad.yml",
        "kubernetes_bearertoken.bad.yml", "kubernetes_bearertoken_basicauth.bad.yml",
        "kubernetes_http_config_without_api_server.bad.yml", "kubernetes_kubeconfig_with_apiserver.bad.yml",
        "kubernetes_kubeconfig_with_http_config.bad.yml", "kubernetes_kubeconfig_with_own_namespace.bad.yml",
        "kubernetes_selectors_duplicated_role.bad.yml", "kubernetes_selectors_endpoints.bad.yml",
        "kubernetes_selectors_incorrect_selector.bad.yml", "kubernetes_selectors_ingress.bad.yml",
        "kubernetes_selectors_node.bad.yml", "kubernetes_selectors_pod.bad.yml",
        "kubernetes_selectors_service.bad.yml", "lightsail_token_file.bad.yml",
        "marathon_authtoken_authorization.bad.yml", "marathon_authtoken_authtokenfile.bad.yml",
        "marathon_authtoken_basicauth.bad.yml", "marathon_authtoken_bearertoken.bad.yml",
        "marathon_no_servers.bad.yml", "otlp_allow_utf8.bad.yml",
        "otlp_ignore_resource_attributes_without_promote_all.bad.yml",
        "otlp_promote_all_resource_attributes.bad.yml", "otlp_sanitize_ignore_resource_attributes.bad.yml",
        "otlp_sanitize_promote_resource_attributes.bad.yml", "outscale_no_region.bad.yml",
        "outscale_no_secret.bad.yml", "outscale_two_secrets.bad.yml", "puppetdb_token_file.bad.yml",
        "remote_read_dup.bad.yml", "remote_read_header.bad.yml", "remote_read_url_missing.bad.yml",
        "remote_write_authorization_header.bad.yml", "remote_write_dup.bad.yml",
        "remote_write_header.bad.yml", "remote_write_queue_capacity_zero.bad.yml",
        "remote_write_queue_max_backoff_less_than_min.bad.yml",
        "remote_write_queue_max_samples_per_send_zero.bad.yml", "remote_write_queue_max_shards_zero.bad.yml",
        "remote_write_queue_min_shards_greater_than_max.bad.yml",
        "remote_write_queue_min_shards_zero.bad.yml", "remote_write_url_missing.bad.yml",
        "remote_write_wrong_msg.bad.yml", "scrape_config_files_double_import.bad.yml",
        "scrape_config_files_duplicate.bad.yml", "scrape_config_files_global.bad.yml",
        "scrape_config_files_global_duplicate.bad.yml", "stackit_endpoint.bad.yml",
        "tracing_invalid_authorization_header.bad.yml", "tracing_invalid_compression.bad.yml",
        "tracing_invalid_header.bad.yml", "tracing_missing_endpoint.bad.yml", "uyuni_no_server.bad.yml",
        "uyuni_token_file.bad.yml",
    ]

    /// Bad files that use an unsupported discovery mechanism but also lack `job_name`:
    /// Prometheus reports the discovery-specific check (which Vigil does not implement);
    /// we report the missing job name, a real error, ahead of "unsupported".
    static let missingJobNameBad: Set<String> = [
        "azure_authentication_method.bad.yml", "hetzner_role.bad.yml", "http_url_bad_scheme.bad.yml",
        "http_url_no_host.bad.yml", "http_url_no_scheme.bad.yml", "ionos_datacenter.bad.yml",
        "kubernetes_namespace_discovery.bad.yml", "kubernetes_role.bad.yml",
        "oci_authentication_method.bad.yml", "openstack_availability.bad.yml", "openstack_role.bad.yml",
        "ovhcloud_bad_service.bad.yml", "ovhcloud_no_secret.bad.yml", "puppetdb_bad_url.bad.yml",
        "puppetdb_no_query.bad.yml", "puppetdb_no_scheme.bad.yml", "puppetdb_no_url.bad.yml",
        "scaleway_no_secret.bad.yml", "scaleway_role.bad.yml", "scaleway_two_secrets.bad.yml",
    ]

    /// Bad files where our message deliberately differs from Prometheus': the substring we
    /// give instead, and why.
    static let deliberateDifferences: [String: (ours: String, reason: String)] = [
        "scrape_config_files_fallback_scrape_protocol2.bad.yml": (
            "cannot unmarshal !!seq into config.ScrapeProtocol",
            "go-yaml prefixes type errors with \"yaml: unmarshal errors:\"; we print the error alone, with its position"),
        "section_key_dup.bad.yml": (
            #"mapping key "scrape_configs" already defined"#,
            "duplicate keys are found by the YAML reader, which words its error in YAML terms"),
    ]

    static func expectations() -> [String: String] {
        guard let dir = TestData.directory("config/bad"),
              let text = try? String(contentsOf: dir.appendingPathComponent("EXPECTED.tsv"), encoding: .utf8) else {
            return [:]
        }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2 else { continue }
            var expected = String(fields[1])
            // Prometheus' LoadFile prefixes "parsing YAML file <path>: "; we print the path
            // as the position prefix instead, so compare the message after it.
            if expected.hasPrefix("parsing YAML file "), let range = expected.range(of: ".yml: ") {
                expected = String(expected[range.upperBound...])
            }
            out[String(fields[0])] = expected
        }
        return out
    }

    static func parse(_ url: URL) -> Result<VigilConfig, ConfigError> {
        do {
            return .success(try ConfigFile.load(path: url.path, environment: ["TEST": "x"]))
        } catch {
            return .failure(error)
        }
    }

    @Test func corpus() throws {
        guard let good = TestData.directory("config/good"), let bad = TestData.directory("config/bad"),
              let examples = TestData.directory("config/examples") else { return }
        var accepted = 0, unsupported = 0, rejected = 0, sameWording = 0

        for url in TestData.files(in: good, suffix: ".yml") + TestData.files(in: examples, suffix: ".yml") {
            let name = url.lastPathComponent
            let result = Self.parse(url)
            if let message = Self.notPrometheusConfigs[name] {
                guard case .failure(let error) = result else {
                    Issue.record("\(name): accepted, but it is not a Prometheus config")
                    continue
                }
                #expect(error.message.contains(message), "\(name): \(error)")
                continue
            }
            guard let outcome = Self.goodOutcomes[name] else {
                Issue.record("\(name): not listed in goodOutcomes (\(result))")
                continue
            }
            switch (outcome, result) {
            case (.accepted, .success):
                accepted += 1
            case (.unsupported, .failure(let error)) where error.kind == .unsupported && error.message.hasPrefix("unsupported: "):
                unsupported += 1
            default:
                Issue.record("\(name): wanted \(outcome), got \(result)")
            }
        }

        let expected = Self.expectations()
        for url in TestData.files(in: bad, suffix: ".bad.yml") {
            let name = url.lastPathComponent
            guard case .failure(let error) = Self.parse(url) else {
                Issue.record("\(name): accepted a bad file")
                continue
            }
            rejected += 1
            if Self.missingJobNameBad.contains(name) {
                #expect(error.kind == .invalid && error.message == "job_name is empty", "\(name): \(error)")
                continue
            }
            if Self.unsupportedBad.contains(name) {
                #expect(error.kind == .unsupported && error.message.hasPrefix("unsupported: "), "\(name): \(error)")
                continue
            }
            #expect(error.kind != .unsupported, "\(name): \(error)")
            if let difference = Self.deliberateDifferences[name] {
                #expect(error.message.contains(difference.ours), "\(name): \(error)")
                continue
            }
            guard let want = expected[name] else { continue }
            if error.message.contains(want) {
                sameWording += 1
            } else {
                Issue.record("\(name): wanted \"\(want)\", got \"\(error.message)\"")
            }
        }
        print("config corpus: \(accepted) good accepted, \(unsupported) good unsupported, "
              + "\(rejected) bad rejected, \(sameWording) with Prometheus' wording")
    }
}
