#!/usr/bin/env python3
"""sentence-transformers peer: all-MiniLM-L6-v2 prompt embedding on CPU, timed.

Loads the local model folder ($STEER_CACHE/models/all-MiniLM-L6-v2; offline: HF_HUB_OFFLINE=1)
with sentence-transformers on CPU and torch.set_num_threads(--threads), then
  1. warm-up: --warmup single calls (default 20), not timed;
  2. single-prompt latency: --single N calls of model.encode(prompt) (default 300), one prompt at a
     time cycling through the prompt list, each timed with time.perf_counter; p50 = sorted[n//2],
     p99 = sorted[min(n-1, n*99//100)] (the same rule as `steer bench embed`);
  3. batch-32 throughput: model.encode(32 prompts, batch_size=32) repeatedly, cycling through the
     list, for --seconds S (default 5); prompts embedded / elapsed seconds.
encode() runs the model's whole pipeline as a user calls it: tokenize, BertModel, mean pooling,
L2 normalize, numpy output.
Prints ONE JSON line on stdout:
  {"peer":"sentence-transformers","version":...,"torch":...,"threads":...,"single_p50_ms":...,
   "single_p99_ms":...,"batch32_per_s":...,"dim":384,...}
--check: prints the embeddings of a couple of prompts instead (JSON), and, when Steer's parity
fixture (Tests/Fixtures/encoders/minilm_reference.json) is found, the worst cosine and largest
absolute difference of this install against it.
Logs go to stderr.
"""
import argparse
import json
import os
import sys
import time

from peer_common import add_timing_arguments, error_exit, import_torch, model_folder, offline_environment, read_prompts, time_encoder

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None,
                   help="sentence-transformers model folder (default $STEER_CACHE/models/all-MiniLM-L6-v2, STEER_CACHE defaulting to ~/.cache/steer)")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    p.add_argument("--check", action="store_true", help="print embeddings of a couple of prompts and compare with Steer's fixture")
    p.add_argument("--text", action="append", help="--check: a text to embed (repeatable; default: the first two prompts)")
    p.add_argument("--reference", default=os.path.join(HERE, "..", "..", "Tests", "Fixtures", "encoders", "minilm_reference.json"),
                   help="--check: Steer's parity fixture")
    add_timing_arguments(p, os.path.join(HERE, "prompts.txt"))
    return p.parse_args()


die = error_exit("embed_peer")


def main():
    args = parse_args()
    offline_environment()
    model_dir = model_folder(args.model, "modules.json", die)
    prompts = read_prompts(args.prompts, die)

    torch, np, sentence_transformers = import_torch(args.threads, die, also=("numpy", "sentence_transformers"))

    t0 = time.perf_counter()
    model = sentence_transformers.SentenceTransformer(model_dir, device="cpu")
    model.eval()
    load_s = time.perf_counter() - t0
    dim_fn = getattr(model, "get_embedding_dimension", None) or getattr(model, "get_sentence_embedding_dimension", None)
    dim = dim_fn() if dim_fn else None
    print(f"embed_peer: loaded {model_dir} in {load_s:.2f} s: sentence-transformers {sentence_transformers.__version__}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, {len(prompts)} prompts", file=sys.stderr)

    def encode(x, **kw):
        with torch.inference_mode():
            return model.encode(x, convert_to_numpy=True, show_progress_bar=False, **kw)

    if args.check:
        texts = args.text or prompts[:2]
        vectors = encode(texts, batch_size=32)
        out = {
            "peer": "sentence-transformers",
            "version": sentence_transformers.__version__,
            "torch": torch.__version__.split("+")[0],
            "dim": int(vectors.shape[1]),
            "embeddings": [{"text": t, "norm": round(float(np.linalg.norm(v)), 6),
                            "embedding": [round(float(x), 7) for x in v]} for t, v in zip(texts, vectors)],
        }
        ref_path = os.path.abspath(args.reference)
        if os.path.isfile(ref_path):
            with open(ref_path, encoding="utf-8") as f:
                cases = json.load(f)["cases"]
            ref = np.array([c["embedding"] for c in cases], dtype=np.float64)
            ids = model.tokenizer([c["text"] for c in cases], truncation=True,
                                  max_length=model.max_seq_length)["input_ids"]
            for name, got in [("one by one", np.stack([encode(c["text"]) for c in cases])),
                              ("batched", encode([c["text"] for c in cases], batch_size=32))]:
                got = got.astype(np.float64)
                cos = (got * ref).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(ref, axis=1))
                out.setdefault("reference", {"file": ref_path, "cases": len(cases),
                                             "token_ids_equal": sum(int(list(i) == c["input_ids"]) for i, c in zip(ids, cases))})
                out["reference"][name] = {"min_cosine": float(cos.min()), "max_abs_diff": float(np.abs(got - ref).max())}
        else:
            print(f"embed_peer: no reference at {ref_path}; printing embeddings only", file=sys.stderr)
        print(json.dumps(out), flush=True)
        return

    # One batch call first (the first batched encode allocates); then the shared protocol. A single
    # prompt is passed as a string, as a user embeds one.
    encode(prompts[:args.batch] * (args.batch // len(prompts) + 1), batch_size=args.batch)
    timing = time_encoder(lambda texts: encode(texts[0]) if len(texts) == 1 else encode(texts, batch_size=args.batch),
                          prompts, args.warmup, args.single, args.seconds, args.batch)

    out = {
        "peer": "sentence-transformers",
        "version": sentence_transformers.__version__,
        "torch": torch.__version__.split("+")[0],
        "threads": torch.get_num_threads(),
        **timing,
        "dim": int(dim) if dim else 384,
        "model": os.path.basename(model_dir.rstrip("/")),
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
