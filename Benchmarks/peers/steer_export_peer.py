#!/usr/bin/env python3
"""A Steer checkpoint exported with `steer export safetensors`, loaded in PyTorch: the model's
function rebuilt from the header alone, and the leave-one-out test measured with it, so the
figures can be set beside `steer eval` (and, for a model imported from RecBole, beside RecBole's
own dump).

  steer_export_peer.py --weights model.safetensors [--dataset ml-100k] [--history-mask on|off]
                       [--recbole-dump dump.json] [--threads 1]

What it reads: the tensors (safetensors.torch.load_file) and `__metadata__` (plugin, config,
item_tokens). SASRec as the plugin computes it: x = E[ids] + P[rows] (rows counted from the end
of the history, or from its start with "positions": "from_start"), LayerNorm, per block causal
multi-head attention on the packed qkv → LN(x + ·) → exact-GELU FFN → LN(h + ·), the last
position. GRU4Rec: nn.GRU (bias per "gru_bias") on the embeddings, the dense layer, the last
step. Scores = user · item tableᵀ over every item.

The test part: each user's interactions of <dataset>.inter sorted by timestamp, equal times in
file order (--time-order recbole: RecBole's normalised float32 keys); the last is the target, the rest the history (its last
max_len items are fed). --history-mask on removes the history from the ranking (`steer eval`'s
default); off ranks everything (RecBole 1.2.1's full-sort protocol for sequential models).
With --recbole-dump, also the top-10 of the dumped users against RecBole's. Prints ONE JSON line.
"""
import argparse
import json
import math
import os
import sys

from peer_common import error_exit, import_torch
from recbole_common import data_path

die = error_exit("steer_export_peer")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", required=True)
    p.add_argument("--dataset", default="ml-100k")
    p.add_argument("--data-path", default=None)
    p.add_argument("--history-mask", choices=["on", "off"], default="on")
    p.add_argument("--time-order", choices=["exact", "recbole"], default="exact",
                   help="recbole: sort on (t - min) / (max - min) in float32, ties in file order (RecBole 1.2.1 on ML-100k)")
    p.add_argument("--recbole-dump", default=None)
    p.add_argument("--threads", type=int, default=1)
    return p.parse_args()


def test_cases(path, tokens, time_order):
    """(user token, history ids, target id) per user, ids in the export's vocabulary."""
    index = {t: i for i, t in enumerate(tokens)}
    rows = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        cols = {name.split(":")[0]: k for k, name in enumerate(header)}
        for n, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            rows.setdefault(parts[cols["user_id"]], []).append((float(parts[cols["timestamp"]]), n, parts[cols["item_id"]]))
    if time_order == "recbole":
        import numpy as np
        times = [t for events in rows.values() for t, _, _ in events]
        low, high = min(times), max(times)
        rows = {u: [(float(np.float32((t - low) / (high - low))), n, i) for t, n, i in events] for u, events in rows.items()}
    cases = []
    for user, events in rows.items():  # dict order: first appearance, as both systems number users
        items = [index[i] for _, _, i in sorted(events)]
        if len(items) >= 2:
            cases.append((user, items[:-1], items[-1]))
    return cases


class SteerSASRec:
    def __init__(self, torch, t, c):
        self.torch, self.t, self.c = torch, t, c
        self.d, self.layers, self.heads = c["hidden"], c["layers"], c["heads"]
        self.eps, self.max_len = c.get("layer_norm_eps", 1e-12), c["max_len"]
        self.from_start = c.get("positions", "from_end") == "from_start"

    def users(self, histories):
        torch, F, t, d = self.torch, self.torch.nn.functional, self.t, self.d
        histories = [h[-self.max_len:] for h in histories]
        b, width = len(histories), max(len(h) for h in histories)
        ids = torch.zeros(b, width, dtype=torch.long)
        rows = torch.zeros(b, width, dtype=torch.long)
        real = torch.zeros(b, width, dtype=torch.bool)
        for r, h in enumerate(histories):
            n = len(h)
            ids[r, width - n:] = torch.tensor(h)
            real[r, width - n:] = True
            rows[r, width - n:] = torch.arange(n) if self.from_start else torch.arange(self.max_len - n, self.max_len)
        x = t["item_embedding"][ids] + t["position_embedding"][rows]
        x = F.layer_norm(x, (d,), t["embedding_ln.weight"], t["embedding_ln.bias"], self.eps)
        hs = d // self.heads
        causal = torch.tril(torch.ones(width, width, dtype=torch.bool))
        allowed = causal.unsqueeze(0) & real.unsqueeze(1)          # [b, query, key]
        for l in range(self.layers):
            p = lambda n: t[f"block{l}.{n}"]
            q, k, v = F.linear(x, p("qkv.weight"), p("qkv.bias")).split(d, dim=-1)
            q, k, v = (z.view(b, width, self.heads, hs).transpose(1, 2) for z in (q, k, v))
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
            scores = scores.masked_fill(~allowed.unsqueeze(1), float("-inf"))
            att = torch.nan_to_num(torch.softmax(scores, dim=-1))   # padded query rows attend to nothing
            a = (att @ v).transpose(1, 2).reshape(b, width, d)
            h = F.layer_norm(x + F.linear(a, p("proj.weight"), p("proj.bias")), (d,), p("ln1.weight"), p("ln1.bias"), self.eps)
            f = F.linear(F.gelu(F.linear(h, p("ff1.weight"), p("ff1.bias"))), p("ff2.weight"), p("ff2.bias"))
            x = F.layer_norm(h + f, (d,), p("ln2.weight"), p("ln2.bias"), self.eps)
        return x[:, -1, :]


