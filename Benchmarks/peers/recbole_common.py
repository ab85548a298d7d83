"""What the RecBole peers share: the protocol's config (ML-100k leave-one-out, full ranking, CE),
the torch.load shim RecBole 1.2.1 needs under torch >= 2.6, and the imports with their error."""
import logging
import os
import sys


def data_path(given):
    """`given`, else $STEER_CACHE/data (STEER_CACHE defaulting to ~/.cache/steer)."""
    cache = os.environ.get("STEER_CACHE") or os.path.expanduser("~/.cache/steer")
    return os.path.abspath(given or os.path.join(cache, "data"))


def shim_torch_load(torch):
    """RecBole 1.2.1 calls torch.load(path) without weights_only; torch >= 2.6 defaults it to True
    and refuses RecBole's checkpoints (they pickle the Config object). Patched in this process only,
    never in site-packages."""
    original = torch.load

    def load(*args, **kwargs):
        kwargs.setdefault("weights_only", False)
        return original(*args, **kwargs)

    torch.load = load


def import_recbole(die):
    """recbole's entry points, or die naming what to run."""
    try:
        import recbole
        from recbole.config import Config
        from recbole.data import create_dataset, data_preparation
        from recbole.utils import early_stopping, get_model, get_trainer, init_seed
    except ImportError as e:
        die(f"cannot import recbole ({e}); run Scripts/peers-setup and use $STEER_CACHE/peers-venv/bin/python")
    # RecBole logs through the "recbole" loggers once init_logger ran; we never call it (it writes
    # ./log/), so its messages go to stderr here and stdout stays the one JSON line.
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s")
    return recbole, Config, create_dataset, data_preparation, early_stopping, get_model, get_trainer, init_seed


def protocol_config(model, data_folder, work, max_len=50, seed=2020, epochs=300, stopping_step=10):
    """The config dict of the peer protocol (see Benchmarks/peers/README.md): leave-one-out by time,
    full ranking, CE over all items, Adam lr 0.001, batch 256, RecBole's model defaults otherwise."""
    config = {
        "data_path": data_folder,
        "checkpoint_dir": os.path.join(work, "saved"),
        "USER_ID_FIELD": "user_id",
        "ITEM_ID_FIELD": "item_id",
        "TIME_FIELD": "timestamp",
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "MAX_ITEM_LIST_LENGTH": max_len,
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full", "group_by": "user"},
        "train_neg_sample_args": None,
        "loss_type": "CE",
        "train_batch_size": 256,
        "eval_batch_size": 2048,
        "learning_rate": 0.001,
        "seed": seed,
        "reproducibility": True,
        "use_gpu": False,
        "device": "cpu",
        "metrics": ["NDCG", "Recall"],
        "topk": [10, 20],
        "valid_metric": "NDCG@10",
        "show_progress": False,
        "epochs": epochs,
        "stopping_step": stopping_step,
        "log_wandb": False,
    }
    if model == "SASRec":
        config["hidden_size"] = 64
    else:
        config["embedding_size"] = 64
    return config
