"""Benchmark: the first call of eugene's compiled (numba) kernels in a fresh process, cold and warm.

- cold: an empty kernel cache, so the call compiles its kernels (what a new machine sees once);
- warm: the cache the cold run left, in a new process (what every later run sees).

Each measurement is its own subprocess with ``NUMBA_CACHE_DIR`` pointing at a fresh (cold) or the cold run's (warm)
folder, so the repository's own ``__pycache__`` is left alone. Timed inside the subprocess: the first call only, after
imports and inputs are ready, in wall-clock and in the process's CPU time (compilation runs on one core, so on a loaded
machine its CPU time is the steadier figure); the second call of the same process is printed too (the call's own
work, nothing compiled or loaded). Calls:

- tomtom: ``eu.motifs.tomtom(demo model's 12 planted motifs, eu.motifs.jaspar())`` (879 JASPAR 2024 vertebrates);
- filter_pfms: ``eu.interpret.filter_pfms(demo model, its 500 demo sequences)`` (the table-lookup kernels);
- dinucleotide_shuffle: ``eu.seq.dinucleotide_shuffle(the 500 demo sequences, n=10, seed=0)``.

    .venv/bin/python benchmarks/first_call.py               # best of 3 per cell
    .venv/bin/python benchmarks/first_call.py --repeats 1 --calls tomtom
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

SETUP = {
    "tomtom": (
        "import eugene as eu\n"
        "query = eu.models.demo_sequences().motifs\n"
        "target = eu.motifs.jaspar()\n"
        "call = lambda: eu.motifs.tomtom(query, target)\n"
    ),
    "filter_pfms": (
        "import eugene as eu\n"
        "model = eu.models.load_demo_model()\n"
        "X = eu.models.demo_sequences().X\n"
        "call = lambda: eu.interpret.filter_pfms(model, X)\n"
    ),
    "dinucleotide_shuffle": (
        "import eugene as eu\n"
        "X = eu.models.demo_sequences().X\n"
        "call = lambda: eu.seq.dinucleotide_shuffle(X, n=10, seed=0)\n"
    ),
}

TIMED = (
    "import json, time\n"
    "c0, t0 = time.process_time(), time.perf_counter(); call(); t1, c1 = time.perf_counter(), time.process_time()\n"
    "call(); t2 = time.perf_counter()\n"
    "print(json.dumps({'first': t1 - t0, 'first_cpu': c1 - c0, 'second': t2 - t1}))\n"
)


def first_call(name: str, cache_dir: str) -> dict[str, float]:
    """Times of the first and second call of ``name`` in a fresh process whose numba cache is ``cache_dir``."""
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    done = subprocess.run(
        [sys.executable, "-c", SETUP[name] + TIMED], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{name} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="cold/warm pairs per call; the best is shown")
    parser.add_argument("--calls", nargs="+", choices=sorted(SETUP), default=list(SETUP))
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()}, Python {sys.version[:6]}")
    print("| call | cold first call (CPU) | warm first call (CPU) | second call (same process) |")
    print("|---|---|---|---|")
    for name in args.calls:
        cold, warm, second = [], [], []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory(prefix="eugene-numba-") as cache:
                cold.append(first_call(name, cache))
                warm.append(first_call(name, cache))
                second.append(warm[-1]["second"])
        c = min(cold, key=lambda t: t["first"])
        w = min(warm, key=lambda t: t["first"])
        print(
            f"| {name} | {c['first']:.2f} s ({c['first_cpu']:.2f} s) | {w['first']:.2f} s ({w['first_cpu']:.2f} s) "
            f"| {min(second):.3f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
