"""A peak set interpreted from the genome: DeepLiftShap regions per second per core into a zarr store, against
tangermeme's deep_lift_shap on the same regions, with the peak memory of each run.

A synthetic genome (FASTA) and a narrowPeak of ``--n`` regions are written to a temporary folder; eugene streams the
windows from the genome into a zarr store (``eu.genome.regions_dataset`` + ``eu.interpret.attribute_sdata`` with
``store=``: memory O(chunk)), once per thread count of ``--threads`` (default: 1 and every core). tangermeme holds its
input in memory, so it runs on the first ``--tangermeme-n`` windows (read with ``eu.genome.read_regions``) and is
scaled to per region. Both get ``--refs`` dinucleotide shuffles per region (each tool its own, drawn inside the call),
target 0, batch ``--batch-size`` pairs. Each run is a fresh process: its peak memory is that process's ru_maxrss, and
its thread count is set there (torch.set_num_threads, the benchmark's own choice; the library sets none).

    .venv/bin/python benchmarks/regions.py                      # 100,000 regions x 1 kb: hours on a few CPU cores
    .venv/bin/python benchmarks/regions.py --n 400 --threads 1,2 --tangermeme-n 50
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BASSET = {"n_filters": (300, 200, 200), "hidden": (1000, 1000), "n_outputs": 164}  # Basset's published sizes


def write_genome(folder: Path, n: int, length: int, seed: int = 0) -> tuple[Path, Path]:
    """A random genome of 8 chromosomes, about 2 * n * length bases in all (at least 4 Mb), and a narrowPeak of
    ``n`` peaks on it (200-600 bp, summits inside, a quarter on strand -)."""
    rng = np.random.default_rng(seed)
    total = max(2 * n * length, 4_000_000)
    sizes = {f"chr{i + 1}": total // 8 + int(rng.integers(0, 1000)) for i in range(8)}
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)
    fasta = folder / "genome.fa"
    with open(fasta, "wb") as handle:
        for name, size in sizes.items():
            seq = letters[rng.integers(0, 4, size)].tobytes()
            handle.write(f">{name}\n".encode() + b"\n".join(seq[i : i + 60] for i in range(0, size, 60)) + b"\n")
    chroms = rng.choice(list(sizes), n)
    widths = rng.integers(200, 600, n)
    starts = np.array([rng.integers(0, sizes[c] - w) for c, w in zip(chroms, widths)])
    summits = (rng.random(n) * widths).astype(int)
    strands = np.where(rng.random(n) < 0.25, "-", "+")
    bed = folder / "peaks.narrowPeak"
    with open(bed, "w") as handle:
        for i in range(n):
            fields = (chroms[i], starts[i], starts[i] + widths[i], f"peak{i}", 0, strands[i], 1, 1, 1, summits[i])
            handle.write("\t".join(map(str, fields)) + "\n")
    return fasta, bed


def _model(length: int):
    import torch

    import eugene as eu

    torch.manual_seed(0)
    return eu.models.build("basset", alphabet_size=4, seq_len=length, **BASSET).eval()


def run_eugene(args: argparse.Namespace) -> dict:
    import torch

    import eugene as eu

    torch.set_num_threads(args.threads)  # this benchmark process's choice
    model = _model(args.length)
    ds = eu.genome.regions_dataset(args.bed, args.fasta, length=args.length)
    start = time.perf_counter()
    for lo in range(0, args.n, args.chunk_size):  # one pass of reading + one-hot encoding (the fingerprint's cost)
        np.asarray(ds["ohe_seq"].isel(_sequence=slice(lo, lo + args.chunk_size)))
    read = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    out = eu.interpret.attribute_sdata(
        model,
        ds,
        "deeplift_shap",
        n_references=args.refs,
        seed=0,
        batch_size=args.batch_size,
        chunk_size=args.chunk_size,
        store=args.store,
        verbose=False,
    )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert out["deeplift_shap_attrs"].shape == (args.n, 4, args.length)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "cpu_seconds": cpu, "read_pass": read, "maxrss_mb": peak}


def run_tangermeme(args: argparse.Namespace) -> dict:
    import warnings

    import torch
    from tangermeme.deep_lift_shap import deep_lift_shap

    import eugene as eu

    torch.set_num_threads(args.threads)
    model = _model(args.length)
    bed = eu.genome.read_bed(args.bed).head(args.n)
    start, cpu = time.perf_counter(), time.process_time()
    X = torch.from_numpy(eu.genome.read_regions(bed, args.fasta, length=args.length).X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        attributions = deep_lift_shap(
            model, X, target=0, n_shuffles=args.refs, batch_size=args.batch_size, device="cpu", random_state=0
        )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert attributions.shape == X.shape
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _child(tool: str, threads: int, n: int, args: argparse.Namespace, fasta: Path, bed: Path, store: Path) -> dict:
    argv = [sys.executable, __file__, "--child", tool, "--threads", str(threads), "--n", str(n)]
    argv += ["--length", str(args.length), "--refs", str(args.refs), "--batch-size", str(args.batch_size)]
    argv += ["--chunk-size", str(args.chunk_size), "--fasta", str(fasta), "--bed", str(bed), "--store", str(store)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"the {tool} run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="regions (default 100,000)")
    parser.add_argument("--length", type=int, default=1000, help="window length (default 1000)")
    parser.add_argument("--refs", type=int, default=20, help="dinucleotide shuffles per region (default 20)")
    parser.add_argument("--batch-size", type=int, default=32, help="pairs per pass, for both tools (default 32)")
    parser.add_argument("--chunk-size", type=int, default=1000, help="regions per zarr chunk (default 1000)")
    parser.add_argument(
        "--threads", default=None, help="comma-separated torch thread counts (default: 1 and os.cpu_count())"
    )
    parser.add_argument("--tangermeme-n", type=int, default=200, help="regions tangermeme runs on (default 200)")
    parser.add_argument("--child", choices=("eugene", "tangermeme"), help=argparse.SUPPRESS)
    parser.add_argument("--fasta", help=argparse.SUPPRESS)
    parser.add_argument("--bed", help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.threads = int(args.threads)
        print(json.dumps((run_eugene if args.child == "eugene" else run_tangermeme)(args)))
        return

    cores = os.cpu_count() or 1
    threads = sorted({int(t) for t in args.threads.split(",")}) if args.threads else sorted({1, cores})
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    print(f"machine: {cores} cores, load average {' '.join(load)} at start; no GPU used")
    print(
        f"work: Basset (300/200/200 filters, dense 1000/1000, 164 outputs, target 0), {args.n} regions x "
        f"{args.length} bp from a synthetic genome, DeepLiftShap with {args.refs} shuffles each, batch "
        f"{args.batch_size} pairs, chunks of {args.chunk_size}"
    )
    with tempfile.TemporaryDirectory() as folder:
        fasta, bed = write_genome(Path(folder), args.n, args.length)
        rows = []
        for t in threads:
            store = Path(folder) / f"attr_{t}.zarr"
            result = _child("eugene", t, args.n, args, fasta, bed, store)
            rows.append(("eugene (zarr store, streamed)", t, args.n, result))
            m = min(args.tangermeme_n, args.n)
            rows.append(("tangermeme (in memory)", t, m, _child("tangermeme", t, m, args, fasta, bed, store)))
    header = ("tool", "threads", "regions", "wall s", "regions/s", "/s/thread", "CPU s", "/CPU s", "peak MB")
    print("{:>30} {:>7} {:>8} {:>8} {:>9} {:>9} {:>8} {:>8} {:>8}".format(*header))
    for tool, t, n, result in rows:
        rate, per_cpu = n / result["seconds"], n / result["cpu_seconds"]
        print(
            f"{tool:>30} {t:>7} {n:>8} {result['seconds']:>8.1f} {rate:>9.3f} {rate / t:>9.3f} "
            f"{result['cpu_seconds']:>8.1f} {per_cpu:>8.3f} {result['maxrss_mb']:>8.0f}"
        )
    for _, t, _, result in rows:
        if "read_pass" in result:
            print(
                f"eugene, {t} thread(s): one pass reading + encoding all windows from the genome: "
                f"{result['read_pass']:.1f} s"
            )
    for t in threads:
        ours, theirs = (n / r["seconds"] for tool, tt, n, r in rows if tt == t)
        print(f"{t} thread(s): eugene / tangermeme = {ours / theirs:.2f}x regions per second")
    if len(threads) > 1:
        rates = {t: n / r["seconds"] for tool, t, n, r in rows if tool.startswith("eugene")}
        print(f"eugene scaling {threads[0]} -> {threads[-1]} threads: {rates[threads[-1]] / rates[threads[0]]:.2f}x")


if __name__ == "__main__":
    main()
