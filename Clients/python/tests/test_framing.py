"""The client's frame decoder on its own (no steerd): byte by byte, across reads, and bad input.

Every decoder gets a byte-by-byte test and a fuzz loop: a response must come out whole however
the socket splits it, and anything steerd could never send must raise ProtocolError, nothing else.
"""
import random

import pytest

from steer_client._pb import steer_pb2 as pb
from steer_client.errors import ProtocolError
from steer_client.framing import HEADER, FrameDecoder, encode_request, frame


def _responses():
    return [pb.Response(id=1, status=0, payload=b"\x08\x01"),
            pb.Response(id=2, status=3, message="bad prompt"),
            pb.Response(id=0, status=0)]  # an empty body: a zero-length frame


def test_responses_come_out_whole_fed_one_byte_at_a_time():
    stream = b"".join(frame(r.SerializeToString()) for r in _responses())
    decoder, out = FrameDecoder(), []
    for i in range(len(stream)):
        out += decoder.feed(stream[i:i + 1])
    assert out == _responses()
    assert decoder.pending_bytes == 0


def test_every_split_of_the_stream_gives_the_same_responses():
    stream = b"".join(frame(r.SerializeToString()) for r in _responses())
    for cut in range(len(stream) + 1):
        decoder = FrameDecoder()
        assert decoder.feed(stream[:cut]) + decoder.feed(stream[cut:]) == _responses(), cut


def test_a_frame_above_the_limit_is_refused_before_its_body_arrives():
    decoder = FrameDecoder(max_frame_size=16)
    with pytest.raises(ProtocolError, match="17 bytes, above the limit of 16"):
        decoder.feed(HEADER.pack(17))


def test_a_body_that_is_not_a_response_is_refused():
    with pytest.raises(ProtocolError, match="not a steer.v1.Response"):
        FrameDecoder().feed(frame(b"\xff\xff\xff"))


def test_request_frames_carry_their_length():
    data = encode_request(7, 2, 123, b"abc")
    (length,) = HEADER.unpack_from(data)
    assert length == len(data) - 4
    assert pb.Request.FromString(data[4:]) == pb.Request(id=7, method=2, deadline_unix_micros=123, payload=b"abc")


def test_fuzz_random_streams_raise_only_protocol_errors():
    rng = random.Random(20261206)
    valid = [frame(r.SerializeToString()) for r in _responses()]
    for _ in range(3000):
        pieces = [rng.choice(valid) if rng.random() < 0.5 else bytes(rng.getrandbits(8) for _ in range(rng.randrange(12)))
                  for _ in range(rng.randrange(1, 5))]
        stream = b"".join(pieces)
        decoder = FrameDecoder(max_frame_size=1 << 12)
        try:
            while stream:
                n = rng.randrange(1, 9)
                for response in decoder.feed(stream[:n]):
                    assert isinstance(response, pb.Response)
                stream = stream[n:]
        except ProtocolError:
            pass
