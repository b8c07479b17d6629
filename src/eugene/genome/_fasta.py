"""The reference genome: an indexed FASTA (plain or bgzipped) read through pyfaidx, window by window.

pyfaidx is imported only here, inside :class:`Genome`, so that the rest of eugene works without the ``genome`` extra.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eugene._validate import check_positive_int, describe

PathLike = str | os.PathLike

_GZIP_MAGIC = b"\x1f\x8b"
_EXTRA_HINT = 'install the genome extra: pip install "eugene-interpret[genome]"'


def require(module: str, purpose: str) -> Any:
    """Import an optional dependency of the ``genome`` extra, or raise ImportError saying how to install it."""
    try:
        return __import__(module)
    except ImportError as error:
        raise ImportError(f"{purpose} needs the package {module!r}; {_EXTRA_HINT}") from error


def is_gzip(path: PathLike) -> bool:
    """True when the file starts with the gzip magic bytes (gzip and bgzip alike)."""
    with open(path, "rb") as probe:
        return probe.read(2) == _GZIP_MAGIC


def open_text(path: PathLike):
    """Open a text file for reading, plain or gzip (recognised by content, not by name)."""
    return gzip.open(path, "rt") if is_gzip(path) else open(path)  # closed by the caller


def _not_fasta_hint(path: Path) -> str:
    """Why a file fails to index, when its first bytes tell: a byte order mark, or no '>' header (a binary file)."""
    with open(path, "rb") as probe:
        start = probe.read(3)
    if start == b"\xef\xbb\xbf":
        return (
            " (it starts with a UTF-8 byte order mark, which the index cannot skip; remove it, e.g. "
            f"sed -i '1s/^\\xEF\\xBB\\xBF//' {path.name})"
        )
    if not start.startswith(b">") and not start.startswith(_GZIP_MAGIC):
        return " (it does not start with a '>' header line: is it FASTA text, or a binary file?)"
    return ""


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK)


def _index_folder(fasta: Path) -> Path:
    """Where the index of ``fasta`` goes when its own folder is read-only: a cache folder keyed by file identity."""
    stat = fasta.stat()
    key = hashlib.sha1(f"{fasta.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "eugene" / "genome-index"
    for base in (root, Path(tempfile.gettempdir()) / "eugene-genome-index"):
        folder = base / key
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if _writable(folder):
            return folder
    raise ValueError(
        f"genome {fasta} has no index ({fasta.name}.fai) and neither its folder nor a cache folder ({root}) is "
        f"writable; index it once where it is writable (samtools faidx {fasta.name}) or set XDG_CACHE_HOME"
    )


class Genome:
    """A reference genome in an indexed FASTA file, plain or bgzipped, read window by window.

    The index (``<fasta>.fai``, and ``<fasta>.gzi`` for bgzip) is built on first use when missing. When the FASTA's
    folder is read-only, the index goes to ``$XDG_CACHE_HOME/eugene/genome-index/`` (default ``~/.cache``), or to the
    temporary folder. A FASTA compressed with plain gzip (not bgzip) cannot be read at random: recompress it with
    ``bgzip``. Needs the ``genome`` extra (pyfaidx).

    Parameters
    ----------
    path
        Path to the FASTA file. Sequence names are the first word of each ``>`` header.

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("tiny.fa").write_text(">chr1\\nACGTACGTAC\\n")
    >>> genome = Genome("tiny.fa")
    >>> genome.sizes
    {'chr1': 10}
    >>> genome.fetch("chr1", -2, 4)          # off the chromosome start: N
    'NNACGT'
    """

    def __init__(self, path: PathLike) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"genome must be a path to a FASTA file (plain or bgzipped); got {describe(path)}")
        pyfaidx = require("pyfaidx", "reading a genome FASTA")
        self.path = Path(path)
        if not self.path.is_file():
            raise ValueError(f"genome must be a path to a FASTA file; {self.path} does not exist")
        fai = Path(f"{self.path}.fai")
        fresh = fai.is_file() and fai.stat().st_mtime >= self.path.stat().st_mtime
        kwargs: dict[str, str] = {}
        if not fresh and not _writable(self.path.parent):
            folder = _index_folder(self.path)
            kwargs["indexname"] = str(folder / f"{self.path.name}.fai")
            if is_gzip(self.path):
                kwargs["gzi_indexname"] = str(folder / f"{self.path.name}.gzi")
        try:
            self._faidx = pyfaidx.Faidx(str(self.path), **kwargs)
        except pyfaidx.UnsupportedCompressionFormat:
            raise ValueError(
                f"genome {self.path} is compressed with gzip, not bgzip, so it cannot be read at random positions; "
                f"recompress it: gunzip -c {self.path.name} | bgzip > {self.path.stem}.bgz (or keep it uncompressed)"
            ) from None
        except pyfaidx.FastaIndexingError as err:
            raise ValueError(
                f"genome {self.path} cannot be indexed as FASTA{_not_fasta_hint(self.path)}: {err}"
            ) from None
        self.sizes: dict[str, int] = {name: int(record.rlen) for name, record in self._faidx.index.items()}

    def __repr__(self) -> str:
        return f"Genome({str(self.path)!r}, {len(self.sizes)} sequences)"

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}  # the open file stays behind: a copy (a Dask worker's) reopens the FASTA by path

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])

    def check_chromosomes(self, chroms: Iterable[str], source: str) -> None:
        """Raise ValueError when names in ``chroms`` are not sequences of the genome, suggesting the likely fix."""
        wanted = list(dict.fromkeys(str(c) for c in chroms))
        missing = [c for c in wanted if c not in self.sizes]
        if not missing:
            return
        known = list(self.sizes)
        hint = "check that both come from the same assembly, or drop the rows on other sequences first"
        if all(f"chr{c}" in self.sizes for c in missing):
            hint = f"the genome names sequences with a 'chr' prefix and {source} does not: add it (e.g. '1' -> 'chr1')"
        elif all(c.startswith("chr") and c[3:] in self.sizes for c in missing):
            hint = f"{source} names sequences with a 'chr' prefix and the genome does not: remove it ('chr1' -> '1')"
        raise ValueError(
            f"{len(missing)} of {len(wanted)} chromosome names of {source} are not in the genome {self.path.name}: "
            f"{missing[:5]}{' ...' if len(missing) > 5 else ''}; the genome has {known[:5]}"
            f"{' ...' if len(known) > 5 else ''}; {hint}"
        )

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """The bases of ``chrom`` in ``[start, end)`` (0-based, end exclusive), as stored (case kept).

        Positions before the chromosome start or past its end come back as ``N``.
        """
        size = self.sizes[chrom]
        lo, hi = max(start, 0), min(end, size)
        inner = self._faidx.fetch(chrom, lo + 1, hi).seq if hi > lo else ""
        return "N" * (min(lo, end) - start) + inner + "N" * (end - max(hi, start))

    def windows(self, chroms: Sequence[str], starts: np.ndarray, length: int) -> list[str]:
        """The ``length`` bases from each ``starts[i]`` on ``chroms[i]``, N outside the chromosome."""
        length = check_positive_int(length, "length")
        return [self.fetch(c, s, s + length) for c, s in zip(chroms, np.asarray(starts).tolist())]


def as_genome(genome: Genome | PathLike) -> Genome:
    """A :class:`Genome` from a path, or the one given."""
    return genome if isinstance(genome, Genome) else Genome(genome)
