"""Bad input answered with the right status, deadlines, and disconnects, against a real steerd."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from steer_client import (AsyncSteerClient, ClientTimeoutError, ConnectFailedError, ConnectionClosedError,
                          DeadlineExceededError, Embeddings, FailedPreconditionError, InvalidArgumentError, Method,
                          NotFoundError, RPCError, StatusCode, SteerClient)
from steer_client._pb import steer_pb2 as pb
from steer_client.framing import frame
from steerd import Steerd

HISTORY = [1, 2, 3]


def new_prompts(tag: str, n: int):
    """Prompts steerd has not seen in this run, so the encoder must run (slow, on purpose)."""
    return [f"{tag} {time.time_ns()} prompt {i}: a slow-burning thriller with a twist" for i in range(n)]


def test_unknown_item_is_invalid_argument(client):
    with pytest.raises(InvalidArgumentError) as error:
        client.recommend([1, 2, 1_000_000], k=5)
    assert error.value.code == StatusCode.INVALID_ARGUMENT and error.value.method == "Recommend"
    assert "1000000" in error.value.message and "out of range" in error.value.message


def test_empty_prompts_are_invalid_argument(client):
    for call in (lambda: client.route([""]), lambda: client.embed_prompt(["   "]),
                 lambda: client.recommend(HISTORY, parts=[("", "+")])):
        with pytest.raises(InvalidArgumentError):
            call()
    with pytest.raises(InvalidArgumentError) as unspecified:
        client.recommend(HISTORY, parts=[("a comedy", 0)])
    assert "parts[0]" in unspecified.value.message
    with pytest.raises(InvalidArgumentError) as both:
        client.recommend(HISTORY, "a comedy", parts=[("romance", "-")])
    assert "prompt" in both.value.message


def test_malformed_frame_is_answered_with_id_0_and_the_connection_stays(client):
    client.send_raw(frame(b"\xff\xff\xff\xff"))
    answer = client.receive(timeout=30)
    assert (answer.id, StatusCode.of(answer.status)) == (0, StatusCode.INVALID_ARGUMENT)
    assert client.health().live


def test_unknown_method_is_unimplemented_naming_the_number(client):
    answer = client.call_envelope(99, b"")
    assert StatusCode.of(answer.status) == StatusCode.UNIMPLEMENTED and "99" in answer.message


def test_bad_payload_is_invalid_argument(client):
    answer = client.call_envelope(Method.RECOMMEND, b"\x0a\xff")  # a length past the end of the payload
    assert StatusCode.of(answer.status) == StatusCode.INVALID_ARGUMENT


def test_unknown_plugin_is_not_found(client):
    with pytest.raises(NotFoundError) as error:
        client.load_backbone("NoSuchPlugin")
    assert isinstance(error.value, RPCError) and error.value.code == StatusCode.NOT_FOUND


def test_deadline_passed_is_deadline_exceeded(client):
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        client.embed_prompt(new_prompts("deadline", 32), timeout=0.001)
    assert time.monotonic() - started < 10, "steerd answers at the deadline, not after the work"
    with pytest.raises(DeadlineExceededError):
        client.health(timeout=-1)  # a deadline already past when sent
    assert client.health(timeout=5).live and client.health(timeout=None).live


def test_deadline_travels_in_the_envelope(client):
    now = time.time_ns() // 1000
    client.send_raw(frame(pb.Request(id=client.new_id(), method=Method.HEALTH, deadline_unix_micros=now - 1).SerializeToString()))
    assert StatusCode.of(client.receive(timeout=30).status) == StatusCode.DEADLINE_EXCEEDED


def test_async_deadline_exceeded_beside_answered_calls(steerd):
    async def main():
        async with await AsyncSteerClient.connect(steerd.socket) as steer:
            slow = steer.embed_prompt(new_prompts("async deadline", 32), timeout=0.001)
            fast = [steer.health(timeout=30) for _ in range(20)]
            results = await asyncio.gather(slow, *fast, return_exceptions=True)
            assert isinstance(results[0], DeadlineExceededError)
            assert all(r.live for r in results[1:])
            assert steer.in_flight == 0 and steer.unmatched_responses == 0
    asyncio.run(main())


def test_connect_to_missing_socket_fails_clearly(tmp_path):
    with pytest.raises(ConnectFailedError) as error:
        SteerClient(str(tmp_path / "nothing.sock"))
    assert "nothing.sock" in str(error.value) and "steer serve" in str(error.value)


def test_oversized_frame_closes_the_connection_and_fails_calls_in_flight(steerd):
    async def main():
        steer = await AsyncSteerClient.connect(steerd.socket)
        calls = [asyncio.ensure_future(steer.embed_prompt(new_prompts(f"oversized {i}", 256))) for i in range(4)]
        await asyncio.sleep(0)  # the four EmbedPrompt frames are written first
        # Right behind them, a frame above steerd's 4 MiB limit. Nothing is written after it: a write to
        # the closed socket would fail before the client reads steerd's notice.
        steer.send_raw((5 * 1024 * 1024).to_bytes(4, "big"))
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 60)
        # steerd reads the bad header microseconds after the calls; 1,024 new prompts take far longer.
        assert all(isinstance(r, (Embeddings, ConnectionClosedError)) for r in results), results
        assert any(isinstance(r, ConnectionClosedError) for r in results), "every call was answered"
        assert steer.notice is not None and steer.notice.code == StatusCode.RESOURCE_EXHAUSTED
        assert steer.closed and steer.in_flight == 0
        with pytest.raises(ConnectionClosedError):
            await steer.health()
    asyncio.run(main())


@pytest.fixture
def second_steerd():
    """A steerd of its own, to kill; no backbone loaded."""
    daemon = Steerd()
    yield daemon
    daemon.stop()


def test_nothing_loaded_is_failed_precondition(second_steerd):
    with SteerClient(second_steerd.socket) as steer:
        with pytest.raises(FailedPreconditionError):
            steer.recommend(HISTORY)
        assert not steer.health().ready


def test_blocking_call_fails_when_steerd_dies_mid_request(second_steerd):
    with SteerClient(second_steerd.socket, default_timeout=300) as steer:
        steer.health()
        killer = threading.Timer(0.3, second_steerd.kill)
        killer.start()
        started = time.monotonic()
        with pytest.raises(ConnectionClosedError) as error:
            steer.embed_prompt(new_prompts("killed", 256))
        killer.join()
        assert time.monotonic() - started < 30
        assert "closed" in str(error.value)
        with pytest.raises(ConnectionClosedError):
            steer.health()


def test_async_calls_fail_when_steerd_dies_mid_request(second_steerd):
    async def main():
        steer = await AsyncSteerClient.connect(second_steerd.socket, default_timeout=300)
        await steer.health()
        calls = [asyncio.ensure_future(steer.embed_prompt(new_prompts(f"killed async {i}", 256))) for i in range(8)]
        await asyncio.sleep(0.3)
        await asyncio.get_running_loop().run_in_executor(None, second_steerd.kill)
        results = await asyncio.wait_for(asyncio.gather(*calls, return_exceptions=True), 30)
        # A fast machine may answer a call or two before the kill; 2,048 new prompts it cannot.
        assert all(isinstance(r, (Embeddings, ConnectionClosedError)) for r in results), results
        assert any(isinstance(r, ConnectionClosedError) for r in results), "steerd answered every call before it died"
        assert steer.closed and steer.in_flight == 0
    asyncio.run(main())


def test_client_timeout_when_no_answer_comes(second_steerd):
    """SIGSTOP freezes steerd: nothing answers, not even DEADLINE_EXCEEDED; the client's own limit ends the call."""
    import signal
    with SteerClient(second_steerd.socket, timeout_grace=0.5) as steer:
        steer.health()
        second_steerd.process.send_signal(signal.SIGSTOP)
        # The signal is asynchronous: wait until the kernel reports the process stopped ("T").
        stat = f"/proc/{second_steerd.process.pid}/stat"
        for _ in range(200):
            with open(stat) as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "T":
                    break
            time.sleep(0.01)
        try:
            started = time.monotonic()
            with pytest.raises(ClientTimeoutError):
                steer.health(timeout=0.5)
            assert 0.9 <= time.monotonic() - started < 5
        finally:
            second_steerd.process.send_signal(signal.SIGCONT)
        # steerd's late answer to the abandoned call is dropped, not handed to the next call.
        assert steer.stats(timeout=30).requests_total > 0 and steer.unmatched_responses == 0
