"""steerd's framing: a 4-byte big-endian length, then one protobuf envelope.

Requests are ``steer.v1.Request`` (id, method, deadline, payload = the serialized
``<Method>Request``); answers are ``steer.v1.Response`` (id, status, message, payload). Both
clients share this module, so they frame and parse exactly alike.
"""
from __future__ import annotations

import struct
import time
from typing import List, Optional

from ._pb import steer_pb2 as pb
from .errors import ProtocolError

HEADER = struct.Struct(">I")
#: steerd's default --max-frame-size (and --max-response-size): 4 MiB.
DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024


def deadline_unix_micros(timeout: Optional[float]) -> int:
    """The envelope's absolute deadline for a timeout in seconds from now; 0 (none) for None.

    The protocol carries CLOCK_REALTIME microseconds (client and daemon share a host). A
    timeout of 0 or less gives a deadline already passed (never 0, which would mean none).
    """
    if timeout is None:
        return 0
    return max(1, time.time_ns() // 1000 + int(timeout * 1_000_000))


def encode_request(request_id: int, method: int, deadline_micros: int, payload: bytes) -> bytes:
    """One request frame, length prefix included."""
    body = pb.Request(id=request_id, method=method, deadline_unix_micros=deadline_micros,
                      payload=payload).SerializeToString()
    return HEADER.pack(len(body)) + body


def frame(body: bytes) -> bytes:
    """``body`` behind its length prefix (for tests that send raw envelopes)."""
    return HEADER.pack(len(body)) + body


class FrameDecoder:
    """Cuts a byte stream into ``steer.v1.Response`` envelopes, whatever the read sizes."""

    __slots__ = ("max_frame_size", "_buffer", "_start")

    def __init__(self, max_frame_size: int = DEFAULT_MAX_FRAME_SIZE):
        self.max_frame_size = max_frame_size
        self._buffer = bytearray()
        self._start = 0

    def feed(self, data: bytes) -> List[pb.Response]:
        """Adds bytes read from the socket; returns the envelopes now complete, in order.

        Raises:
            ProtocolError: a frame longer than ``max_frame_size`` or a body that is not a Response.
        """
        buffer = self._buffer
        buffer += data
        start = self._start
        out = []
        end = len(buffer)
        while end - start >= 4:
            (length,) = HEADER.unpack_from(buffer, start)
            if length > self.max_frame_size:
                raise ProtocolError(f"steerd sent a frame of {length} bytes, above the limit of {self.max_frame_size}")
            if end - start - 4 < length:
                break
            body = bytes(buffer[start + 4:start + 4 + length])
            start += 4 + length
            try:
                out.append(pb.Response.FromString(body))
            except Exception as error:  # protobuf raises DecodeError; anything else is just as fatal
                raise ProtocolError(f"steerd sent a frame that is not a steer.v1.Response: {error}") from error
        # Drop consumed bytes only now and then: deleting a prefix copies the rest.
        if start == end:
            buffer.clear()
            start = 0
        elif start > 1 << 16:
            del buffer[:start]
            start = 0
        self._start = start
        return out

    @property
    def pending_bytes(self) -> int:
        """Bytes of an incomplete frame held back."""
        return len(self._buffer) - self._start
