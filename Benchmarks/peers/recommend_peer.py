#!/usr/bin/env python3
"""Recommend peer: steerd's Recommend pipeline in one Python process, PyTorch on CPU, timed.

The same model as `steer bench rpc --checkpoint F` serves, read from the same Steer checkpoint
(a STEERSNP snapshot: the backbone's tensor archive in `weights`, the DPR head's in `dpr_head`):
  * backbone: SASRec as Steer's plugin computes it (RecBole's post-LN layout: item + position
    embedding, LN, per block causal nn.MultiheadAttention → LN(x + ·) → GELU FFN → LN(x + ·)),
    its shapes and weights from the checkpoint; the user vector is the last position's output, and
    (as Steer's plugin does) the last block runs for that position alone;
  * prompt: sentence-transformers all-MiniLM-L6-v2, one encode() giving the token embeddings
    ([CLS] and [SEP] included, what the head attends over) and the normalised sentence embedding
    (what the router reads);
  * router: logistic regression over [sentence embedding ; 11 cue features] with the weights of
    Steer's bundled Sources/SteerPrompt/Resources/router.json; the cue features here are a short
    regex approximation of Steer's lexicon (same cost class: microseconds);
  * DPR head: projector Linear(E→P) · GELU · Linear(P→d) on every token, then the tower of the
    polarity: LN_q(h), LN_kv(tokens), nn.MultiheadAttention (user vector as the one query, prompt
    tokens as keys/values), h' = h + γ_a ⊙ attn, z = h' + γ_f ⊙ FFN(LN_f(h')) (GELU, d→F→d);
  * retrieval: exact inner product over all items (item_table @ z), the history masked to -inf,
    torch.topk(10).
Weights: the checkpoint's real ones when the snapshot can be read (python `zstandard`, else the
system libzstd through ctypes); --random-weights (or an unreadable checkpoint without --require-real)
uses random tensors of the shapes in the checkpoint's config. The JSON says which.

Cases, each --warmup-rule untimed requests then N timed ones, one request at a time, under
torch.inference_mode() with torch.set_num_threads(--threads):
  no_prompt      the same 200-item history every request; like steerd, the user vector comes from a
                 cache keyed by the history (steerd's user-vector cache), then top-10;
  cached_prompt  + the same prompt every request: its route and projected token states from a dict
                 (steerd's prepared prompts), the tower, top-10;
  new_prompt     + a new prompt text every request (MiniLM runs every time);
  new_history    a new random 200-item history every request, no prompt: SASRec runs every time;
  new_history_new_prompt  both new: the whole pipeline with nothing cached.
Prompts are the ones `steer bench rpc` sends ("I'm in the mood for a comedy"; "Tonight I want
{topic}, pick number {i}"). p50 = sorted[n//2], p99 = sorted[int(n*0.99)] (the rule of steer bench rpc).
Prints ONE JSON line on stdout; logs go to stderr.
--check: prints the top-10 (ids and scores) for --history / --prompt / --polarity instead, to compare
with `steer recommend --json` on the same checkpoint.
"""
import argparse
import json
import math
import os
import re
import struct
import sys
import time

from steer_files import read_snapshot, read_tensor_archive
from peer_common import import_torch, model_folder, offline_environment

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
TOPICS = ["comedy", "horror", "a western", "something romantic", "sci-fi", "a documentary", "a thriller", "animation"]
CACHED_PROMPT = "I'm in the mood for a comedy"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=os.path.join(REPO, "Models", "ml-1m-sasrec-dpr.snap"),
                   help="a Steer DPR checkpoint (steer train-dpr; default Models/ml-1m-sasrec-dpr.snap)")
    p.add_argument("--model", default=None,
                   help="sentence-transformers folder (default $STEER_CACHE/models/all-MiniLM-L6-v2, STEER_CACHE defaulting to ~/.cache/steer)")
    p.add_argument("--router", default=os.path.join(REPO, "Sources", "SteerPrompt", "Resources", "router.json"),
                   help="Steer's router weights (default: the bundled router.json)")
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1, steerd's --blas-threads default)")
    p.add_argument("--requests", type=int, default=5000, help="timed requests of the no-prompt and cached-prompt cases (default 5000)")
    p.add_argument("--uncached-requests", type=int, default=400, help="timed requests of the cases with a new prompt or history (default 400)")
    p.add_argument("--history", default=None, help="comma-separated item ids (default: 200 random ids, seed --seed)")
    p.add_argument("--history-length", type=int, default=200, help="length of the random history (default 200)")
    p.add_argument("--k", type=int, default=10, help="top-K (default 10)")
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--random-weights", action="store_true", help="random tensors of the checkpoint's shapes instead of its weights")
    p.add_argument("--require-real", action="store_true", help="fail instead of falling back to random weights")
    p.add_argument("--check", action="store_true", help="print the top-K for --history/--prompt/--polarity and exit")
    p.add_argument("--prompt", default="", help="--check: the prompt (empty: none)")
    p.add_argument("--polarity", choices=["auto", "positive", "negative"], default="auto", help="--check: stated polarity (default: the router's)")
    return p.parse_args()


