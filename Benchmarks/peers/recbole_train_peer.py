#!/usr/bin/env python3
"""RecBole 1.2.1 training peer: SASRec or GRU4Rec on ML-100k, timed per epoch.

Settings (the protocol of the RecBole peer figures in the README): ML-100k atomic files from
$STEER_CACHE/data, leave-one-out by time (RecBole split LS valid_and_test, order TO), full
ranking, MAX_ITEM_LIST_LENGTH 50, item embedding 64, CE loss over all items, train_batch_size
256, Adam lr 0.001, seed 2020, RecBole's model defaults otherwise:
  SASRec   2 layers, 2 heads, hidden 64, inner 256, hidden/attn dropout 0.5, gelu
  GRU4Rec  1 layer, embedding 64, hidden 128, dropout 0.3

Default mode: --epochs E training epochs (one epoch = every training target once; RecBole feeds
one prefix per target), no evaluation in between, each timed with a monotonic clock around
RecBole's own Trainer._train_epoch. Prints ONE JSON line on stdout:
  {"peer":"recbole","version":"1.2.1","model":...,"dataset":"ml-100k","seconds_per_epoch":[...],
   "median_seconds_per_epoch":...,"train_targets_per_epoch":...,...}
--full: trains with validation every epoch and early stopping on valid NDCG@10 (stopping_step
10, at most --max-epochs), then reports test NDCG@10/Recall@10/NDCG@20/Recall@20 of the best
epoch in the same JSON line. Logs go to stderr; scratch files (tensorboard, checkpoints) to a
temporary folder that is removed at the end.
"""
import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time

from peer_common import import_torch
import recbole_common


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["SASRec", "GRU4Rec"], default="SASRec")
    p.add_argument("--dataset", default="ml-100k", help="atomic-file folder name under the data path (default ml-100k)")
    p.add_argument("--data-path", default=None,
                   help="folder holding <dataset>/<dataset>.inter (default $STEER_CACHE/data, STEER_CACHE defaulting to ~/.cache/steer)")
    p.add_argument("--threads", type=int, default=2, help="torch intra-op threads (default 2)")
    p.add_argument("--max-len", type=int, default=50, help="MAX_ITEM_LIST_LENGTH (default 50)")
    p.add_argument("--epochs", type=int, default=2, help="timed training epochs (default 2)")
    p.add_argument("--max-batches", type=int, default=0,
                   help="stop each epoch after this many batches (a smoke test; 0 = whole epoch)")
    p.add_argument("--full", action="store_true",
                   help="train with early stopping on valid NDCG@10 and report test metrics")
    p.add_argument("--max-epochs", type=int, default=300, help="--full: upper bound on epochs (default 300, RecBole's)")
    p.add_argument("--stopping-step", type=int, default=10, help="--full: patience in epochs (default 10, RecBole's)")
    p.add_argument("--seed", type=int, default=2020)
    return p.parse_args()


