"""Train the bundled demo model on planted motifs and write its weights, held-out sequences and model card.

    .venv/bin/python scripts/train_demo_model.py            # writes src/eugene/models/data/

A Basset-style CNN (eu.models.build("basset", ...), first layer 32 filters of width 19 followed by max-pooling over 25
positions, which Koo and Eddy 2019 found makes first-layer filters learn whole motifs) is trained on the planted-motif
task of Koo and Eddy (2019) with their twelve JASPAR motifs: 25,000 training sequences (seed 1), 2,000 validation
sequences for choosing the epoch (seed 2), and 500 held-out test sequences (seed 3) that are bundled with the package
and on which the model card's AUROC is measured. Seeded and single-process: two CPU threads, a few minutes.
Finally each attribution method is scored against the planted sites of the held-out sequences (written to the card;
``--score-only`` redoes just that step for the bundled model).
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn.functional import binary_cross_entropy_with_logits

import eugene as eu
from eugene.evaluate import held_out_auroc
from eugene.models.demo import CARD_FILE, SEQUENCES_FILE, WEIGHTS_FILE

DATA_DIR = Path(__file__).resolve().parents[1] / "src" / "eugene" / "models" / "data"
ARCHITECTURE = {
    "name": "basset",
    "kwargs": {
        "alphabet_size": 4,
        "seq_len": 200,
        "n_outputs": 12,
        "n_filters": [32, 64, 64],
        "filter_size": [19, 7, 5],
        "pool_size": [25, 2, 2],
        "hidden": [64],
        "dropout": 0.2,
    },
}
SPLITS = {"train": (25_000, 1), "valid": (2_000, 2), "test": (500, 3)}  # (sequences, generator seed)
SCORED = 200  # held-out sequences the attribution methods are scored on (the first ones of the bundled set)
METHODS = {  # method: options (cheaper than the defaults where noted, to keep scoring to minutes on two cores)
    "saliency": {},
    "input_x_gradient": {},
    "integrated_gradients": {"n_steps": 20},
    "smoothgrad": {"n_samples": 10},
    "deeplift": {},
    "deeplift_shap": {"n_references": 10},
    "ism": {"fast": False},
    "random": {},
}


def score_attributions(out: Path) -> None:
    """Add to the card the ground-truth AUROC of each attribution method on the bundled held-out sequences."""
    model, data = eu.models.load_demo_model(), eu.models.demo_sequences().subset(slice(0, SCORED))
    table = {}
    for method, options in METHODS.items():
        start = time.perf_counter()
        scores = eu.evaluate.ground_truth_auroc(model, data, method, seed=0, **options)
        table[method] = {
            "options": options,
            "mean_auroc": round(float(scores.auroc.mean()), 4),
            "median_auroc": round(float(scores.auroc.median()), 4),
            "pairs": len(scores),
            "seconds": round(time.perf_counter() - start, 1),
        }
        print(method, table[method], flush=True)
    card = json.loads((out / CARD_FILE).read_text())
    card["attribution_ground_truth"] = {
        "protocol": "per (sequence, motif present) pair: AUROC of |attribution x input| summed over letters against "
        "the positions of that motif's planted instances, attributing the motif's output (Koo & Ploenzke 2021); "
        f"eugene.evaluate.ground_truth_auroc with seed 0 on the first {SCORED} bundled held-out sequences",
        "methods": table,
    }
    (out / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: the package data)")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="seed of the weights and batch order")
    parser.add_argument(
        "--score-only", action="store_true", help="only score attribution methods with the bundled model"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.score_only:
        score_attributions(args.out)
        return
    start = time.perf_counter()

    train = eu.datasets.planted_motifs(n=SPLITS["train"][0], seed=SPLITS["train"][1])
    valid = eu.datasets.planted_motifs(n=SPLITS["valid"][0], motifs=train.motifs, seed=SPLITS["valid"][1])
    test = eu.datasets.planted_motifs(n=SPLITS["test"][0], motifs=train.motifs, seed=SPLITS["test"][1])

    torch.manual_seed(args.seed)
    model = eu.models.build(ARCHITECTURE["name"], **ARCHITECTURE["kwargs"])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    X, y = torch.from_numpy(train.X), torch.from_numpy(train.y)
    order = torch.Generator().manual_seed(args.seed)
    best = (-1.0, 0, None)
    history = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for batch in torch.randperm(len(X), generator=order).split(args.batch_size):
            loss = binary_cross_entropy_with_logits(model(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        valid_auroc = float(np.mean(held_out_auroc(model, valid)))
        history.append({"epoch": epoch, "train_loss": total / len(X), "valid_mean_auroc": valid_auroc})
        print(f"epoch {epoch:2d}  loss {total / len(X):.4f}  valid mean AUROC {valid_auroc:.4f}", flush=True)
        if valid_auroc > best[0]:
            best = (valid_auroc, epoch, {k: v.detach().clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[2])
    test_auroc = held_out_auroc(model, test)
    seconds = time.perf_counter() - start

    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), args.out / WEIGHTS_FILE)
    test.save(args.out / SEQUENCES_FILE)
    card = {
        "name": "eugene demo model: planted JASPAR motifs (Koo & Eddy 2019 task)",
        "architecture": ARCHITECTURE,
        "outputs": "12 logits, one per motif (apply a sigmoid for P(motif present))",
        "tasks": test.motif_names,
        "motif_ids": test.motifs.names,
        "motif_source": test.motifs.name,
        "data": {
            split: {"n": n, "seed": seed, "length": 200, "n_motifs_p": list(eu.datasets.N_MOTIFS_P)}
            for split, (n, seed) in SPLITS.items()
        },
        "training": {
            "command": "python scripts/train_demo_model.py",
            "loss": "binary cross-entropy on logits",
            "optimizer": f"Adam, lr {args.lr}",
            "batch_size": args.batch_size,
            "epochs": args.epochs,
            "best_epoch (validation mean AUROC)": best[1],
            "seed": args.seed,
            "threads": args.threads,
            "seconds": round(seconds, 1),
            "machine": f"{platform.machine()}, torch {torch.__version__}",
            "history": history,
        },
        "held_out": {
            "sequences": SEQUENCES_FILE,
            "n": len(test),
            "auroc": dict(zip(test.motif_names, [round(float(a), 4) for a in test_auroc])),
            "mean_auroc": round(float(np.mean(test_auroc)), 4),
        },
        "references": [
            "Koo and Eddy (2019), PLoS Comput. Biol. 15:e1007560",
            "Kelley, Snoek and Rinn (2016), Genome Res. 26:990",
        ],
    }
    (args.out / CARD_FILE).write_text(json.dumps(card, indent=2) + "\n")
    print(f"held-out mean AUROC {card['held_out']['mean_auroc']} in {seconds:.0f} s; wrote {args.out}")
    if args.out == DATA_DIR:  # the package's own model: the card also gets the attribution table
        score_attributions(args.out)


if __name__ == "__main__":
    main()
