#!/usr/bin/env python3
"""Recommend round trips from the Python blocking client beside `steer bench rpc`'s Swift figure.

The request shape is `steer bench rpc`'s "Recommend, cached prompt" row: the promptable model
loaded with LoadBackbone, a 200-item history (served from steerd's user-vector cache after the
first request), the prompt "I'm in the mood for a comedy" (cached after its first request),
top-10, one connection, one request at a time, 200 warm-up requests not timed. Each runs its
own steerd of the same executable, one after the other, so they never share the cores. The
load average is printed before and after: a figure taken while other jobs ran is not a result.

    python Clients/python/examples/bench_recommend.py --steer .build/release/steer
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from steer_client import SteerClient
from steer_client._pb import steer_pb2 as pb
from steer_client.types import Method

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "Clients" / "python" / "tests"))
from steerd import Steerd  # noqa: E402 (the tests' steerd launcher: same flags, same model)

PROMPT = "I'm in the mood for a comedy"


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def busy_share(seconds: float = 1.0) -> float:
    """Share of all cores busy over `seconds` (from /proc/stat; this process sleeps meanwhile, so
    all of it is other work): the load average alone still carries minutes of earlier jobs."""
    def times():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:9]]
        return sum(fields), fields[3] + fields[4]
    total0, idle0 = times()
    time.sleep(seconds)
    total1, idle1 = times()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def swift_row(steer: str, requests: int) -> dict:
    """`steer bench rpc`'s row (µs) for Recommend with a cached prompt on one connection."""
    out = subprocess.run([steer, "bench", "rpc", "--checkpoint", str(ROOT / "Models" / "ml-1m-sasrec-dpr.snap"),
                          "--requests", str(4 * requests), "--uncached-requests", "50", "--json"],
                         check=True, capture_output=True, text=True).stdout
    rows = json.loads(out)
    [row] = [r for r in rows if r["rpc"] == "Recommend, cached prompt" and r["connections"] == 1]
    return row


def python_latencies(socket: str, requests: int, warmup: int, envelope_only: bool) -> np.ndarray:
    """Microseconds per call. envelope_only: the payload encoded once and the answer's payload not
    decoded, as the Swift bench does; otherwise the whole `recommend()` with numpy decoding."""
    history = np.random.default_rng(11).integers(0, 3667, 200).tolist()
    times = []
    with SteerClient(socket) as client:
        payload = pb.RecommendRequest(history=pb.History(item_ids=history), prompt=PROMPT, k=10).SerializeToString()
        for i in range(requests + warmup):
            t0 = time.perf_counter_ns()
            if envelope_only:
                answer = client.call_envelope(Method.RECOMMEND, payload)
                assert answer.status == 0, answer.message
            else:
                client.recommend(history, PROMPT, k=10)
            t1 = time.perf_counter_ns()
            if i >= warmup:
                times.append((t1 - t0) / 1000)
    return np.array(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steer", default=str(ROOT / ".build" / "release" / "steer"), help="the steer executable")
    parser.add_argument("--requests", type=int, default=2000, help="timed requests per measurement")
    args = parser.parse_args()
    os.environ["STEER_BIN"] = args.steer
    print(f"load average before: {load_average()} ({os.cpu_count()} cores); "
          f"cores busy with other work in the last second: {busy_share():.0%}", file=sys.stderr)
    row = swift_row(args.steer, args.requests)
    swift = row["p50Micros"]
    daemon = Steerd(["--blas-threads", "1"])
    try:
        with SteerClient(daemon.socket, default_timeout=300) as client:
            client.load_backbone("SASRec", "ml-1m-sasrec-dpr.snap")
        full = python_latencies(daemon.socket, args.requests, 200, envelope_only=False)
        envelope = python_latencies(daemon.socket, args.requests, 200, envelope_only=True)
    finally:
        daemon.stop()
    print(f"load average after: {load_average()}", file=sys.stderr)
    print("Recommend top-10, 200-item history, cached prompt, one connection, one request at a time\n")
    print("| client | requests | p50 µs | p99 µs | p50 / Swift |")
    print("|---|---|---|---|---|")
    print(f"| Swift SteerConnection (steer bench rpc) | {row['requests']} | {swift:.1f} | {row['p99Micros']:.1f} | 1.00 |")
    for name, t in (("Python SteerClient.recommend (numpy answer)", full),
                    ("Python SteerClient.call_envelope (payload pre-encoded, as the Swift bench)", envelope)):
        p50, p99 = np.percentile(t, 50), np.percentile(t, 99)
        print(f"| {name} | {len(t)} | {p50:.1f} | {p99:.1f} | {p50 / swift:.2f} |")


if __name__ == "__main__":
    main()
