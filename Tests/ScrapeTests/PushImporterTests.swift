import Model
import Synchronization
import Testing
@testable import Scrape

/// A storage that records committed batches and can reject one chosen sample.
final class ImportRecordingStorage: Appendable {
    let committed = Mutex<[(Labels, Int64, Double)]>([])
    let rollbacks = Atomic<Int>(0)
    let rejectValue: Double?

    init(rejectValue: Double? = nil) { self.rejectValue = rejectValue }

    func appender() -> any Appender { RecordingAppender(storage: self) }

    final class RecordingAppender: Appender {
        let storage: ImportRecordingStorage
        var batch: [(Labels, Int64, Double)] = []
        init(storage: ImportRecordingStorage) { self.storage = storage }
        func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
            if let r = storage.rejectValue, r == v { throw .outOfOrderSample(t: t, newest: t + 1) }
            batch.append((labels, t, v))
            return .none
        }
        func commit() throws(StorageError) {
            let b = batch
            storage.committed.withLock { $0.append(contentsOf: b) }
            batch = []
        }
        func rollback() throws(StorageError) {
            batch = []
            storage.rollbacks.add(1, ordering: .relaxed)
        }
    }
}

@Suite struct PushImporterTests {
    let body = Array("""
    # HELP http_requests_total Requests.
    # TYPE http_requests_total counter
    http_requests_total{code="200",job="orig"} 10 1700000000000
    http_requests_total{code="500"} 2
    up 1

    """.utf8)

    @Test func importsEverythingWithExtraLabelsAndDefaultTimestamp() throws {
        let storage = ImportRecordingStorage()
        let n = try PushImporter(storage: storage).importBody(
            body, contentType: "text/plain; version=0.0.4", extraLabels: [("job", "pushed"), ("env", "ci")],
            defaultTimestamp: 42)
        #expect(n == 3)
        let got = storage.committed.withLock { $0 }
        #expect(got.count == 3)
        #expect(got[0].0 == Labels(["__name__": "http_requests_total", "code": "200", "job": "pushed", "env": "ci"]))
        #expect(got[0].1 == 1_700_000_000_000 && got[0].2 == 10)
        #expect(got[1].1 == 42)
        #expect(got[2].0.get("job") == "pushed")
    }

    @Test func aSyntaxErrorStoresNothing() {
        let storage = ImportRecordingStorage()
        let bad = Array("good 1\nalso_good 2\nbroken{ 3\n".utf8)
        #expect(throws: ImportError.self) {
            try PushImporter(storage: storage).importBody(bad, contentType: nil, extraLabels: [], defaultTimestamp: 0)
        }
        #expect(storage.committed.withLock { $0.isEmpty })
    }

    @Test func aStorageRejectionRollsTheWholeBatchBack() {
        let storage = ImportRecordingStorage(rejectValue: 2)
        do {
            try PushImporter(storage: storage).importBody(body, contentType: nil, extraLabels: [], defaultTimestamp: 0)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.description.contains("sample 2"))
            #expect(error.description.contains("out of order sample"))
        }
        #expect(storage.committed.withLock { $0.isEmpty })
        #expect(storage.rollbacks.load(ordering: .relaxed) == 1)
    }

    @Test(arguments: [["job=x"], ["a=b", "c="], ["ü=ok"]])
    func goodExtraLabels(_ params: [String]) throws {
        #expect(try PushImporter.extraLabels(params).count == params.count)
    }

    @Test(arguments: ["novalue", "=x", "__name__="])
    func badExtraLabels(_ param: String) {
        #expect(throws: ImportError.self) { _ = try PushImporter.extraLabels([param]) }
    }

    @Test func unknownContentTypeIsRefused() {
        #expect(throws: ImportError.self) {
            try PushImporter(storage: ImportRecordingStorage()).importBody(body, contentType: "application/x-protobuf",
                                                                     extraLabels: [], defaultTimestamp: 0)
        }
    }
}
