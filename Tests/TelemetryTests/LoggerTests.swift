import Testing
@testable import Telemetry

@Suite struct LoggerTests {
    @Test func logfmtQuotesWhatNeedsQuoting() throws {
        let sink = MemorySink()
        let log = Logger(level: .info, format: .logfmt, sink: sink)
        log.info("Server is ready", [("addr", ":9090"), ("err", "a \"b\" = c"), ("empty", "")])
        let line = try #require(sink.all.first)
        #expect(line.hasPrefix("time="))
        #expect(line.contains(" level=info msg=\"Server is ready\" addr=:9090 err=\"a \\\"b\\\" = c\" empty=\"\"\n"))
    }

    @Test func jsonIsOneObjectPerLine() throws {
        let sink = MemorySink()
        let log = Logger(level: .debug, format: .json, sink: sink).with([("component", "web")])
        log.debug("x\ny", [("k", "tab\there")])
        let line = try #require(sink.all.first)
        #expect(line.hasSuffix("\"level\":\"debug\",\"msg\":\"x\\ny\",\"component\":\"web\",\"k\":\"tab\\there\"}\n"))
        #expect(line.hasPrefix("{\"time\":\""))
    }

    @Test func levelsFilter() {
        let sink = MemorySink()
        let log = Logger(level: .warn, format: .logfmt, sink: sink)
        log.info("dropped")
        log.debug("dropped")
        log.warn("kept")
        log.error("kept")
        #expect(sink.all.count == 2)
        log.setLevel(.debug)
        log.debug("now kept")
        #expect(sink.all.count == 3)
    }

    @Test(arguments: [("debug", LogLevel.debug), ("INFO", .info), ("warn", .warn), ("error", .error)])
    func levelNames(_ name: String, _ want: LogLevel) {
        #expect(LogLevel(name: name) == want)
    }

    @Test func unknownLevelIsRejected() {
        #expect(LogLevel(name: "verbose") == nil)
    }

    @Test func rfc3339() {
        #expect(RFC3339.format(seconds: 0, millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(seconds: 1_700_000_000, millis: 123) == "2023-11-14T22:13:20.123Z")
    }
}
