import API
import Config
import Dispatch
import Foundation
import Glibc
import HTTP
import Model
import Scrape
import Synchronization
import Telemetry
import TSDB

/// `vigil` with no command: load config, start the HTTP server, open storage, serve until a
/// signal or `/-/quit`, then shut down gracefully.
enum Serve {
    /// Runs the daemon; returns the process exit code.
    static func run(flags: ParsedFlags) async -> Int32 {
        MallocTuning.limitArenas()
        guard let level = LogLevel(name: flags.string("log.level")) else {
            return fail("invalid --log.level \"\(flags.string("log.level"))\": one of debug, info, warn, error")
        }
        guard let format = LogFormat(rawValue: flags.string("log.format")) else {
            return fail("invalid --log.format \"\(flags.string("log.format"))\": one of logfmt, json")
        }
        let logger = Logger(level: level, format: format)
        let listen: ListenAddress
        do { listen = try ListenAddress(parsing: flags.string("web.listen-address")) } catch {
            return fail(error.description)
        }

        // The default config file name falls back to the embedded config when it is absent;
        // an explicitly named file must exist.
        let configPath = flags.string("config.file")
        let source: ConfigState.Source
        if !flags.explicitlySet.contains("config.file"), !FileManager.default.fileExists(atPath: configPath) {
            source = .embedded(DefaultConfig.text(listenAddress: flags.string("web.listen-address")))
        } else {
            source = .file(configPath)
        }
        logger.info("Starting Vigil", [("version", Version.version), ("revision", Version.revision)])
        logger.info("Loading configuration file", [("filename", describe(source))])
        let config: VigilConfig
        do { config = try ConfigState.load(source) } catch {
            logger.error("Error loading config", [("err", error.description)])
            return 1
        }

        let daemon = Daemon(flags: flags, logger: logger, configSource: source, config: config)
        return await daemon.run(listen: listen)
    }

    static func describe(_ source: ConfigState.Source) -> String {
        switch source {
        case .file(let p): return p
        case .embedded: return DefaultConfig.fileName
        }
    }

    static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("vigil: error: \(message)\n".utf8))
        return 1
    }
}

/// The running daemon: owns the logger, metrics, config state, storage and HTTP server, and
/// turns signals and lifecycle requests into reloads and a graceful shutdown.
final class Daemon: Sendable {
    let flags: ParsedFlags
    let logger: Logger
    let registry = MetricRegistry()
    let configState: ConfigState
    let startSeconds = Date().timeIntervalSince1970
    private let ready = Atomic<Bool>(false)
    private let storage = Mutex<StorageDirectory?>(nil)
    private let db = Mutex<DB?>(nil)
    private let scrapeManager = Mutex<ScrapeManager?>(nil)
    /// What the query API reads: forwards to the database once it is open.
    let queryStorage = DeferredStorage()
    private let stop = StopSignal()
    /// Pools keep slow work off the event loops and away from each other.
    let apiPool: WorkerPool
    let adminPool: WorkerPool
    /// Pushed samples get their own threads so a query storm never delays ingestion.
    let ingestPool: WorkerPool
    /// `/metrics` and the scrape-side API read the scrape manager (an actor) with a blocking
    /// wait, which must not happen on an event loop: they get a thread of their own.
    let telemetryPool: WorkerPool

    init(flags: ParsedFlags, logger: Logger, configSource: ConfigState.Source, config: VigilConfig) {
        self.flags = flags
        self.logger = logger
        configState = ConfigState(source: configSource, initial: config, registry: registry)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        // --query.max-concurrency bounds the queries that run at once; more wait in the queue.
        apiPool = WorkerPool(name: "api", threads: max(1, Int(flags.string("query.max-concurrency")) ?? 20), queueCapacity: 1024)
        adminPool = WorkerPool(name: "admin", threads: 1, queueCapacity: 16)
        ingestPool = WorkerPool(name: "ingest", threads: max(2, cores), queueCapacity: 256)
        telemetryPool = WorkerPool(name: "telemetry", threads: 1, queueCapacity: 64)
        ProcessMetrics.register(on: registry)
        let info = registry.gauge("vigil_build_info",
                                  help: "A metric with a constant '1' value labeled by version, revision, branch, and swiftversion from which Vigil was built.",
                                  labels: ["branch", "revision", "swiftversion", "version"])
        info.with(Version.branch, Version.revision, Version.swiftVersion, Version.version).set(1)
    }

    var isReady: Bool { ready.load(ordering: .acquiring) }

    /// The open database; nil until storage is open (and after shutdown began).
    var database: DB? { db.withLock { $0 } }

    /// The scrape manager; nil until storage is open.
    var scraper: ScrapeManager? { scrapeManager.withLock { $0 } }

