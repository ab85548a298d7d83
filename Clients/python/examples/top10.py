#!/usr/bin/env python3
"""A user's top-10 from steerd, without a prompt and with one, printed as tables.

Run it against a steerd serving a promptable model, e.g. (from the repository root):

    .build/release/steer serve --socket /tmp/steer/steerd.sock --snapshot-dir snapshots &
    python Clients/python/examples/top10.py --socket /tmp/steer/steerd.sock \
        --load SASRec:ml-1m-sasrec-dpr.snap --history 1,2,3,47,1195 --prompt "I'm in the mood for a comedy"

In a notebook, import it and call ``top10_tables(client, history, prompt)``: it returns the
tables as strings (or use ``Recommendation.rows()`` to build a DataFrame).
"""
from __future__ import annotations

import argparse
from typing import List, Optional, Sequence

from steer_client import Recommendation, SteerClient


def table(rec: Recommendation, heading: str) -> str:
    """The recommendation as a fixed-width text table: rank, item id, score, title, genres."""
    lines = [heading, f"{'#':>2}  {'item':>5}  {'score':>7}  {'title':<44}  genres", "-" * 90]
    for rank, item, score, title, genres in rec.rows():
        lines.append(f"{rank:>2}  {item:>5}  {score:>7.3f}  {title[:44]:<44}  {genres}")
    return "\n".join(lines)


def top10_tables(client: SteerClient, history: Sequence[int], prompt: str, k: int = 10) -> List[str]:
    """Two tables: the plain top-k for ``history``, then the top-k steered by ``prompt``."""
    plain = client.recommend(history, k=k)
    steered = client.recommend(history, prompt, k=k)
    reading = ", ".join(f"{p.text!r} {p.polarity.name.lower()} ({p.confidence:.2f}"
                        f"{'' if p.steered else ', not applied'})" for p in steered.parts)
    return [table(plain, f"Top {k} without a prompt"), table(steered, f"Top {k} for {prompt!r}: read as {reading}")]


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", help="steerd's socket (default: as the steer command finds it)")
    parser.add_argument("--history", default="1,2,3,47,1195,592,2571", help="item ids, oldest first, comma-separated")
    parser.add_argument("--prompt", default="I'm in the mood for a comedy")
    parser.add_argument("--load", metavar="PLUGIN:CHECKPOINT",
                        help="LoadBackbone first when nothing is active (a checkpoint in steerd's snapshot folder)")
    args = parser.parse_args(argv)
    history = [int(item) for item in args.history.split(",") if item.strip()]
    with SteerClient(args.socket) as client:
        if args.load and not client.health().active_backbone:
            plugin, _, checkpoint = args.load.partition(":")
            client.load_backbone(plugin, checkpoint)
        for text in top10_tables(client, history, args.prompt):
            print(text, end="\n\n")


if __name__ == "__main__":
    main()
