"""``eugene verify``: check every chunk of the results in a zarr store, via ``eu.interpret.verify_store``."""

from __future__ import annotations

import argparse

HELP = "check every chunk of the results eugene wrote into a zarr store against its checksum"
PARENTS = ()
EXAMPLE = "eugene verify attr.zarr            # exit code 1 and the table when a chunk is missing or corrupt"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("store", metavar="STORE", help="zarr store written by attribute / ism with --out DIR.zarr")
    parser.add_argument("--key", help="check this result variable only (default: every result in the store)")


def run(args: argparse.Namespace) -> int:
    from eugene.interpret import verify_store

    table = verify_store(args.store, key=args.key)
    print(table.to_string(index=False))
    bad = table[table["status"] != "ok"]
    if len(bad):
        counts = ", ".join(f"{n} {status}" for status, n in bad["status"].value_counts().sort_index().items())
        raise ValueError(
            f"{len(bad)} of {len(table)} chunks are not ok ({counts}); rerunning the command that made the store "
            "recomputes them"
        )
    return 0