def die(msg):
    print(f"recommend_peer: error: {msg}", file=sys.stderr)
    sys.exit(2)


def log(msg):
    print(f"recommend_peer: {msg}", file=sys.stderr)


# --- the model --------------------------------------------------------------------------------

def build(args):
    import numpy as np
    import torch
    from torch import nn
    import torch.nn.functional as F

    kind, sections, how = read_snapshot(args.checkpoint)
    if kind != "backbone-checkpoint" or "dpr_head" not in sections:
        die(f"{args.checkpoint} is a {kind} snapshot without a DPR head; pass a checkpoint written by steer train-dpr")
    plugin = sections["plugin"].decode()
    if plugin != "SASRec":
        die(f"{args.checkpoint} holds a {plugin} backbone; this peer implements SASRec")
    bconf_text, btensors = read_tensor_archive(sections["weights"], b"STA1")
    hconf_text, htensors = read_tensor_archive(sections["dpr_head"], b"SDPR")
    bc, hc = json.loads(bconf_text), json.loads(hconf_text)
    if hc.get("keyValue") != "tokens" or hc.get("norm") != "preLN" or hc.get("towers") != "two" or "layerScale" not in hc.get("gate", {}):
        die(f"DPR head config {hc} is not the default (tokens, preLN, two towers, layerScale) this peer implements")
    real = not args.random_weights
    if not real:
        gen = np.random.default_rng(args.seed)
        for t in (btensors, htensors):
            for name in t:
                t[name] = gen.standard_normal(t[name].shape[0]).astype(np.float32) * 0.02
    log(f"{args.checkpoint}: SASRec {bc}, DPR head {hc}; {'real' if real else 'random'} weights (snapshot read with {how})")

    used = set()

    def T(table, name, *shape):
        used.add((id(table), name))
        return torch.from_numpy(table[name].reshape(*shape) if shape else table[name])

    d, L, H, inner, n_items, max_len = bc["hidden"], bc["layers"], bc["heads"], bc["inner"], bc["n_items"], bc["max_len"]
    eps = float(bc.get("layer_norm_eps", 1e-12))

    class SASRecBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.attn = nn.MultiheadAttention(d, H, batch_first=True)
            self.ln1 = nn.LayerNorm(d, eps=eps)
            self.ff1 = nn.Linear(d, inner)
            self.ff2 = nn.Linear(inner, d)
            self.ln2 = nn.LayerNorm(d, eps=eps)

        def forward(self, x, mask):
            a, _ = self.attn(x, x, x, attn_mask=mask, need_weights=False, is_causal=True)
            h = self.ln1(x + a)
            return self.ln2(h + self.ff2(F.gelu(self.ff1(h))))

        def last(self, x):  # forward(x, mask)[:, -1:], for the last position alone (as Steer's plugin serves)
            q = x[:, -1:]
            a, _ = self.attn(q, x, x, need_weights=False)  # the last query may see every position: no mask
            h = self.ln1(q + a)
            return self.ln2(h + self.ff2(F.gelu(self.ff1(h))))

    class SASRec(nn.Module):
        def __init__(self):
            super().__init__()
            self.item = nn.Embedding(n_items, d)
            self.pos = nn.Embedding(max_len, d)
            self.ln = nn.LayerNorm(d, eps=eps)
            self.blocks = nn.ModuleList([SASRecBlock() for _ in range(L)])

        def forward(self, ids):  # ids [1, T], T <= max_len; positions count from the end, as Steer's
            t = ids.shape[1]
            x = self.ln(self.item(ids) + self.pos.weight[max_len - t:])
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
            for blk in self.blocks[:-1]:
                x = blk(x, mask)
            return self.blocks[-1].last(x)[:, -1]  # [1, d]

    E, P, F_, NH = hc["encoderDim"], hc["projectorHidden"], hc["ffnDim"], hc["heads"]

    class Tower(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_q, self.ln_kv, self.ln_f = nn.LayerNorm(d), nn.LayerNorm(d), nn.LayerNorm(d)
            self.attn = nn.MultiheadAttention(d, NH, batch_first=True)
            self.scale_a = nn.Parameter(torch.ones(d))
            self.ffn1, self.ffn2 = nn.Linear(d, F_), nn.Linear(F_, d)
            self.scale_f = nn.Parameter(torch.ones(d))

        def forward(self, h, e):  # h [1, d], e [1, Lk, d]
            m = self.ln_kv(e)
            a, _ = self.attn(self.ln_q(h).unsqueeze(1), m, m, need_weights=False)
            h1 = h + self.scale_a * a.squeeze(1)
            return h1 + self.scale_f * self.ffn2(F.gelu(self.ffn1(self.ln_f(h1))))

    class DPRHead(nn.Module):
        def __init__(self):
            super().__init__()
            self.proj1, self.proj2 = nn.Linear(E, P), nn.Linear(P, d)
            self.towers = nn.ModuleList([Tower(), Tower()])  # 0 positive, 1 negative

        def project(self, tokens):  # tokens [Lk, E] -> e [1, Lk, d]
            return self.proj2(F.gelu(self.proj1(tokens))).unsqueeze(0)

        def forward(self, h, tokens, polarity):  # tokens [Lk, E]
            return self.towers[polarity](h, self.project(tokens))

    backbone, head = SASRec(), DPRHead()
    with torch.no_grad():
        backbone.item.weight.copy_(T(btensors, "item_embedding", n_items, d))
        backbone.pos.weight.copy_(T(btensors, "position_embedding", max_len, d))
        backbone.ln.weight.copy_(T(btensors, "embedding_ln.weight"))
        backbone.ln.bias.copy_(T(btensors, "embedding_ln.bias"))
        for l, blk in enumerate(backbone.blocks):
            g = lambda n, *s: T(btensors, f"block{l}.{n}", *s)
            blk.attn.in_proj_weight.copy_(g("qkv.weight", 3 * d, d))   # rows q, k, v as Steer's packed qkv
            blk.attn.in_proj_bias.copy_(g("qkv.bias"))
            blk.attn.out_proj.weight.copy_(g("proj.weight", d, d))
            blk.attn.out_proj.bias.copy_(g("proj.bias"))
            blk.ln1.weight.copy_(g("ln1.weight")); blk.ln1.bias.copy_(g("ln1.bias"))
            blk.ff1.weight.copy_(g("ff1.weight", inner, d)); blk.ff1.bias.copy_(g("ff1.bias"))
            blk.ff2.weight.copy_(g("ff2.weight", d, inner)); blk.ff2.bias.copy_(g("ff2.bias"))
            blk.ln2.weight.copy_(g("ln2.weight")); blk.ln2.bias.copy_(g("ln2.bias"))
        head.proj1.weight.copy_(T(htensors, "proj.w1", P, E)); head.proj1.bias.copy_(T(htensors, "proj.b1"))
        head.proj2.weight.copy_(T(htensors, "proj.w2", d, P)); head.proj2.bias.copy_(T(htensors, "proj.b2"))
        for prefix, tw in zip(["pos", "neg"], head.towers):
            g = lambda n, *s: T(htensors, f"{prefix}.{n}", *s)
            tw.ln_q.weight.copy_(g("ln_q.w")); tw.ln_q.bias.copy_(g("ln_q.b"))
            tw.ln_kv.weight.copy_(g("ln_kv.w")); tw.ln_kv.bias.copy_(g("ln_kv.b"))
            tw.attn.in_proj_weight.copy_(torch.cat([g("attn.wq", d, d), g("attn.wk", d, d), g("attn.wv", d, d)]))
            tw.attn.in_proj_bias.copy_(torch.cat([g("attn.bq"), g("attn.bk"), g("attn.bv")]))
            tw.attn.out_proj.weight.copy_(g("attn.wo", d, d)); tw.attn.out_proj.bias.copy_(g("attn.bo"))
            tw.scale_a.copy_(g("attn.scale"))
            tw.ln_f.weight.copy_(g("ln_f.w")); tw.ln_f.bias.copy_(g("ln_f.b"))
            tw.ffn1.weight.copy_(g("ffn.w1", F_, d)); tw.ffn1.bias.copy_(g("ffn.b1"))
            tw.ffn2.weight.copy_(g("ffn.w2", d, F_)); tw.ffn2.bias.copy_(g("ffn.b2"))
            tw.scale_f.copy_(g("ffn.scale"))
    unused = sorted(n for t in (btensors, htensors) for n in t if (id(t), n) not in used)
    if unused:
        raise RuntimeError(f"the checkpoint holds tensors this peer does not load: {unused}")
    backbone.eval()
    head.eval()
    items = backbone.item.weight.detach().clone()  # the index: Steer's is the checkpoint's item table
    info = {"weights": "real" if real else "random", "snapshot_reader": how, "sasrec": bc, "dpr_head": hc,
            "n_items": n_items, "dim": d}
    return backbone, head, items, info


class Router:
    """Logistic regression over [sentence embedding ; cue features], Steer's bundled weights."""
    NEG = re.compile(r"\b(no|not|never|nothing|without|avoid|skip|don'?t|do not|doesn'?t|won'?t|isn'?t|aren'?t|none|neither|nor|except|but not|anything but|stay away|spare me)\b")

    def __init__(self, path):
        import torch
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
        self.dim = m["dimension"]
        self.names = m["cueFeatures"]
        self.w = torch.tensor(m["weights"], dtype=torch.float32)
        self.bias = float(m["bias"])

    def route(self, embedding, text):
        import torch
        t = text[:256].lower()
        negs = len(self.NEG.findall(t))
        cues = dict.fromkeys(self.names, 0.0)
        cues["negationCues"] = float(negs)
        cues["exclusionOnly"] = float(negs > 0)
        cues["leadingNegation"] = float(bool(self.NEG.match(t)))
        cues["question"] = float("?" in t)
        cues["noCues"] = float(negs == 0)
        x = torch.cat([embedding, torch.tensor([cues[n] for n in self.names], dtype=torch.float32)])
        p = 1.0 / (1.0 + math.exp(-(float(self.w @ x) + self.bias)))
        return (0 if p >= 0.5 else 1), p


def main():
    args = parse_args()
    offline_environment()
    model_dir = model_folder(args.model, "modules.json", die)
    if not os.path.isfile(args.checkpoint):
        die(f"no checkpoint at {args.checkpoint}")
    torch, np, sentence_transformers = import_torch(args.threads, die, also=("numpy", "sentence_transformers"))

    t0 = time.perf_counter()
    try:
        backbone, head, items, info = build(args)
    except (RuntimeError, KeyError, struct.error) as e:
        if args.require_real or args.random_weights:
            die(f"cannot read {args.checkpoint}: {e}")
        log(f"cannot read the checkpoint's weights ({e}); falling back to random weights")
        args.random_weights = True
        backbone, head, items, info = build(args)
    encoder = sentence_transformers.SentenceTransformer(model_dir, device="cpu")
    encoder.eval()
    router = Router(args.router)
    log(f"loaded in {time.perf_counter() - t0:.2f} s: torch {torch.__version__}, sentence-transformers "
        f"{sentence_transformers.__version__}, {torch.get_num_threads()} threads, {info['n_items']} items × {info['dim']}")

    n_items, k = info["n_items"], args.k
    gen = np.random.default_rng(args.seed)
    if args.history:
        history = [int(x) for x in args.history.split(",") if x.strip()]
    else:
        history = gen.integers(0, n_items, args.history_length).tolist()
    if not history or any(i < 0 or i >= n_items for i in history):
        die(f"history ids must be in 0..<{n_items}")

    def embed_prompt(text):
        out = encoder.encode(text, output_value=None, convert_to_numpy=False, show_progress_bar=False)
        return out["token_embeddings"], out["sentence_embedding"]

    def encode_history(hist):
        ids = torch.tensor(hist[-backbone.pos.weight.shape[0]:], dtype=torch.long).unsqueeze(0)
        return backbone(ids)  # [1, d]

    def top_k(z, hist):
        scores = items @ z.reshape(-1)
        scores[torch.tensor(hist, dtype=torch.long)] = float("-inf")
        return torch.topk(scores, k)

    # steerd's caches, mirrored: user vectors by history, token states + pooled embedding by prompt
    # text, and prepared prompts (the route and the projector's output) by prompt text.
    user_cache, prompt_cache, prepared_cache = {}, {}, {}

    def recommend(hist, prompt, polarity=None, cache_user=True, cache_prompt=True):
        key = tuple(hist)
        h = user_cache.get(key) if cache_user else None
        if h is None:
            h = encode_history(hist)
            if cache_user:
                user_cache[key] = h
        z = h
        route = None
        if prompt:
            prepared = prepared_cache.get(prompt) if cache_prompt else None
            if prepared is None:
                states = prompt_cache.get(prompt) if cache_prompt else None
                if states is None:
                    states = embed_prompt(prompt)
                    if cache_prompt:
                        prompt_cache[prompt] = states
                tokens, pooled = states
                prepared = (router.route(pooled, prompt), head.project(tokens))
                if cache_prompt:
                    prepared_cache[prompt] = prepared
            route, e = prepared
            if polarity is not None:
                route = (polarity, 1.0)
            z = head.towers[route[0]](h, e)
        return top_k(z, hist), route

    if args.check:
        pol = None if args.polarity == "auto" else (0 if args.polarity == "positive" else 1)
        with torch.inference_mode():
            (scores, ids), route = recommend(history, args.prompt, pol)
        print(json.dumps({"weights": info["weights"], "history": history, "prompt": args.prompt,
                          "polarity": None if route is None else ("positive" if route[0] == 0 else "negative"),
                          "route_positive_probability": None if route is None or pol is not None else round(route[1], 4),
                          "item_ids": ids.tolist(), "scores": [round(float(s), 5) for s in scores]}), flush=True)
        return

    def measure(n, request):
        warmup = min(200, max(10, n // 10))  # steer bench rpc's rule
        lat = []
        for i in range(n + warmup):
            t = time.perf_counter()
            with torch.inference_mode():
                request(i)
            if i >= warmup:
                lat.append((time.perf_counter() - t) * 1000.0)
        lat.sort()
        return {"requests": len(lat), "p50_ms": round(lat[len(lat) // 2], 4), "p99_ms": round(lat[int(len(lat) * 0.99)], 4),
                "mean_ms": round(sum(lat) / len(lat), 4)}

    def new_history(i):
        g = np.random.default_rng(1_000_000 + i)
        return g.integers(0, n_items, len(history)).tolist()

    def new_prompt(i):
        return f"Tonight I want {TOPICS[i % len(TOPICS)]}, pick number {i}"

    cases = {}
    cases["no_prompt"] = measure(args.requests, lambda i: recommend(history, ""))
    cases["cached_prompt"] = measure(args.requests, lambda i: recommend(history, CACHED_PROMPT))
    cases["new_prompt"] = measure(args.uncached_requests, lambda i: recommend(history, new_prompt(i)))
    histories = [new_history(i) for i in range(args.uncached_requests + 200)]
    cases["new_history"] = measure(args.uncached_requests, lambda i: recommend(histories[i], "", cache_user=False))
    cases["new_history_new_prompt"] = measure(
        args.uncached_requests, lambda i: recommend(histories[i], new_prompt(i + 10_000_000), cache_user=False, cache_prompt=False))

    out = {
        "peer": "pytorch+sentence-transformers",
        "torch": torch.__version__.split("+")[0],
        "sentence_transformers": sentence_transformers.__version__,
        "threads": torch.get_num_threads(),
        "weights": info["weights"],
        "snapshot_reader": info["snapshot_reader"],
        "checkpoint": os.path.basename(args.checkpoint),
        "n_items": n_items, "dim": info["dim"], "history_length": len(history), "k": k,
        "sasrec": {key: info["sasrec"][key] for key in ["max_len", "hidden", "layers", "heads", "inner"]},
        "dpr_head": {key: info["dpr_head"][key] for key in ["encoderDim", "projectorHidden", "heads", "ffnDim", "keyValue", "towers"]},
        "cases": cases,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
