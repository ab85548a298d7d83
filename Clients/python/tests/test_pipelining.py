"""The asyncio client keeps many requests in flight on one connection and matches every answer
to its request by id, whatever order steerd answers in; each answer is checked by its content."""
from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest

from steer_client import AsyncSteerClient, RetrieveQuery

HISTORIES = [[1, 2, 3], [10, 20, 30, 40], [47, 1195, 592, 2571], [5], [100, 200], [7, 8, 9, 11, 13], [300], [2000, 3000]]
KS = list(range(1, 11))


def expected_recommendations(client):
    """The answer to every (history, k) the pipelined runs send, asked one at a time."""
    return {(h, k): client.recommend(HISTORIES[h], k=k).item_ids.tolist() for h in range(len(HISTORIES)) for k in KS}


def test_answers_overtake_a_slow_request(steerd):
    """Health is answered on steerd's event loop, EmbedPrompt of new prompts on its compute pool:
    the Health calls sent after the EmbedPrompt complete before it, and each still gets its own answer."""
    order = []

    async def labelled(label, call):
        result = await call
        order.append(label)
        return result

    async def main():
        async with await AsyncSteerClient.connect(steerd.socket, default_timeout=300) as steer:
            prompts = [f"overtake {time.time_ns()} #{i}: a heist film set in winter" for i in range(64)]
            slow = asyncio.ensure_future(labelled("embed", steer.embed_prompt(prompts)))
            await asyncio.sleep(0)  # the EmbedPrompt frame is written first
            healths = await asyncio.gather(*(labelled(f"health{i}", steer.health()) for i in range(50)))
            embedded = await slow
            assert all(h.live and h.active_backbone == "SASRec" for h in healths)
            assert embedded.vectors.shape == (64, 384) and not embedded.cache_hits.any()
            assert steer.unmatched_responses == 0 and steer.in_flight == 0
    asyncio.run(main())
    assert order[-1] == "embed", "the slow request was answered last"
    assert order.index("embed") > 0


def test_mixed_requests_in_flight_are_matched_by_content(steerd, client):
    expected = expected_recommendations(client)
    users = client.encode_history(HISTORIES)
    retrieved = {k: [r.item_ids.tolist() for r in client.retrieve(users, k=k)] for k in (3, 17)}
    routed = {p: client.route([p])[0].polarity for p in ("no horror tonight", "I'm in the mood for a comedy")}

    async def main():
        async with await AsyncSteerClient.connect(steerd.socket, default_timeout=300) as steer:
            calls, checks = [], []
            for i in range(400):
                kind, h, k = i % 4, i % len(HISTORIES), KS[i % len(KS)]
                if kind == 0:
                    calls.append(steer.recommend(HISTORIES[h], k=k))
                    checks.append(lambda r, h=h, k=k: r.item_ids.tolist() == expected[(h, k)])
                elif kind == 1:
                    calls.append(steer.encode_history([HISTORIES[h]]))
                    checks.append(lambda r, h=h: np.allclose(r[0], users[h], atol=1e-4))
                elif kind == 2:
                    kk = (3, 17)[i % 8 // 4]
                    calls.append(steer.retrieve([RetrieveQuery(users[h])], k=kk))
                    checks.append(lambda r, h=h, kk=kk: r[0].item_ids.tolist() == retrieved[kk][h])
                else:
                    prompt = list(routed)[i % 8 // 4]
                    calls.append(steer.route([prompt]))
                    checks.append(lambda r, p=prompt: r[0].polarity == routed[p])
            results = await asyncio.gather(*calls)
            wrong = [i for i, (check, result) in enumerate(zip(checks, results)) if not check(result)]
            assert wrong == [], f"answers not matching their requests: {wrong[:10]}"
            assert steer.unmatched_responses == 0 and steer.in_flight == 0
    asyncio.run(main())


def test_10000_pipelined_recommends_on_one_connection(steerd, client, timings):
    expected = expected_recommendations(client)
    count = 10_000

    async def main():
        async with await AsyncSteerClient.connect(steerd.socket, default_timeout=300) as steer:
            peak = 0

            async def one(i):
                nonlocal peak
                h, k = i % len(HISTORIES), KS[(i // len(HISTORIES)) % len(KS)]
                result = await steer.recommend(HISTORIES[h], k=k)
                peak = max(peak, steer.in_flight)
                return result.item_ids.tolist() == expected[(h, k)]

            started = time.perf_counter()
            matched = await asyncio.gather(*(one(i) for i in range(count)))
            seconds = time.perf_counter() - started
            assert sum(matched) == count, f"{count - sum(matched)} answers did not match their requests"
            assert steer.unmatched_responses == 0 and steer.in_flight == 0
            assert 1 < peak <= steer.max_in_flight, "requests were pipelined, within steerd's per-connection limit"
            return seconds

    seconds = asyncio.run(main())
    timings["10,000 pipelined Recommend (one connection, all matched)"] = \
        f"{seconds:.2f} s ({count / seconds:,.0f} requests/s)"


@pytest.mark.parametrize("max_in_flight", [1, 7])
def test_in_flight_limit_queues_calls_instead_of_failing(steerd, max_in_flight):
    async def main():
        async with await AsyncSteerClient.connect(steerd.socket, max_in_flight=max_in_flight) as steer:
            seen = []

            async def one():
                result = await steer.health()
                seen.append(steer.in_flight)
                return result

            results = await asyncio.gather(*(one() for _ in range(60)))
            assert all(r.live for r in results) and max(seen) <= max_in_flight
    asyncio.run(main())
