#!/usr/bin/env python3
"""ONNX Runtime peer: all-MiniLM-L6-v2 prompt embedding on CPU, fp32 or dynamic int8, timed.

The model is the same local folder Steer reads ($STEER_CACHE/models/all-MiniLM-L6-v2), exported
once with torch.onnx to $STEER_CACHE/models/all-MiniLM-L6-v2-onnx/model.onnx (inputs input_ids,
attention_mask, token_type_ids; output last_hidden_state), and quantised once with
onnxruntime.quantization.quantize_dynamic (int8 weights, QInt8) to model-int8.onnx beside it.
`--export` only writes those two files (Scripts/peers-setup runs it).

A call is what a user of ONNX Runtime writes: the Hugging Face fast tokenizer (padding to the
longest, truncation at 256 tokens), InferenceSession.run, mean pooling over the attention mask and
L2 normalisation in numpy. The session runs with intra_op_num_threads = --threads,
inter_op_num_threads = 1, sequential execution, every graph optimisation.
Timing is `steer bench embed`'s protocol (peer_common.time_encoder): --warmup untimed single calls, --single timed single calls
(p50 = sorted[n//2], p99 = sorted[min(n-1, n*99//100)]), then batches of 32 for --seconds.
Parity: every case of Steer's fixture (Tests/Fixtures/encoders/minilm_reference.json, PyTorch fp32
reference embeddings) is embedded and compared; the worst cosine and largest absolute difference
are part of the output.
Prints ONE JSON line on stdout:
  {"peer":"onnxruntime","precision":"fp32","version":...,"threads":...,"single_p50_ms":...,
   "single_p99_ms":...,"batch32_per_s":...,"min_cosine":...,"max_abs_diff":...,"dim":384}
Logs go to stderr.
"""
import argparse
import json
import os
import sys

from peer_common import add_timing_arguments, error_exit, model_folder, offline_environment, read_prompts, time_encoder

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_LENGTH = 256  # the model's max_seq_length, as sentence-transformers and Steer truncate


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="model folder (default $STEER_CACHE/models/all-MiniLM-L6-v2)")
    p.add_argument("--precision", choices=["fp32", "int8"], default="fp32")
    p.add_argument("--export", action="store_true", help="only export model.onnx and model-int8.onnx (if missing) and exit")
    p.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads (default 1)")
    p.add_argument("--reference", default=os.path.join(HERE, "..", "..", "Tests", "Fixtures", "encoders", "minilm_reference.json"),
                   help="Steer's parity fixture")
    add_timing_arguments(p, os.path.join(HERE, "prompts.txt"))
    return p.parse_args()


die = error_exit("embed_onnx_peer")


def export(model_dir, onnx_dir):
    """Writes model.onnx (fp32) and model-int8.onnx into onnx_dir unless they exist; returns both paths."""
    fp32 = os.path.join(onnx_dir, "model.onnx")
    int8 = os.path.join(onnx_dir, "model-int8.onnx")
    if not os.path.isfile(fp32):
        import torch
        from transformers import AutoModel, AutoTokenizer
        os.makedirs(onnx_dir, exist_ok=True)
        bert = AutoModel.from_pretrained(model_dir).eval()

        class LastHiddenState(torch.nn.Module):
            """BertModel called by keyword (its positional order changes between transformers releases)."""
            def __init__(self, model):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.model(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state

        model = LastHiddenState(bert)
        tokenizer = AutoTokenizer.from_pretrained(model_dir)
        sample = tokenizer(["an example prompt to trace the graph"], return_tensors="pt")
        axes = {0: "batch", 1: "sequence"}
        tmp = fp32 + ".tmp"
        with torch.inference_mode():
            torch.onnx.export(model, (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]), tmp,
                              input_names=["input_ids", "attention_mask", "token_type_ids"],
                              output_names=["last_hidden_state"],
                              dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes,
                                            "last_hidden_state": axes},
                              opset_version=17, dynamo=False)
        os.replace(tmp, fp32)
        print(f"embed_onnx_peer: exported {fp32}", file=sys.stderr)
    if not os.path.isfile(int8):
        from onnxruntime.quantization import QuantType, quantize_dynamic
        tmp = int8 + ".tmp.onnx"
        quantize_dynamic(fp32, tmp, weight_type=QuantType.QInt8)
        os.replace(tmp, int8)
        print(f"embed_onnx_peer: quantised {int8}", file=sys.stderr)
    return fp32, int8


def main():
    args = parse_args()
    offline_environment()
    model_dir = model_folder(args.model, "config.json", die)
    try:
        import numpy as np
        import onnxruntime as ort
        from transformers import AutoTokenizer
    except ImportError as e:
        die(f"cannot import onnxruntime or transformers ({e}); run Scripts/peers-setup and use $STEER_CACHE/peers-venv/bin/python")
    fp32, int8 = export(model_dir, model_dir + "-onnx")
    if args.export:
        return
    prompts = read_prompts(args.prompts, die)

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    path = fp32 if args.precision == "fp32" else int8
    session = ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    print(f"embed_onnx_peer: {path}: onnxruntime {ort.__version__}, {args.threads} threads, {len(prompts)} prompts",
          file=sys.stderr)

    def encode(texts):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=MAX_LENGTH, return_tensors="np")
        feeds = {name: batch[name].astype(np.int64) for name in ("input_ids", "attention_mask", "token_type_ids")}
        hidden = session.run(["last_hidden_state"], feeds)[0]
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    parity = {}
    ref_path = os.path.abspath(args.reference)
    if os.path.isfile(ref_path):
        with open(ref_path, encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        ref = np.array([c["embedding"] for c in cases], dtype=np.float64)
        got = np.concatenate([encode([c["text"]]) for c in cases]).astype(np.float64)
        cos = (got * ref).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(ref, axis=1))
        parity = {"parity_cases": len(cases), "min_cosine": float(cos.min()), "max_abs_diff": float(np.abs(got - ref).max())}
    else:
        print(f"embed_onnx_peer: no parity fixture at {ref_path}", file=sys.stderr)

    timing = time_encoder(encode, prompts, args.warmup, args.single, args.seconds, args.batch)
    out = {"peer": "onnxruntime", "precision": args.precision, "version": ort.__version__, "threads": args.threads,
           **timing, "dim": 384}
    out.update(parity)
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