    /// Serves until stopped; returns the exit code.
    func run(listen: ListenAddress) async -> Int32 {
        var limits = ServerLimits()
        limits.maxConnections = Int(flags.string("web.max-connections")) ?? limits.maxConnections
        if let idle = try? PromDuration(parsing: flags.string("web.read-timeout")) { limits.idleTimeout = idle.duration }
        let threads = Int(flags.string("web.threads")) ?? 0
        let server = HTTPServer(router: Routes.make(self), limits: limits, host: listen.host, port: listen.port,
                                loops: threads > 0 ? threads : nil, observer: HTTPMetrics(registry: registry))
        do { try server.start() } catch {
            logger.error("Failed to start the web server", [("address", flags.string("web.listen-address")), ("err", error.description)])
            return 1
        }
        logger.info("Listening on", [("address", "\(listen.host):\(server.port)")])

        let signals = SignalHandlers(daemon: self)
        defer { signals.cancel() }

        let storagePath = StorageSettings.path(flags: flags, config: configState.snapshot.config)
        do {
            let dir = try StorageDirectory(path: storagePath)
            storage.withLock { $0 = dir }
        } catch {
            logger.error("Opening storage failed", [("path", storagePath), ("err", error.description)])
            server.shutdown(grace: .seconds(1))
            return 1
        }
        do {
            let opened = try await Storage.open(path: storagePath,
                                                options: Storage.options(flags: flags, config: configState.snapshot.config),
                                                logger: logger)
            Storage.registerMetrics(opened, on: registry)
            db.withLock { $0 = opened }
            queryStorage.attach(opened)
            let manager = ScrapeManager(appendable: opened, options: scrapeOptions(listen: listen, port: server.port))
            scrapeManager.withLock { $0 = manager }
            registerScrapeMetrics(manager)
            for problem in await manager.apply(config: configState.snapshot.config) {
                logger.warn("Scrape configuration problem", [("err", problem)])
            }
        } catch {
            logger.error("Opening storage failed", [("path", storagePath), ("err", "\(error)")])
            server.shutdown(grace: .seconds(1))
            storage.withLock { s in s?.close(); s = nil }
            return 1
        }
        ready.store(true, ordering: .releasing)
        logger.info("Server is ready to receive web requests.")

        await stop.wait()
        logger.info("Stopping: no new connections, finishing in-flight requests")
        ready.store(false, ordering: .releasing)
        // shutdown(grace:) blocks until connections drain: keep it off the cooperative pool.
        if let manager = scrapeManager.withLock({ $0 }) { await manager.stop() }
        let pools = [apiPool, adminPool, ingestPool, telemetryPool]
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                server.shutdown(grace: .seconds(10))
                for p in pools { p.shutdown() }
                done.resume()
            }
        }
        queryStorage.attach(nil)
        if let closing = db.withLock({ d -> DB? in let x = d; d = nil; return x }) {
            do { try closing.close() } catch {
                logger.error("Closing storage failed", [("err", "\(error)")])
            }
        }
        storage.withLock { s in s?.close(); s = nil }
        logger.info("See you next time!")
        return 0
    }

    /// Scrape settings that come from flags: the external URL for `globalUrl`, logging.
    private func scrapeOptions(listen: ListenAddress, port: Int) -> ScrapeManagerOptions {
        var o = ScrapeManagerOptions()
        let external = flags.string("web.external-url")
        let host = listen.host == "0.0.0.0" ? (ProcessInfo.processInfo.hostName) : listen.host
        o.externalURL = ExternalURL(external.isEmpty ? "http://\(host):\(port)/" : external, listenPort: String(port))
        let log = logger.with([("component", "scrape")])
        o.logger = { level, msg, fields in
            switch level {
            case .debug: log.debug(msg, fields)
            case .info: log.info(msg, fields)
            case .warn: log.warn(msg, fields)
            case .error: log.error(msg, fields)
            }
        }
        return o
    }

    /// The scrape engine's counters and per-target figures on `/metrics` (rendered on the
    /// telemetry pool, where the blocking read of the actor is allowed).
    private func registerScrapeMetrics(_ manager: ScrapeManager) {
        registry.addCollector { w in
            let samples = blockingAwait { await manager.selfMetrics() }
            var lastFamily = ""
            for s in samples {
                if s.name != lastFamily {
                    w.family(s.name, help: s.help, type: MetricType(rawValue: s.type) ?? .untyped)
                    lastFamily = s.name
                }
                w.sample(s.name, labels: s.labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, value: s.value)
            }
        }
    }

    /// Asks the daemon to stop; safe from any thread, idempotent.
    func requestStop(reason: String) {
        _ = stop.fire { logger.warn("Received shutdown request", [("reason", reason)]) }
    }

    /// Reloads the config, logging the outcome; returns the error message on failure.
    @discardableResult
    func reloadConfig(trigger: String) -> String? {
        logger.info("Loading configuration file", [("filename", configState.fileName), ("trigger", trigger)])
        switch configState.reload() {
        case .success(let config):
            if let manager = scraper {
                let problems = blockingAwait { await manager.apply(config: config) }
                for p in problems { logger.warn("Scrape configuration problem", [("err", p)]) }
            }
            logger.info("Completed loading of configuration file", [("filename", configState.fileName)])
            return nil
        case .failure(let error):
            logger.error("Error reloading config; the previous configuration stays in effect", [("err", error.description)])
            return error.description
        }
    }
}