class SteerGRU4Rec:
    def __init__(self, torch, t, c):
        self.torch, self.t, self.c, self.max_len = torch, t, c, c["max_len"]
        bias = bool(c.get("gru_bias", 0))
        self.gru = torch.nn.GRU(c["embedding"], c["hidden"], num_layers=c["layers"], bias=bias, batch_first=True)
        state = {}
        for l in range(c["layers"]):
            for kind in (["weight_ih", "weight_hh"] + (["bias_ih", "bias_hh"] if bias else [])):
                state[f"{kind}_l{l}"] = t[f"gru.{kind}_l{l}"]
        self.gru.load_state_dict(state)

    def users(self, histories):
        torch, t = self.torch, self.t
        out = []
        for h in histories:
            x = t["item_embedding"][torch.tensor(h[-self.max_len:])].unsqueeze(0)
            states, _ = self.gru(x)
            out.append(torch.nn.functional.linear(states[0, -1], t["dense.weight"], t["dense.bias"]))
        return torch.stack(out)


def main():
    args = parse_args()
    torch, = import_torch(args.threads, die)
    from safetensors import safe_open
    from safetensors.torch import load_file
    with safe_open(args.weights, framework="pt") as f:
        meta = f.metadata() or {}
    if meta.get("format") != "steer-checkpoint/1":
        die(f"{args.weights} is not a `steer export safetensors` file (format {meta.get('format')!r})")
    tensors = load_file(args.weights)
    config = json.loads(meta["config"])
    tokens = json.loads(meta["item_tokens"])
    plugin = meta["plugin"]
    models = {"SASRec": SteerSASRec, "GRU4Rec": SteerGRU4Rec}
    if plugin not in models:
        die(f"no PyTorch rebuild of plugin {plugin}")
    model = models[plugin](torch, tensors, config)
    cases = test_cases(os.path.join(data_path(args.data_path), args.dataset, f"{args.dataset}.inter"), tokens, args.time_order)
    table = tensors["item_embedding"]
    sums = {"ndcg@10": 0.0, "recall@10": 0.0, "ndcg@20": 0.0, "recall@20": 0.0}
    users = {}
    with torch.no_grad():
        for start in range(0, len(cases), 256):
            chunk = cases[start:start + 256]
            scores = model.users([h for _, h, _ in chunk]) @ table.T
            for r, (user, history, target) in enumerate(chunk):
                s = scores[r].clone()
                if args.history_mask == "on":
                    s[torch.tensor([i for i in history if i != target], dtype=torch.long)] = float("-inf")
                rank = int((s > s[target]).sum())  # items strictly above the target
                for k in (10, 20):
                    if rank < k:
                        sums[f"ndcg@{k}"] += 1 / math.log2(rank + 2)
                        sums[f"recall@{k}"] += 1
                top = torch.topk(s, 10)
                users[user] = ([tokens[i] for i in top.indices.tolist()], s)
    out = {"peer": "pytorch", "torch": torch.__version__.split("+")[0], "plugin": plugin, "config": config,
           "weights": os.path.basename(args.weights), "test_users": len(cases), "history_masked": args.history_mask == "on"}
    out.update({k: round(v / len(cases), 6) for k, v in sums.items()})
    if args.recbole_dump:
        with open(args.recbole_dump) as f:
            dump = json.load(f)
        index = {t: i for i, t in enumerate(tokens)}
        same, worst = 0, 0.0
        for u in dump["users"]:
            top, s = users[u["user"]]
            same += top == u["top"]
            worst = max(worst, max(abs(float(s[index[t]]) - x) for t, x in zip(u["top"], u["scores"])))
        out["recbole"] = {"test": {k: dump["test"][k] for k in sums}, "users": len(dump["users"]),
                          "top10_identical": same, "max_score_diff": worst}
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
