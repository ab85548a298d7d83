"""What the prompt-embedding peers share: offline Hugging Face settings, the model folder, the
prompt list, and the timing protocol of `steer bench embed` (so every system is timed alike)."""
import os
import sys
import time


def error_exit(name):
    """A `die(message)` for the script `name`: the message on stderr, exit status 2."""
    def die(message):
        print(f"{name}: error: {message}", file=sys.stderr)
        sys.exit(2)
    return die


def import_torch(threads, die, also=()):
    """torch pinned to `threads` intra- and inter-op threads (a peer gets the cores Steer gets),
    followed by the modules named in `also`; dies with how to install them when one is missing."""
    import importlib
    try:
        torch = importlib.import_module("torch")
        extra = [importlib.import_module(name) for name in also]
    except ImportError as e:
        names = " / ".join(("torch",) + tuple(also))
        die(f"cannot import {names} ({e}); run Scripts/peers-setup and use $STEER_CACHE/peers-venv/bin/python")
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass  # torch takes it once per process, before any inter-op work; a second call changes nothing
    return (torch, *extra)


def add_timing_arguments(parser, prompts_default):
    """The options of the timing protocol (see `time_encoder`)."""
    parser.add_argument("--prompts", default=prompts_default, help="prompts, one per line")
    parser.add_argument("--single", type=int, default=300, help="timed single-prompt calls (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed single calls first (default 20)")
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run batches of 32 (default 5)")
    parser.add_argument("--batch", type=int, default=32, help="batch size of the throughput run (default 32)")


def offline_environment():
    """No network, no progress bars, no tokenizer threads of its own: set before importing transformers."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")


def model_folder(given, marker, die):
    """`given`, else $STEER_CACHE/models/all-MiniLM-L6-v2 (STEER_CACHE defaulting to ~/.cache/steer),
    which must hold the file `marker`."""
    cache = os.environ.get("STEER_CACHE") or os.path.expanduser("~/.cache/steer")
    folder = os.path.abspath(given or os.path.join(cache, "models", "all-MiniLM-L6-v2"))
    if not os.path.isfile(os.path.join(folder, marker)):
        die(f"no model in {folder} (no {marker}); run Scripts/setup (it unpacks all-MiniLM-L6-v2 into $STEER_CACHE/models) or pass --model")
    return folder


def read_prompts(path, die):
    """The non-empty lines of `path`."""
    try:
        with open(path, encoding="utf-8") as f:
            prompts = [line.strip() for line in f if line.strip()]
    except OSError as e:
        die(f"cannot read the prompts: {e}")
    if not prompts:
        die(f"{path} has no prompts")
    return prompts


def time_encoder(encode, prompts, warmup, single, seconds, batch):
    """`steer bench embed`'s protocol: `warmup` untimed single calls, `single` timed single calls
    cycling through `prompts` (p50 = sorted[n//2], p99 = sorted[min(n-1, n*99//100)], in ms), then
    calls of `batch` prompts for `seconds`. `encode` takes a list of texts."""
    for i in range(warmup):
        encode([prompts[i % len(prompts)]])
    lat = []
    for i in range(single):
        t = time.perf_counter()
        encode([prompts[i % len(prompts)]])
        lat.append((time.perf_counter() - t) * 1000.0)
    lat.sort()
    n = len(lat)
    done, rounds, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        encode([prompts[(rounds * batch + j) % len(prompts)] for j in range(batch)])
        done += batch
        rounds += 1
    elapsed = time.perf_counter() - start
    return {
        "single_p50_ms": round(lat[n // 2], 3) if n else None,
        "single_p99_ms": round(lat[min(n - 1, n * 99 // 100)], 3) if n else None,
        "single_calls": n,
        "batch32_per_s": round(done / elapsed, 1) if elapsed > 0 else None,
        "batch_size": batch,
        "batch_seconds": round(elapsed, 3),
        "prompts": len(prompts),
    }

