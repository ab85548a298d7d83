// Options every client subcommand shares, and how their answers are printed.
import ArgumentParser
import Foundation
import SteerClient
import SteerText
import SteerWire

struct ClientOptions: ParsableArguments {
    @Option(help: "steerd's socket (default: $STEER_SOCKET, else $XDG_RUNTIME_DIR/steer/steerd.sock, else /tmp/steer-<uid>/steerd.sock).")
    var socket: String = SocketPaths.defaultSocketPath

    @Option(help: "Give up after this many seconds (sent to steerd as the request's deadline).")
    var timeout: Double = 30

    @Flag(help: "Print the response as JSON.")
    var json = false

    /// Calls one RPC; a failure status becomes a clean exit with the daemon's message.
    func call<Response: WireMessage>(_ method: Method, _ request: some WireMessage, as type: Response.Type) throws -> Response {
        do {
            let connection = try SteerConnection(socketPath: socket)
            return try connection.call(method, request, as: type, timeoutSeconds: timeout)
        } catch let error as RPCError {
            throw ValidationFailureExit(message: "steerd answered \(error.status): \(error.message)")
        } catch let error as ClientError {
            throw ValidationFailureExit(message: error.description)
        }
    }

    /// Prints `value` as JSON when `--json` is set, otherwise runs `human`.
    func output<T: Encodable>(_ value: T, human: () -> Void) throws {
        if json {
            try printJSON(value)
        } else {
            human()
        }
    }
}

/// Prints `value` as indented JSON with sorted keys: what every `--json` of `steer` prints.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Exits with status 1 after printing a one-line message to standard error.
struct ValidationFailureExit: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Parses "1,2,3" or "1 2 3" into numbers.
func parseList<T: LosslessStringConvertible>(_ text: String, what: String) throws -> [T] {
    try text.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" }).map {
        guard let value = T(String($0)) else { throw ValidationError("\"\($0)\" in \(what) is not a valid number") }
        return value
    }
}

/// `--encoder-precision fp32|int8`.
extension EncoderPrecision: ExpressibleByArgument {}
