"""The blocking client: one connection, one call at a time (calls from several threads queue)."""
from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any, Optional, Set

from ._pb import steer_pb2 as pb
from ._rpcs import DEFAULT_TIMEOUT, Decode, RPCMethods, Timeout, answer
from .errors import (ClientTimeoutError, ConnectFailedError, ConnectionClosedError, ProtocolError, RPCError,
                     rpc_error)
from .framing import DEFAULT_MAX_FRAME_SIZE, FrameDecoder, deadline_unix_micros, encode_request
from .types import Method


def default_socket_path() -> str:
    """Where ``steer`` looks without ``--socket``: $STEER_SOCKET, else
    $XDG_RUNTIME_DIR/steer/steerd.sock, else /tmp/steer-<uid>/steerd.sock."""
    if os.environ.get("STEER_SOCKET"):
        return os.environ["STEER_SOCKET"]
    if os.environ.get("XDG_RUNTIME_DIR"):
        return os.path.join(os.environ["XDG_RUNTIME_DIR"], "steer", "steerd.sock")
    return f"/tmp/steer-{os.getuid()}/steerd.sock"


def connect_unix(path: str) -> socket.socket:
    """A connected Unix stream socket, or :class:`ConnectFailedError` naming the path and reason."""
    if len(os.fsencode(path)) >= 108:
        raise ConnectFailedError(f"socket path too long (max 107 bytes): {path}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as error:
        sock.close()
        raise ConnectFailedError(f"cannot connect to steerd at {path}: {error.strerror or error} "
                                 "(is `steer serve` running?)") from error
    return sock


class SteerClient(RPCMethods):
    """A blocking connection to steerd.

    Each RPC method sends one request and waits for its answer. ``timeout`` (seconds, default
    ``default_timeout``) is sent as the request's deadline, which steerd enforces; the client
    itself gives up ``timeout_grace`` seconds later (:class:`ClientTimeoutError`), and an answer
    that arrives after that is dropped when it comes. A lock serialises calls, so threads may
    share a client, but for concurrency use :class:`~steer_client.AsyncSteerClient`.

    >>> with SteerClient("/tmp/steer/steerd.sock") as steer:
    ...     rec = steer.recommend([12, 7, 99], "no horror tonight", k=10)
    """

    def __init__(self, socket_path: Optional[str] = None, *, default_timeout: Optional[float] = 30.0,
                 timeout_grace: float = 2.0, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE):
        self.socket_path = socket_path or default_socket_path()
        self.default_timeout = default_timeout
        self.timeout_grace = timeout_grace
        self._sock: Optional[socket.socket] = connect_unix(self.socket_path)
        self._decoder = FrameDecoder(max_frame_size)
        self._ready: list = []
        self._lock = threading.Lock()
        self._next_id = 1
        self._abandoned: Set[int] = set()
        self._close_reason: Optional[str] = None
        #: The last error steerd sent for the whole connection (id 0), e.g. for a malformed frame.
        self.notice: Optional[RPCError] = None
        #: Answers whose id no call was waiting for (0 unless steerd answered twice or invented an id).
        self.unmatched_responses = 0

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the connection; idempotent."""
        if self._close_reason is None:
            self._close_reason = "the client closed the connection"
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> "SteerClient":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def closed(self) -> bool:
        return self._sock is None

    # -- envelopes ------------------------------------------------------------------------

    def new_id(self) -> int:
        """A request id not used before on this connection."""
        request_id = self._next_id
        self._next_id += 1
        return request_id

    def send_raw(self, data: bytes) -> None:
        """Writes bytes as they are (for tests of malformed input)."""
        sock = self._socket()
        try:
            sock.sendall(data)
        except OSError as error:
            raise self._fail(f"write to {self.socket_path} failed: {error}") from error

    def receive(self, timeout: Optional[float] = None) -> pb.Response:
        """The next response envelope, whichever request it answers (None: wait as long as it takes)."""
        if self._ready:
            return self._ready.pop(0)
        sock = self._socket()
        sock.settimeout(timeout)
        while not self._ready:
            try:
                data = sock.recv(1 << 16)
            except socket.timeout:
                raise ClientTimeoutError(f"no frame from steerd within {timeout} s") from None
            except OSError as error:
                raise self._fail(f"read from {self.socket_path} failed: {error}") from error
            if not data:
                raise self._fail("steerd closed the connection before answering")
            try:
                self._ready.extend(self._decoder.feed(data))
            except ProtocolError as error:
                self._fail(f"closed after a protocol violation: {error}")
                raise
        return self._ready.pop(0)

    def call_envelope(self, method: int, payload: bytes, timeout: Timeout = DEFAULT_TIMEOUT) -> pb.Response:
        """Sends one request and returns steerd's response envelope whatever its status."""
        with self._lock:
            return self._exchange(int(method), payload, timeout)

    # -- calls ----------------------------------------------------------------------------

    def _invoke(self, method: Method, payload: bytes, decode: Decode, timeout: Timeout) -> Any:
        with self._lock:
            response = self._exchange(method, payload, timeout)
        return answer(method, response, decode)

    def _exchange(self, method: int, payload: bytes, timeout: Timeout) -> pb.Response:
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        request_id = self.new_id()
        self.send_raw(encode_request(request_id, method, deadline_unix_micros(timeout), payload))
        give_up = None if timeout is None else time.monotonic() + max(0.0, timeout) + self.timeout_grace
        while True:
            remaining = None if give_up is None else max(0.0, give_up - time.monotonic())
            try:
                response = self.receive(remaining)
            except ClientTimeoutError:
                # steerd still owes the answer; drop it when it comes instead of handing it to the next call.
                self._abandoned.add(request_id)
                raise ClientTimeoutError(f"{Method(method).rpc_name if method in Method._value2member_map_ else method} "
                                         f"(request {request_id}): no answer from steerd within "
                                         f"{timeout} s + {self.timeout_grace} s grace") from None
            if response.id == request_id:
                return response
            if response.id == 0 and response.status != 0:
                # steerd speaking for the connection (oversized frame, refused peer); it may close next.
                self.notice = rpc_error(response.status, response.message)
                return response
            if response.id in self._abandoned:
                self._abandoned.discard(response.id)
            else:
                self.unmatched_responses += 1

    def _socket(self) -> socket.socket:
        if self._sock is None:
            raise ConnectionClosedError(f"connection to {self.socket_path} is closed: {self._close_reason}", self.notice)
        return self._sock

    def _fail(self, reason: str) -> ConnectionClosedError:
        """Closes the connection for good and returns the error naming why."""
        if self._close_reason is None or self._sock is not None:
            self._close_reason = reason
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        return ConnectionClosedError(f"{self.socket_path}: {reason}", self.notice)
