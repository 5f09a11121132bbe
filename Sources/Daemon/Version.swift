import API

/// Version facts reported by `--version`, `/api/v1/status/buildinfo` and `vigil_build_info`.
enum Version {
    static let version = "0.1.0"
    static let branch = "main"
    static let revision = "unknown"

    static var swiftVersion: String {
        #if compiler(>=6.3)
        return "swift6.3"
        #else
        return "swift6"
        #endif
    }

    static var banner: String {
        "vigil, version \(version) (branch: \(branch), revision: \(revision))\n  swift version: \(swiftVersion)\n  platform: linux/\(arch)"
    }

    static var arch: String {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return "unknown"
        #endif
    }

    static var buildInfo: BuildInfo {
        BuildInfo(version: version, revision: revision, branch: branch, buildUser: "", buildDate: "", swiftVersion: swiftVersion)
    }
}
