#!/usr/bin/env python3
"""RecBole 1.2.1 checkpoints for `steer import recbole`: train one, and dump what RecBole itself
measures with it, for the Swift side to compare against.

  train  SASRec or GRU4Rec on ML-100k under the peer protocol (recbole_common.protocol_config:
         leave-one-out, full ranking, CE, RecBole's model defaults), validation after every epoch,
         early stopping on valid NDCG@10, and RecBole's own Trainer._save_checkpoint writing the
         best epoch's .pth to --out. --max-minutes stops before an epoch that would not fit.
  dump   loads a .pth as RecBole does (config and state_dict from the file, the dataset rebuilt
         from the config), runs RecBole's Trainer.evaluate on the test part, and the full-sort
         predictions of the first --users test users exactly as the evaluator scores them
         (full_sort_predict, [PAD] set to -inf; for sequential models RecBole 1.2.1 masks no
         history: FullSortEvalDataLoader gives history_index None).

Both print ONE JSON line on stdout; logs go to stderr. Scratch files RecBole writes go to a
temporary folder removed at exit.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

from peer_common import error_exit, import_torch
from recbole_common import data_path, import_recbole, protocol_config, shim_torch_load

die = error_exit("recbole_checkpoint_peer")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train and save a RecBole checkpoint")
    t.add_argument("--model", choices=["SASRec", "GRU4Rec"], required=True)
    t.add_argument("--out", required=True, help="the .pth to write")
    t.add_argument("--dataset", default="ml-100k")
    t.add_argument("--data-path", default=None, help="folder holding <dataset>/ (default $STEER_CACHE/data)")
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--max-epochs", type=int, default=300)
    t.add_argument("--stopping-step", type=int, default=10)
    t.add_argument("--max-minutes", type=float, default=22.0,
                   help="stop before an epoch that would end past this many minutes of training (default 22)")
    t.add_argument("--seed", type=int, default=2020)
    d = sub.add_parser("dump", help="RecBole's test metrics and full-sort top-10 of a checkpoint")
    d.add_argument("--checkpoint", required=True)
    d.add_argument("--data-path", default=None, help="override the config's data_path")
    d.add_argument("--threads", type=int, default=1)
    d.add_argument("--users", type=int, default=100, help="test users whose top-10 is dumped (the first ones in RecBole's order)")
    d.add_argument("--k", type=int, default=10)
    return p.parse_args()


def train(args, torch, rb):
    recbole, Config, create_dataset, data_preparation, early_stopping, get_model, get_trainer, init_seed = rb
    folder = data_path(args.data_path)
    if not os.path.isfile(os.path.join(folder, args.dataset, f"{args.dataset}.inter")):
        die(f"no {args.dataset}.inter under {folder}; run Scripts/setup or pass --data-path")
    work = tempfile.mkdtemp(prefix="recbole-ckpt-")
    old = os.getcwd()
    os.chdir(work)  # the Trainer creates ./log_tensorboard in the working folder
    try:
        config = Config(model=args.model, dataset=args.dataset, config_dict=protocol_config(
            args.model, folder, work, seed=args.seed, epochs=args.max_epochs, stopping_step=args.stopping_step))
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)
        init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
        model = get_model(config["model"])(config, train_data._dataset).to(config["device"])
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        trainer.saved_model_file = os.path.abspath(os.path.join(old, args.out))
        torch.set_num_threads(args.threads)
        budget, started, seconds = args.max_minutes * 60, time.perf_counter(), []
        best, cur, best_epoch, stopped_by = -float("inf"), 0, -1, "max epochs"
        for epoch in range(args.max_epochs):
            t = time.perf_counter()
            loss = trainer._train_epoch(train_data, epoch, show_progress=False)
            score, _ = trainer._valid_epoch(valid_data, show_progress=False)
            seconds.append(time.perf_counter() - t)
            best, cur, stop, update = early_stopping(score, best, cur, max_step=args.stopping_step, bigger=True)
            print(f"recbole_checkpoint_peer: {args.model} epoch {epoch}: {seconds[-1]:.1f} s, loss {float(loss):.4f}, "
                  f"valid NDCG@10 {score:.4f}", file=sys.stderr, flush=True)
            if update:
                trainer.best_valid_score, trainer.cur_step, best_epoch = best, cur, epoch
                trainer._save_checkpoint(epoch, verbose=False)
            if stop:
                stopped_by = "early stopping"
                break
            if time.perf_counter() - started + max(seconds) > budget:
                stopped_by = f"the {args.max_minutes:g}-minute budget"
                break
        test = trainer.evaluate(test_data, load_best_model=True, model_file=trainer.saved_model_file, show_progress=False)
        print(json.dumps({
            "peer": "recbole", "version": recbole.__version__, "torch": torch.__version__.split("+")[0],
            "threads": torch.get_num_threads(), "model": args.model, "dataset": args.dataset, "checkpoint": args.out,
            "epochs_run": len(seconds), "best_epoch": best_epoch, "stopped_by": stopped_by,
            "seconds_per_epoch": [round(s, 1) for s in seconds], "train_minutes": round(sum(seconds) / 60, 2),
            "test": {k: float(v) for k, v in test.items()},
        }), flush=True)
    finally:
        os.chdir(old)
        shutil.rmtree(work, ignore_errors=True)


def dump(args, torch, rb):
    recbole, Config, create_dataset, data_preparation, _, get_model, get_trainer, init_seed = rb
    checkpoint = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    config = checkpoint["config"]
    # Config.__init__ restores numpy's removed aliases (np.float, …) that RecBole's metrics use;
    # an unpickled Config skipped __init__, so do it here (RecBole's load_data_and_model does not).
    config.compatibility_settings()
    work = tempfile.mkdtemp(prefix="recbole-dump-")
    old = os.getcwd()
    os.chdir(work)
    try:
        if args.data_path:
            config.final_config_dict["data_path"] = data_path(args.data_path)
        config.final_config_dict["checkpoint_dir"] = os.path.join(work, "saved")
        config.final_config_dict["metric_decimal_place"] = 8  # the comparison wants more than RecBole's 4
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        train_data, valid_data, test_data = data_preparation(config, dataset)
        model = get_model(config["model"])(config, train_data._dataset)
        model.load_state_dict(checkpoint["state_dict"])
        model.load_other_parameter(checkpoint.get("other_parameter"))
        model.eval()
        trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
        torch.set_num_threads(args.threads)
        test = trainer.evaluate(test_data, load_best_model=False, show_progress=False)
        uid, iid = dataset.uid_field, dataset.iid_field
        users = []
        with torch.no_grad():
            for interaction, history_index, _, _ in test_data:
                # What Trainer._full_sort_batch_eval does before the metrics.
                scores = model.full_sort_predict(interaction).view(-1, dataset.item_num)
                scores[:, 0] = -float("inf")
                if history_index is not None:
                    scores[history_index] = -float("inf")
                top = torch.topk(scores, args.k, dim=1)
                for row in range(len(interaction)):
                    if len(users) == args.users:
                        break
                    length = int(interaction[model.ITEM_SEQ_LEN][row])
                    history = interaction[model.ITEM_SEQ][row][:length].tolist()
                    users.append({
                        "user": dataset.id2token(uid, int(interaction[uid][row])),
                        "history": [dataset.id2token(iid, i) for i in history],
                        "target": dataset.id2token(iid, int(interaction[iid][row])),
                        "top": [dataset.id2token(iid, int(i)) for i in top.indices[row]],
                        "scores": [float(s) for s in top.values[row]],
                    })
                if len(users) == args.users:
                    break
        print(json.dumps({
            "peer": "recbole", "version": recbole.__version__, "torch": torch.__version__.split("+")[0],
            "model": config["model"], "dataset": config["dataset"], "checkpoint": os.path.basename(args.checkpoint),
            "test_users": len(test_data._dataset), "history_masked": False,
            "test": {k: float(v) for k, v in test.items()}, "users": users,
        }), flush=True)
    finally:
        os.chdir(old)
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = parse_args()
    torch, = import_torch(args.threads, die)
    shim_torch_load(torch)
    rb = import_recbole(die)
    train(args, torch, rb) if args.command == "train" else dump(args, torch, rb)


if __name__ == "__main__":
    main()