def die(msg):
    print(f"recbole_train_peer: error: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    args = parse_args()
    data_path = recbole_common.data_path(args.data_path)
    inter = os.path.join(data_path, args.dataset, f"{args.dataset}.inter")
    if not os.path.isfile(inter):
        die(f"{inter} is missing; run Scripts/setup (it unpacks ML-100k into $STEER_CACHE/data) or pass --data-path")

    torch, = import_torch(args.threads, die)
    recbole_common.shim_torch_load(torch)
    recbole, Config, create_dataset, data_preparation, early_stopping, get_model, get_trainer, init_seed = \
        recbole_common.import_recbole(die)

    work = tempfile.mkdtemp(prefix="recbole-peer-")
    old_cwd = os.getcwd()
    os.chdir(work)  # the Trainer creates ./log_tensorboard relative to the working folder
    try:
        config_dict = recbole_common.protocol_config(args.model, data_path, work, max_len=args.max_len, seed=args.seed,
                                                     epochs=args.max_epochs if args.full else args.epochs,
                                                     stopping_step=args.stopping_step)
        config = Config(model=args.model, dataset=args.dataset, config_dict=config_dict)
        init_seed(config["seed"], config["reproducibility"])
        t0 = time.perf_counter()
        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)
        prep_seconds = time.perf_counter() - t0
        init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
        model = get_model(config["model"])(config, train_data._dataset).to(config["device"])
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        torch.set_num_threads(args.threads)  # in case anything above reset it

        epoch_data = train_data
        if args.max_batches > 0:
            # Smoke test: cut every epoch short (_train_epoch only iterates over its argument).
            import itertools

            class _Cut:
                def __init__(self, dl, n):
                    self.dl, self.n = dl, n

                def __iter__(self):
                    return itertools.islice(iter(self.dl), self.n)

                def __len__(self):
                    return min(self.n, len(self.dl))

                def __getattr__(self, name):
                    return getattr(self.dl, name)

            epoch_data = _Cut(train_data, args.max_batches)

        targets = len(train_data._dataset)
        print(f"recbole_train_peer: {args.model} on {args.dataset}: {dataset.user_num - 1} users, "
              f"{dataset.item_num - 1} items, {targets} training targets, data ready in {prep_seconds:.1f} s, "
              f"torch {torch.__version__} with {torch.get_num_threads()} threads", file=sys.stderr)

        out = {
            "peer": "recbole",
            "version": recbole.__version__,
            "model": args.model,
            "dataset": args.dataset,
            "torch": torch.__version__.split("+")[0],
            "threads": torch.get_num_threads(),
            "train_batch_size": config["train_batch_size"],
            "max_item_list_length": config["MAX_ITEM_LIST_LENGTH"],
            "loss_type": config["loss_type"],
        }
        if args.model == "SASRec":
            out["settings"] = {k: config[k] for k in ["n_layers", "n_heads", "hidden_size", "inner_size",
                                                       "hidden_dropout_prob", "attn_dropout_prob", "hidden_act"]}
        else:
            out["settings"] = {k: config[k] for k in ["num_layers", "embedding_size", "hidden_size", "dropout_prob"]}

        seconds, losses = [], []
        if not args.full:
            for epoch in range(args.epochs):
                t = time.perf_counter()
                loss = trainer._train_epoch(epoch_data, epoch, show_progress=False)
                dt = time.perf_counter() - t
                seconds.append(dt)
                losses.append(float(loss if not isinstance(loss, tuple) else sum(loss)))
                print(f"recbole_train_peer: epoch {epoch} trained in {dt:.2f} s, loss {losses[-1]:.4f}", file=sys.stderr)
        else:
            best, cur, best_state, best_epoch, best_valid = -float("inf"), 0, None, -1, None
            for epoch in range(args.max_epochs):
                t = time.perf_counter()
                loss = trainer._train_epoch(epoch_data, epoch, show_progress=False)
                dt = time.perf_counter() - t
                seconds.append(dt)
                losses.append(float(loss if not isinstance(loss, tuple) else sum(loss)))
                score, result = trainer._valid_epoch(valid_data, show_progress=False)
                best, cur, stop, update = early_stopping(score, best, cur, max_step=args.stopping_step, bigger=True)
                print(f"recbole_train_peer: epoch {epoch} trained in {dt:.2f} s, loss {losses[-1]:.4f}, "
                      f"valid NDCG@10 {score:.4f}", file=sys.stderr)
                if update:
                    best_state, best_epoch, best_valid = copy.deepcopy(model.state_dict()), epoch, dict(result)
                if stop:
                    break
            model.load_state_dict(best_state)
            test = trainer.evaluate(test_data, load_best_model=False, show_progress=False)
            out.update({
                "epochs_run": len(seconds),
                "best_epoch": best_epoch,
                "best_valid": {k: round(float(v), 4) for k, v in best_valid.items()},
                "test": {k: round(float(v), 4) for k, v in test.items()},
                "test_ndcg@10": round(float(test["ndcg@10"]), 4),
                "test_recall@10": round(float(test["recall@10"]), 4),
                "test_ndcg@20": round(float(test["ndcg@20"]), 4),
                "test_recall@20": round(float(test["recall@20"]), 4),
            })

        out.update({
            "seconds_per_epoch": [round(s, 3) for s in seconds],
            "median_seconds_per_epoch": round(statistics.median(seconds), 3) if seconds else None,
            "train_targets_per_epoch": targets,
            "train_loss": [round(x, 4) for x in losses],
        })
        if args.max_batches > 0:
            out["max_batches"] = args.max_batches  # marks a smoke run: not a full epoch
        print(json.dumps(out), flush=True)
    finally:
        os.chdir(old_cwd)
        import shutil
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
