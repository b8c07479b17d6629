"""The ``eugene`` command: a thin layer over the API."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    raise SystemExit("eugene: the command line is not built yet")
