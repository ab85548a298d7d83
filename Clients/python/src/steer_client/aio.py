"""The asyncio client: many requests in flight on one connection, answers matched by id."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional, Tuple

from ._pb import steer_pb2 as pb
from ._rpcs import DEFAULT_TIMEOUT, Decode, RPCMethods, Timeout, answer
from .client import connect_unix, default_socket_path
from .errors import ClientTimeoutError, ConnectionClosedError, ProtocolError, RPCError, rpc_error
from .framing import DEFAULT_MAX_FRAME_SIZE, FrameDecoder, deadline_unix_micros, encode_request
from .types import Method


class _Protocol(asyncio.Protocol):
    """Hands the bytes steerd sends to the client and tells it when writing must wait."""

    def __init__(self, client: "AsyncSteerClient"):
        self.client = client

    def data_received(self, data: bytes) -> None:
        self.client._data_received(data)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        reason = f"connection lost: {exc}" if exc else "steerd closed the connection before answering"
        self.client._fail(reason)

    def pause_writing(self) -> None:
        self.client._writable.clear()

    def resume_writing(self) -> None:
        self.client._writable.set()


class AsyncSteerClient(RPCMethods):
    """One connection to steerd shared by any number of tasks.

    Every call is written at once and answered whenever steerd finishes it, in any order: the
    answer is matched to its call by request id. At most ``max_in_flight`` calls are outstanding
    (steerd's default per-connection limit, 256); further calls wait for a slot instead of being
    answered RESOURCE_EXHAUSTED. A call's slot is freed when steerd answers it, even when the
    caller gave up (timed out or was cancelled), so the limit holds as steerd counts it.

    ``timeout`` (seconds) is sent as the deadline; the call fails on its own
    (:class:`ClientTimeoutError`) ``timeout_grace`` seconds after it if even steerd's
    DEADLINE_EXCEEDED did not come. When the connection closes, every waiting call fails at once
    with :class:`ConnectionClosedError` (carrying steerd's last connection-level notice, if any).

    >>> async with await AsyncSteerClient.connect(path) as steer:
    ...     recs = await asyncio.gather(*(steer.recommend(h, k=10) for h in histories))
    """

    def __init__(self, socket_path: str, *, max_in_flight: int = 256, default_timeout: Optional[float] = 30.0,
                 timeout_grace: float = 2.0, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE):
        """Use :meth:`connect`; this only sets the fields."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.socket_path = socket_path
        self.max_in_flight = max_in_flight
        self.default_timeout = default_timeout
        self.timeout_grace = timeout_grace
        self._decoder = FrameDecoder(max_frame_size)
        self._transport: Optional[asyncio.Transport] = None
        self._slots = asyncio.Semaphore(max_in_flight)
        self._writable = asyncio.Event()
        self._writable.set()
        self._next_id = 1
        # id -> (future or None once its caller gave up, the client-side timer)
        self._pending: Dict[int, Tuple[Optional[asyncio.Future], Optional[asyncio.TimerHandle]]] = {}
        self._close_reason: Optional[str] = None
        #: The last error steerd sent for the whole connection (id 0), e.g. for a malformed frame.
        self.notice: Optional[RPCError] = None
        #: Answers whose id no call was waiting for (0 unless steerd answered twice or invented an id).
        self.unmatched_responses = 0

    @classmethod
    async def connect(cls, socket_path: Optional[str] = None, **options: Any) -> "AsyncSteerClient":
        """Connects to steerd (``socket_path`` defaults as for ``steer``; options as the constructor)."""
        client = cls(socket_path or default_socket_path(), **options)
        sock = connect_unix(client.socket_path)
        loop = asyncio.get_running_loop()
        client._transport, _ = await loop.create_unix_connection(lambda: _Protocol(client), sock=sock)
        return client

    async def close(self) -> None:
        """Closes the connection; waiting calls fail with :class:`ConnectionClosedError`. Idempotent."""
        self._fail("the client closed the connection")

    async def __aenter__(self) -> "AsyncSteerClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    @property
    def closed(self) -> bool:
        return self._close_reason is not None

    @property
    def in_flight(self) -> int:
        """Requests sent whose answer has not come, including ones whose caller gave up."""
        return len(self._pending)

    def send_raw(self, data: bytes) -> None:
        """Writes bytes as they are (for tests of malformed input); answers with id 0 land in ``notice``."""
        self._raise_if_closed(0)
        self._transport.write(data)

    # -- calls ----------------------------------------------------------------------------

    def _invoke(self, method: Method, payload: bytes, decode: Decode, timeout: Timeout) -> Any:
        return self._call(method, payload, decode, timeout)

    async def _call(self, method: Method, payload: bytes, decode: Decode, timeout: Timeout) -> Any:
        response = await self.call_envelope(method, payload, timeout)
        return answer(method, response, decode)

    async def call_envelope(self, method: int, payload: bytes, timeout: Timeout = DEFAULT_TIMEOUT) -> pb.Response:
        """Sends one request and returns steerd's response envelope whatever its status."""
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        self._raise_if_closed(method)
        await self._slots.acquire()
        try:
            self._raise_if_closed(method)
        except ConnectionClosedError:
            self._slots.release()
            raise
        request_id = self._next_id
        self._next_id += 1
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        timer = None
        if timeout is not None:
            limit = max(0.0, timeout) + self.timeout_grace
            timer = loop.call_later(limit, self._expire, request_id, method, limit)
        self._pending[request_id] = (future, timer)
        self._transport.write(encode_request(request_id, method, deadline_unix_micros(timeout), payload))
        try:
            if not self._writable.is_set():
                await self._writable.wait()  # steerd reads slower than we write: wait, don't buffer without end
            return await future
        except asyncio.CancelledError:
            self._orphan(request_id)
            raise

    def _raise_if_closed(self, method: int) -> None:
        if self._close_reason is not None:
            raise ConnectionClosedError(f"{self._method_name(method)}: {self._close_reason}", self.notice)

    @staticmethod
    def _method_name(method: int) -> str:
        return Method(method).rpc_name if method in Method._value2member_map_ else f"method {method}"

    def _orphan(self, request_id: int) -> None:
        """The caller stopped waiting; the slot stays taken until steerd's answer comes."""
        entry = self._pending.get(request_id)
        if entry is not None:
            if entry[1] is not None:
                entry[1].cancel()
            self._pending[request_id] = (None, None)

    def _expire(self, request_id: int, method: int, limit: float) -> None:
        entry = self._pending.get(request_id)
        if entry is None or entry[0] is None:
            return
        future = entry[0]
        self._pending[request_id] = (None, None)
        if not future.done():
            future.set_exception(ClientTimeoutError(
                f"{self._method_name(method)} (request {request_id}): no answer from steerd within {limit} s"))

    # -- the connection's events --------------------------------------------------------------

    def _data_received(self, data: bytes) -> None:
        try:
            responses = self._decoder.feed(data)
        except ProtocolError as error:
            self._fail(f"closed after a protocol violation: {error}")
            return
        for response in responses:
            entry = self._pending.pop(response.id, None)
            if entry is None:
                if response.id == 0 and response.status != 0:
                    # steerd speaking for the connection; after an oversized frame it closes it next.
                    self.notice = rpc_error(response.status, response.message)
                else:
                    self.unmatched_responses += 1
                continue
            future, timer = entry
            if timer is not None:
                timer.cancel()
            self._slots.release()
            if future is not None and not future.done():
                future.set_result(response)

    def _fail(self, reason: str) -> None:
        """Marks the connection closed (the first reason wins) and fails every waiting call."""
        if self._close_reason is None:
            self._close_reason = reason
        if self._transport is not None:
            self._transport.abort()
        pending, self._pending = self._pending, {}
        for request_id, (future, timer) in pending.items():
            if timer is not None:
                timer.cancel()
            if future is not None and not future.done():
                future.set_exception(ConnectionClosedError(f"request {request_id}: {self._close_reason}", self.notice))
            self._slots.release()  # wakes callers waiting for a slot, who then see the connection closed
        self._writable.set()
