import Foundation
import CSQLite
import CLZ4

/// Entry point of the `vigil` executable.
package enum VigilMain {
    package static func run(arguments: [String]) async {
        print("vigil (sqlite \(String(cString: sqlite3_libversion())), lz4 \(LZ4_versionNumber()))")
    }
}
