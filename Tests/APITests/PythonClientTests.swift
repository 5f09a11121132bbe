import Foundation
import Testing
import TestSupport

/// A real third-party client against a running Vigil: the Python `prometheus-api-client`
/// package (`PrometheusConnect`) runs `Tests/Python/prometheus_api_client_check.py`, which checks
/// its parsed results against the samples pushed here, with GET and POST.
///
/// The interpreter is `$VIGIL_PYTHON`, else the venv `make test-deps` creates under
/// `.build/pyenv`; skipped with a notice when neither can import the package.
@Suite(.serialized) struct PythonClientTests {
    static func interpreter() -> String? {
        let env = ProcessInfo.processInfo.environment
        if env["VIGIL_SKIP_INTEROP"] == "1" {
            print("notice: PythonClientTests skipped (VIGIL_SKIP_INTEROP=1)")
            return nil
        }
        let candidates: [String?] = [env["VIGIL_PYTHON"], TestData.projectRoot.appendingPathComponent(".build/pyenv/bin/python").path]
        for case let path? in candidates where FileManager.default.isExecutableFile(atPath: path) {
            if let (code, _) = try? Golden.run(path, ["-c", "import prometheus_api_client"]), code == 0 { return path }
        }
        print("notice: PythonClientTests skipped: no Python with prometheus-api-client (run `make test-deps`, or set VIGIL_PYTHON)")
        return nil
    }

    @Test func prometheusAPIClientReadsVigil() throws {
        guard let python = Self.interpreter() else { return }
        let dir = try TempDirectory(prefix: "vigil-python")
        defer { dir.remove() }
        let config = dir.path + "/vigil.yml"
        try "global:\n  scrape_interval: 15s\n".write(toFile: config, atomically: true, encoding: .utf8)
        let d = try DaemonProcess(["--config.file=\(config)"])
        defer { d.stop() }
        try #require(d.waitUntilReady(), "vigil did not become ready:\n\(d.log)")

        let t = Int64(Date().timeIntervalSince1970) - 5
        let ms = { (s: Int64) in s * 1000 }
        let body = """
            # TYPE vigil_py_temperature gauge
            vigil_py_temperature{room="kitchen"} 21.5 \(ms(t - 60))
            vigil_py_temperature{room="kitchen"} 22.5 \(ms(t))
            vigil_py_temperature{room="office"} 19 \(ms(t))
            # TYPE vigil_py_requests_total counter
            vigil_py_requests_total{code="200"} 100 \(ms(t - 120))
            vigil_py_requests_total{code="200"} 160 \(ms(t - 60))
            vigil_py_requests_total{code="200"} 220 \(ms(t))
            vigil_py_requests_total{code="500"} 7 \(ms(t))

            """
        let push = try d.request("POST", "/api/v1/import/prometheus", body: body)
        try #require(push.status == 204, "push failed: \(push.status) \(push.text)")

        let script = TestData.projectRoot.appendingPathComponent("Tests/Python/prometheus_api_client_check.py").path
        let (code, output) = try Golden.run(python, [script, "http://127.0.0.1:\(d.port)", String(t)])
        print(output)
        #expect(code == 0, "prometheus-api-client checks failed:\n\(output)")
        #expect(output.contains(" passed, 0 failed"))
    }
}
