// Where steerd listens by default, shared by the daemon and its clients.
#if canImport(Glibc)
import Glibc
#endif

public enum SocketPaths {
    /// `$STEER_SOCKET` if set; else `$XDG_RUNTIME_DIR/steer/steerd.sock`; else `/tmp/steer-<uid>/steerd.sock`.
    public static var defaultSocketPath: String {
        if let explicit = getenv("STEER_SOCKET").map({ String(cString: $0) }), !explicit.isEmpty {
            return explicit
        }
        if let runtime = getenv("XDG_RUNTIME_DIR").map({ String(cString: $0) }), !runtime.isEmpty {
            return runtime + "/steer/steerd.sock"
        }
        return "/tmp/steer-\(getuid())/steerd.sock"
    }
}
