"""Benchmark: eu.motifs.tomtom against memelite's tomtom and the MEME suite's own tomtom.

Work (same inputs for every tool, from ../shared/data):

- 70 x 879: the 70 reference queries against the 879 JASPAR 2024 CORE vertebrate motifs, every pair;
- all-against-all: the 879 JASPAR motifs against themselves.

ours: ``eu.motifs.tomtom(..., dist="ed" / "pearson", min_overlap=5, thresh=None)``, exact MEME p-values and a full
table. memelite: ``memelite.tomtom(Qs, Ts)`` (Euclidean distance, binned approximations, p-value matrix only).
MEME: the time in tomtom_reference/README.md (pearson, 70 x 879, on a 2-core machine), not rerun here.
Both tools run after a warm-up call (numba compilation excluded), each timing is the best of ``--repeats``,
interleaved so that machine load hits both alike.

    .venv/bin/python benchmarks/tomtom.py
    .venv/bin/python benchmarks/tomtom.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

import eugene.motifs as em

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"needs the shared data at {SHARED}")
    try:
        from memelite import tomtom as memelite_tomtom
    except ImportError:
        sys.exit("needs memelite (the bench extra: pip install -e '.[bench]')")

    readme = (SHARED / "tomtom_reference" / "README.md").read_text()
    meme_seconds = float(re.search(r"-thresh 10`: (\d+(?:\.\d+)?) s", readme).group(1))
    queries = em.read_meme(SHARED / "tomtom_reference" / "queries.meme")
    jaspar = em.read_meme(SHARED / "motifs" / "jaspar2024_core_vertebrates.meme")
    q_arrays = [m.probs for m in queries]
    t_arrays = [m.probs for m in jaspar]

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}")
    print("warming up (numba compilation) ...")
    em.tomtom(queries[:2], jaspar, thresh=None)
    memelite_tomtom(q_arrays[:2], t_arrays)

    tasks = {
        "70 x 879": (queries, jaspar, q_arrays, t_arrays),
        "879 x 879": (jaspar, jaspar, t_arrays, t_arrays),
    }
    print(f"\n{'task':<10} {'ours ed':>9} {'ours pearson':>13} {'memelite':>9} {'memelite/ours(ed)':>18}")
    results = {}
    for name, (q, t, qa, ta) in tasks.items():
        times = {"ed": float("inf"), "pearson": float("inf"), "memelite": float("inf")}
        for _ in range(args.repeats):  # interleaved, best of repeats
            for dist in ("ed", "pearson"):
                times[dist] = min(times[dist], timed(em.tomtom, q, t, dist, min_overlap=5, thresh=None))
            times["memelite"] = min(times["memelite"], timed(memelite_tomtom, qa, ta))
        results[name] = times
        ratio = times["memelite"] / times["ed"]
        print(f"{name:<10} {times['ed']:>8.3f}s {times['pearson']:>12.3f}s {times['memelite']:>8.3f}s {ratio:>17.2f}x")
    pearson = results["70 x 879"]["pearson"]
    print(
        f"\nMEME tomtom 5.4.1, pearson 70 x 879 (reference README): {meme_seconds:.0f} s; ours {pearson:.3f} s: "
        f"{meme_seconds / pearson:.0f}x faster"
    )
    print("ratios > 1 mean ours is faster; memelite/ours < 0.5 means more than 2x slower than memelite")


if __name__ == "__main__":
    main()
