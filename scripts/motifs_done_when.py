"""Issue 13's Done-when checks for `eugene motifs` and the report's motifs section, too long for the test suite.

1. demo: `eugene demo --sections model,filters,motifs,ground-truth` (the report with its motifs section, which runs
   only when named: every motif task's output explained on its own and pooled into one TF-MoDISco run) must name at
   least 9 of the 12 planted motifs at q <= 0.05 (any significant match of a pattern, as the filter route is
   counted), including every motif whose task has held-out AUROC > 0.9 (the model card's). Timed per section.
2. srf / elavl1: a small DeepBind trained as in tests/integration/test_filters_real.py, then `eugene motifs` alone on
   the peaks (SRF ChIP-seq, named by JASPAR) or the CLIP sites (ELAVL1 PAR-CLIP, --alphabet RNA, named by Ray 2013):
   the pattern with most seqlets must have SRF / HuR as its best match at q <= 0.05.

    python scripts/motifs_done_when.py demo srf elavl1      # needs ../shared/data for srf / elavl1

Prints one line per check with the figures and CPU / wall seconds; exits 1 when a check fails.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "tests" / "integration"))


def _timed(label: str, function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    print(f"  {label}: {time.perf_counter() - wall:.1f} s wall, {time.process_time() - cpu:.1f} s CPU", flush=True)
    return result


def demo(out: Path) -> bool:
    from eugene.cli import main
    from eugene.models.demo import demo_model_card

    sections = "model,filters,motifs,ground-truth"  # motifs runs only when named; ground truth needs the filters
    assert _timed("eugene demo", lambda: main(["demo", "--sections", sections, "--out", str(out), "--quiet"])) == 0
    html = (out / "report.html").read_text()
    titles = re.findall(r"<h2>(.*?)</h2>", html)
    seconds = re.findall(r'<p class="timing">computed in (.*?) s</p>', html)
    print("  sections (wall s): " + ", ".join(f"{t} {s}" for t, s in zip(titles, seconds)))
    planted = pd.read_csv(out / "planted_motifs.tsv", sep="\t").fillna({"patterns": ""})
    auroc = demo_model_card()["held_out"]["auroc"]
    named = planted[planted["patterns"] != ""]
    strong = [name for name, value in auroc.items() if value > 0.9]
    missing = sorted(set(strong) - set(named["name"]))
    filters = int((planted["n_filters"] > 0).sum())
    print(
        f"demo: {len(named)} of {len(planted)} planted motifs named by a pattern at q <= 0.05 "
        f"({', '.join(named['name'])}); filter route: {filters}; AUROC > 0.9 tasks {strong}, missing {missing}"
    )
    patterns = pd.read_csv(out / "pattern_matches.tsv", sep="\t")
    print(patterns.to_string(index=False))
    return len(named) >= 9 and not missing


def _real(name: str, out: Path) -> bool:
    from test_filters_real import _train_deepbind

    from eugene.cli import main

    torch.set_num_threads(1)
    if name == "srf":
        from eugene.datasets.loaders import srf_chipseq

        X, y = srf_chipseq("train", data_dir=DATA, shuffled_negatives=1, seed=0)
        width, sequences, extra, expected = 14, DATA / "chipseq" / "SRF_H1-hESC_SRF_HudsonAlpha_AC.seq.gz", [], "SRF"
    else:
        from eugene.datasets.loaders import elavl1_clipseq

        X, y = elavl1_clipseq("train", data_dir=DATA)
        rng = np.random.default_rng(0)
        keep = np.concatenate(
            [rng.choice(np.flatnonzero(y == 1), 4000, False), rng.choice(np.flatnonzero(y == 0), 4000, False)]
        )
        X, y = X[keep], y[keep]
        width, sequences, expected = 10, DATA / "clipseq" / "ELAVL1_PARCLIP_test.fa.gz", "HuR"
        extra = ["--alphabet", "RNA", "--db", str(DATA / "motifs" / "Ray2013_rbp_RNA.meme")]
    model = _timed(f"{name}: training", lambda: _train_deepbind(X, y, filter_size=width, epochs=3))
    torch.save(model.state_dict(), out / "weights.pt")
    argv = ["motifs", "--model", "eugene.models.zoo:deepbind", "--weights", str(out / "weights.pt")]
    argv += [
        "--model-arg",
        f"seq_len={X.shape[2]}",
        "--model-arg",
        "n_filters=16",
        "--model-arg",
        f"filter_size={width}",
    ]
    argv += ["--sequences", str(sequences), *extra, "--out", str(out / "motifs"), "--quiet"]
    print("  eugene " + " ".join(argv), flush=True)
    assert _timed(f"{name}: eugene motifs", lambda: main(argv)) == 0
    matches = pd.read_csv(out / "motifs" / "matches.tsv", sep="\t")
    best = matches[matches["rank"] == 1].sort_values("n_seqlets", ascending=False, kind="stable")
    top = best.iloc[0]
    print(best[["pattern", "n_seqlets", "Target_ID", "Target_Name", "q-value"]].to_string(index=False))
    ok = str(top["Target_Name"]) == expected and top["q-value"] <= 0.05
    print(
        f"{name}: top pattern ({top['pattern']}, {int(top['n_seqlets'])} seqlets) best match {top['Target_Name']} "
        f"({top['Target_ID']}) q={top['q-value']:.3g}: {'ok' if ok else 'FAILED'}"
    )
    return ok


def main(checks: list[str]) -> int:
    results = {}
    for check in checks or ["demo", "srf", "elavl1"]:
        with tempfile.TemporaryDirectory() as tmp:
            if check != "demo" and not DATA.is_dir():
                print(f"{check}: skipped, {DATA} is absent")
                continue
            results[check] = demo(Path(tmp)) if check == "demo" else _real(check, Path(tmp))
    print("all passed" if all(results.values()) else f"failed: {[k for k, v in results.items() if not v]}")
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
