"""The ``eugene`` command: a thin layer over the API (read inputs, call one public function, write its result).

One module per subcommand holds its help, example, options (``add_arguments``) and ``run``; ``_common`` holds what
they share (option groups, the model, the sequences, outputs). Exit codes: 0 success, 2 usage error (bad or missing
arguments), 1 runtime error (unreadable file, model that does not fit the sequences, ...). Errors are printed as one
line; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from . import _common, attribute, demo, filters, gia, ism, motifs, report, tomtom, tracks, variants, verify

__all__ = ["main", "build_parser"]

SUBCOMMANDS = {
    "attribute": attribute,
    "ism": ism,
    "filters": filters,
    "tomtom": tomtom,
    "gia": gia,
    "report": report,
    "demo": demo,
    "verify": verify,
    "tracks": tracks,
    "variants": variants,
    "motifs": motifs,
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``eugene`` command (one subparser per subcommand module)."""
    from eugene import __version__

    groups = {
        "model": _common.model_options(),
        "sequences": _common.sequence_options(),
        "compute": _common.compute_options(),
    }
    run_options = _common.run_options()
    parser = _common.Parser(
        prog="eugene",
        description="Explain what a trained PyTorch model of DNA/RNA sequences has learned.",
        epilog="examples:\n  "
        + "\n  ".join(module.EXAMPLE for module in SUBCOMMANDS.values())
        + "\n\nRun 'eugene COMMAND --help' for details.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"eugene {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_common.Parser)
    for name, module in SUBCOMMANDS.items():
        subparser = sub.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            parents=[*(groups[group] for group in module.PARENTS), run_options],
            epilog="example:\n  " + module.EXAMPLE,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:  # noqa: ANN001
    print(f"eugene: warning: {' '.join(str(message).split())} ({category.__name__})", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``eugene`` command with ``argv`` (default ``sys.argv[1:]``) and return its exit code.

    Examples
    --------
    >>> main(["tomtom", "filters.meme", "--out", "matches.tsv"])  # doctest: +SKIP
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    with warnings.catch_warnings():
        if not args.debug:
            warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except KeyboardInterrupt:
            print(f"eugene {args.command}: interrupted", file=sys.stderr)
            return 130
        except Exception as error:
            if args.debug:
                raise
            print(
                f"eugene {args.command}: error: {_common.one_line(error)} (rerun with --debug for the traceback)",
                file=sys.stderr,
            )
            return 1
