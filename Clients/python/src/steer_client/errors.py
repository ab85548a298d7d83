"""The errors a Steer client raises.

Every failure is a :class:`SteerError`. steerd's own answers carry a gRPC status code: a response
whose status is not ``OK`` is raised as an :class:`RPCError` subclass, one per status (catch
:class:`InvalidArgumentError`, or catch :class:`RPCError` and look at ``.code``). Failures where
no status came back are :class:`ConnectionClosedError`, :class:`ClientTimeoutError` and
:class:`ProtocolError`.
"""
from __future__ import annotations

import enum
from typing import Dict, Optional, Type


class StatusCode(enum.IntEnum):
    """``steer.v1.StatusCode``: gRPC's numbers and meanings (docs/wire-protocol.md)."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, number: int) -> "StatusCode":
        """The status for a number as received; one this client does not know reads as UNKNOWN."""
        try:
            return cls(number)
        except ValueError:
            return cls.UNKNOWN


class SteerError(Exception):
    """Base class of every error this package raises."""


class RPCError(SteerError):
    """steerd answered a request with a status other than OK.

    Attributes:
        code: the :class:`StatusCode`.
        message: steerd's explanation (names the field, the limit, the file...).
        method: the RPC's name ("Recommend"), or None for a connection-level answer (id 0).
        request_id: the request's id on its connection (0: steerd spoke for the connection).
    """

    code: StatusCode = StatusCode.UNKNOWN

    def __init__(self, code: StatusCode, message: str, method: Optional[str] = None, request_id: int = 0):
        self.code = code
        self.message = message
        self.method = method
        self.request_id = request_id
        where = f"{method} (request {request_id})" if method else "steerd"
        super().__init__(f"{where}: {code.name}: {message}")


class CancelledError(RPCError):
    """CANCELLED: the request's work was cancelled before anything else answered it."""


class UnknownError(RPCError):
    """UNKNOWN: a status number this client does not know."""


class InvalidArgumentError(RPCError):
    """INVALID_ARGUMENT: a field failed its checks, or the envelope did not parse."""


class DeadlineExceededError(RPCError):
    """DEADLINE_EXCEEDED: the request's deadline passed before its answer was ready."""


class NotFoundError(RPCError):
    """NOT_FOUND: no plugin, snapshot file or encoder of that name."""


class AlreadyExistsError(RPCError):
    """ALREADY_EXISTS: SaveSnapshot to an existing name without ``overwrite``."""


class PermissionDeniedError(RPCError):
    """PERMISSION_DENIED: this process's uid/gid is not allowed to connect."""


class ResourceExhaustedError(RPCError):
    """RESOURCE_EXHAUSTED: a frame, answer or in-flight limit was passed."""


class FailedPreconditionError(RPCError):
    """FAILED_PRECONDITION: what the request needs is not loaded or does not fit."""


class AbortedError(RPCError):
    """ABORTED (steerd never sends it)."""


class OutOfRangeError(RPCError):
    """OUT_OF_RANGE (steerd never sends it)."""


class UnimplementedError(RPCError):
    """UNIMPLEMENTED: an unknown method number."""


class InternalError(RPCError):
    """INTERNAL: a failure of steerd or a plugin, not of the request."""


class UnavailableError(RPCError):
    """UNAVAILABLE: steerd is shutting down."""


class DataLossError(RPCError):
    """DATA_LOSS: a file that is not a valid snapshot, checkpoint or index."""


class UnauthenticatedError(RPCError):
    """UNAUTHENTICATED (steerd never sends it)."""


_BY_CODE: Dict[StatusCode, Type[RPCError]] = {
    StatusCode.CANCELLED: CancelledError,
    StatusCode.UNKNOWN: UnknownError,
    StatusCode.INVALID_ARGUMENT: InvalidArgumentError,
    StatusCode.DEADLINE_EXCEEDED: DeadlineExceededError,
    StatusCode.NOT_FOUND: NotFoundError,
    StatusCode.ALREADY_EXISTS: AlreadyExistsError,
    StatusCode.PERMISSION_DENIED: PermissionDeniedError,
    StatusCode.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    StatusCode.FAILED_PRECONDITION: FailedPreconditionError,
    StatusCode.ABORTED: AbortedError,
    StatusCode.OUT_OF_RANGE: OutOfRangeError,
    StatusCode.UNIMPLEMENTED: UnimplementedError,
    StatusCode.INTERNAL: InternalError,
    StatusCode.UNAVAILABLE: UnavailableError,
    StatusCode.DATA_LOSS: DataLossError,
    StatusCode.UNAUTHENTICATED: UnauthenticatedError,
}
for _code, _cls in _BY_CODE.items():
    _cls.code = _code


def rpc_error(status: int, message: str, method: Optional[str] = None, request_id: int = 0) -> RPCError:
    """The :class:`RPCError` subclass for a status number as received."""
    code = StatusCode.of(status)
    return _BY_CODE.get(code, UnknownError)(code, message, method, request_id)


class ConnectionClosedError(SteerError, ConnectionError):
    """The connection closed (steerd went away, or the client closed it) before the answer came.

    Attributes:
        notice: the :class:`RPCError` steerd sent for the whole connection just before closing it
            (e.g. RESOURCE_EXHAUSTED for an oversized frame, PERMISSION_DENIED), or None.
    """

    def __init__(self, message: str, notice: Optional[RPCError] = None):
        self.notice = notice
        super().__init__(message + (f" (steerd said: {notice})" if notice else ""))


class ConnectFailedError(SteerError, ConnectionError):
    """The socket could not be connected (steerd not running, wrong path, no permission)."""


class ClientTimeoutError(SteerError, TimeoutError):
    """No answer within the client-side limit (the sent deadline plus a grace period).

    steerd answers DEADLINE_EXCEEDED at the deadline itself; this is raised only when even
    that answer did not come, so steerd may be stuck or the socket is not steerd.
    """


class ProtocolError(SteerError):
    """steerd sent something that is not a valid response frame; the connection was closed."""
