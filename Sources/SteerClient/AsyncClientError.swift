// Why a call of the async client failed without a response status from steerd.

/// A call of ``SteerAsyncClient`` that ended without steerd's answer.
///
/// A response with a status other than OK is reported as `RPCError` instead (as by
/// `SteerConnection.call`), and a cancelled calling task gets `CancellationError`.
public struct AsyncClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong; compare with the static members. New kinds may be added.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case connectionClosed, timedOut, protocolViolation }
        private let base: Base

        /// The connection closed (by steerd, by the client, or after a write failed) before the answer came.
        public static let connectionClosed = Kind(base: .connectionClosed)
        /// No answer within the call's client-side timeout; steerd may still be working on it.
        public static let timedOut = Kind(base: .timedOut)
        /// steerd sent something that is not a valid response frame; the connection was closed.
        public static let protocolViolation = Kind(base: .protocolViolation)

        public var description: String {
            switch base {
            case .connectionClosed: "connection closed"
            case .timedOut: "timed out"
            case .protocolViolation: "protocol violation"
            }
        }
    }

    public let kind: Kind
    /// One line naming the call (method and request id) when there is one, and the reason.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
