import Testing
@testable import API

@Suite struct JSONWriterTests {
    /// Go's encoding/json escaping, which Prometheus' API output follows.
    @Test(arguments: [
        ("plain", "\"plain\""), ("a\"b\\c", "\"a\\\"b\\\\c\""), ("<a>&", "\"\\u003ca\\u003e\\u0026\""),
        ("tab\tnl\ncr\r", "\"tab\\tnl\\ncr\\r\""), ("\u{01}\u{1f}", "\"\\u0001\\u001f\""),
        ("\u{2028}\u{2029}", "\"\\u2028\\u2029\""), ("ü€😀", "\"ü€😀\""), ("\u{7f}", "\"\u{7f}\""),
    ])
    func strings(_ s: String, _ want: String) {
        var out: [UInt8] = []
        JSONWriter.appendString(s, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == want)
    }

    @Test(arguments: [
        (1.0, "1"), (0.5, "0.5"), (1e20, "100000000000000000000"), (1e21, "1e+21"), (1e-6, "0.000001"),
        (1e-7, "1e-7"), (1.5e-10, "1.5e-10"), (-2.5, "-2.5"), (123456789.0, "123456789"),
    ])
    func numbers(_ v: Double, _ want: String) {
        var w = JSONWriter()
        w.number(v)
        #expect(String(decoding: w.bytes, as: UTF8.self) == want)
    }

    @Test func envelopeShapes() {
        let ok = APIEnvelope.success(warnings: ["w"]) { w in
            w.arrayStart(); w.int(1); w.string("x"); w.null(); w.bool(true); w.arrayEnd()
        }
        #expect(String(decoding: ok, as: UTF8.self) == #"{"status":"success","data":[1,"x",null,true],"warnings":["w"]}"#)
        let err = APIEnvelope.error(APIError(.badData, "invalid parameter \"query\""))
        #expect(String(decoding: err, as: UTF8.self) == #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\""}"#)
        #expect(APIErrorType.execution.httpStatus == 422 && APIErrorType.canceled.httpStatus == 499)
    }
}
