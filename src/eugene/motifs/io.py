"""Motif file formats: MEME text (read/write), JASPAR .jaspar/.pfm (read/write), HOMER (read/write), TRANSFAC (read).

Every reader returns a :class:`~eugene.motifs.motif.MotifSet` and checks what the file declares; malformed input
raises ``ValueError`` naming the file, the line and what was expected. Files are UTF-8 text, plain or gzip (read by
eu.seq.io's strict opening: a byte order mark at the start is skipped; a binary file, a byte that is not UTF-8 or a
truncated gzip is an error naming the line); every count and probability must be a finite non-negative number. Each
format with a writer reads back what it wrote. Formats: MEME https://meme-suite.org/meme/doc/meme-format.html, JASPAR https://jaspar.elixir.no/docs/,
HOMER http://homer.ucsd.edu/homer/motif/creatingCustomMotifs.html, TRANSFAC (Wingender et al. 1996).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from eugene._validate import describe
from eugene.motifs._alphabet import DNA, PROTEIN, RNA, default_complement
from eugene.motifs.motif import Motif, MotifSet
from eugene.seq.io import _numbered_lines

PathLike = str | os.PathLike

__all__ = [
    "read_meme",
    "write_meme",
    "read_jaspar",
    "write_jaspar",
    "read_homer",
    "write_homer",
    "read_transfac",
    "read_motifs",
]


class _Lines:
    """Numbered lines of a file, for parse errors that name the file and the line."""

    def __init__(self, path: PathLike) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a str or os.PathLike; got {describe(path)}")
        self.path = str(path)
        self.lines = [line for _, line in _numbered_lines(path, "utf-8")]
        self.i = 0

    def error(self, message: str, lineno: int | None = None) -> ValueError:
        n = self.i if lineno is None else lineno
        return ValueError(f"{self.path}, line {n}: {message}")

    def next(self) -> str | None:
        """Next line (stripped), or None at the end; ``self.i`` is then its 1-based number."""
        if self.i >= len(self.lines):
            return None
        self.i += 1
        return self.lines[self.i - 1].strip()

    def floats(self, line: str, expected: int | None = None) -> list[float]:
        """The numbers of ``line``: finite and non-negative, ``expected`` of them when given."""
        try:
            values = [float(x) for x in line.replace("\t", " ").split()]
        except ValueError:
            raise self.error(f"expected numbers; got {line!r}") from None
        if expected is not None and len(values) != expected:
            raise self.error(f"expected {expected} numbers; got {len(values)} in {line!r}")
        if not all(map(math.isfinite, values)):
            raise self.error(f"expected finite numbers; got NaN or inf in {line!r}")
        if values and min(values) < 0:
            raise self.error(f"expected non-negative counts or probabilities; got {min(values):g} in {line!r}")
        return values


def _name(path: PathLike) -> str:
    return Path(path).stem


# MEME -------------------------------------------------------------------------------------------------------------
_MEME_KEYVALS = re.compile(r"(\w+)\s*=\s*(\S+)")
_MEME_SECTIONS = ("ALPHABET", "strands:", "Background letter frequencies", "MOTIF", "letter-probability matrix")
# A row of probabilities (or a background) further than this from summing to 1 is an error, not rounding; closer
# than this but further than 1e-3 it is renormalized with a warning (see Motif).
_PROBABILITY_SUM_TOLERANCE = 0.1


def _meme_order(letters: str) -> str:
    """MEME's order of core symbols in a custom alphabet: letters A-Z, then a-z, then digits, then the rest."""

    def key(c: str) -> tuple[int, str]:
        return (0 if c.isupper() else 1 if c.islower() else 2 if c.isdigit() else 3, c)

    return "".join(sorted(letters, key=key))


def _meme_alphabet_block(lines: _Lines) -> tuple[str, str | None]:
    """Parse a custom ``ALPHABET ... END ALPHABET`` block: core letters and their complements."""
    letters: list[str] = []
    pairs: dict[str, str] = {}
    while True:
        line = lines.next()
        if line is None:
            raise lines.error("ALPHABET block has no 'END ALPHABET'")
        if line.upper().startswith("END ALPHABET"):
            break
        if not line or line.startswith("#"):
            continue
        tokens = line.split()
        if len(tokens) >= 2 and tokens[1] == "=":
            continue  # ambiguity code, not a core letter
        groups = [tokens]
        if "~" in tokens:
            k = tokens.index("~")
            groups = [tokens[:k], tokens[k + 1 :]]
        syms = []
        for group in groups:
            if not group or len(group[0]) != 1:
                raise lines.error(f"cannot read alphabet letter definition {line!r}")
            syms.append(group[0])
            letters.append(group[0])
        if len(syms) == 2:
            pairs[syms[0]], pairs[syms[1]] = syms[1], syms[0]
    alphabet = _meme_order("".join(letters))
    if alphabet in (DNA, RNA):
        return alphabet, default_complement(alphabet)
    complement = "".join(pairs.get(c, "") for c in alphabet) if len(pairs) == len(alphabet) else None
    return alphabet, complement


def read_meme(path: PathLike) -> MotifSet:
    """Read a MEME text motif file (version 4 or 5): alphabet, background, probability matrices, nsites, URLs.

    Parameters
    ----------
    path
        The ``.meme`` / ``.txt`` file.

    Returns
    -------
    MotifSet
        Motifs in file order, with the file's background (``MotifSet.background``, also on each motif).

    Raises
    ------
    ValueError
        Naming the file and the line, when the file contradicts what it declares: no ``MEME version`` line before
        the other sections (https://meme-suite.org/meme/doc/meme-format.html requires it), a matrix with more or
        fewer rows than its ``w=``, a ``MOTIF`` without its ``letter-probability matrix`` line, rows of another
        length than the alphabet (``alength=``), NaN, inf or negative values, a row (or the background) that does
        not sum to 1 within 0.1 (closer than that but further than 1e-3, it is renormalized with a warning), an
        ``ALPHABET=`` that is not distinct letters.

    Examples
    --------
    >>> motifs = read_meme("jaspar.meme")  # doctest: +SKIP
    >>> motifs["MA0004.1"].alt_name  # doctest: +SKIP
    'Arnt'
    """
    lines = _Lines(path)
    alphabet: str | None = None
    complement: str | None = None
    background = None
    motifs: list[Motif] = []
    current: dict | None = None
    saw_version = False

    def check_matrix_read() -> None:
        if current is not None and "motif" not in current:
            raise lines.error(
                f"motif {current['name']!r} has no 'letter-probability matrix: alength= A w= W' line before its rows",
                current["line"],
            )

    while (line := lines.next()) is not None:
        if not line or line.startswith("#"):
            continue
        if line.startswith("MEME version"):
            saw_version = True
        elif not saw_version and line.startswith(_MEME_SECTIONS):
            raise lines.error(
                f"expected the 'MEME version N' line before any other section (the MEME suite requires it to know the "
                f"file is a MEME motif file); got {line[:60]!r} first"
            )
        elif line.startswith("ALPHABET="):
            alphabet = line.split("=", 1)[1].strip()
            if len(alphabet) < 2 or len(set(alphabet)) != len(alphabet) or not alphabet.isalnum():
                raise lines.error(f"ALPHABET= must be followed by at least 2 distinct letters; got {line!r}")
            complement = default_complement(alphabet)
        elif line.startswith("ALPHABET"):
            alphabet, complement = _meme_alphabet_block(lines)
        elif line.startswith("Background letter frequencies"):
            background = _meme_background(lines, alphabet)
        elif line.startswith("MOTIF"):
            check_matrix_read()
            tokens = line.split()
            if len(tokens) < 2:
                raise lines.error("MOTIF line without an identifier")
            current = {"name": tokens[1], "alt": " ".join(tokens[2:]), "line": lines.i}
        elif line.startswith("letter-probability matrix"):
            if current is None:
                raise lines.error("letter-probability matrix before any MOTIF line")
            if "motif" in current:
                raise lines.error(f"motif {current['name']!r} has a second letter-probability matrix")
            keys = dict(_MEME_KEYVALS.findall(line))
            alphabet, complement = _meme_matrix_alphabet(lines, line, keys, alphabet, complement)
            current["motif"] = _meme_matrix(lines, line, keys, current, alphabet, complement, background)
            motifs.append(current["motif"])
        elif line.startswith("URL") and current is not None and "motif" in current:
            current["motif"].url = line[3:].strip()
    check_matrix_read()
    if not saw_version and not motifs:
        raise ValueError(f"{lines.path}: not a MEME motif file (no 'MEME version' line and no motifs)")
    return MotifSet(motifs, name=_name(path), background=background)


def _meme_background(lines: _Lines, alphabet: str | None) -> np.ndarray:
    """The letter/frequency pairs after ``Background letter frequencies``, in alphabet order."""
    values: dict[str, float] = {}
    start = lines.i
    while (line := lines.next()) is not None and line:
        tokens = line.split()
        if len(tokens) % 2:
            raise lines.error(f"background must be letter/frequency pairs; got {line!r}")
        for letter, freq in zip(tokens[::2], tokens[1::2], strict=True):
            values[letter] = lines.floats(freq)[0]
        if alphabet is not None and len(values) >= len(alphabet):
            break
    letters = alphabet or ("ACGT" if len(values) == 4 else "".join(values))
    try:
        background = np.array([values[c] for c in letters])
    except KeyError as err:
        raise lines.error(f"background lacks letter {err} of alphabet {letters!r}", start) from None
    if abs(background.sum() - 1) > _PROBABILITY_SUM_TOLERANCE:
        raise lines.error(f"background frequencies must sum to 1; they sum to {background.sum():g}", start)
    return background


def _meme_matrix_alphabet(
    lines: _Lines, line: str, keys: dict[str, str], alphabet: str | None, complement: str | None
) -> tuple[str, str | None]:
    """The alphabet a matrix line implies: the file's, or DNA / protein from ``alength`` when the file names none."""
    try:
        alength = int(keys["alength"]) if "alength" in keys else None
    except ValueError:
        raise lines.error(f"cannot read alength in {line!r}") from None
    if alphabet is None:
        if alength not in (4, 20):
            raise lines.error(f"no ALPHABET line and alength={alength} is neither DNA (4) nor protein (20)")
        alphabet = DNA if alength == 4 else PROTEIN
        complement = default_complement(alphabet)
    if alength is not None and alength != len(alphabet):
        raise lines.error(f"alength={alength} does not match alphabet {alphabet!r}")
    return alphabet, complement


def _is_number(token: str) -> bool:
    try:
        float(token)
    except ValueError:
        return False
    return True


def _meme_matrix(
    lines: _Lines,
    line: str,
    keys: dict[str, str],
    current: dict,
    alphabet: str,
    complement: str | None,
    background: np.ndarray | None,
) -> Motif:
    """The motif whose ``letter-probability matrix`` line is ``line`` (its ``keys``): the numeric lines that follow."""
    start = lines.i
    name = current["name"]
    try:
        width = int(keys["w"]) if "w" in keys else None
        nsites = float(keys["nsites"]) if "nsites" in keys else None
    except ValueError:
        raise lines.error(f"cannot read w / nsites in {line!r}") from None
    if width is not None and width < 1:
        raise lines.error(f"motif {name!r} has width {width}; w= must be a positive number of rows")
    rows = []
    while lines.i < len(lines.lines):
        tokens = lines.lines[lines.i].split()
        if not tokens or not _is_number(tokens[0]):
            break
        lines.next()
        row = lines.floats(lines.lines[lines.i - 1], len(alphabet))
        if abs(sum(row) - 1) > _PROBABILITY_SUM_TOLERANCE:
            raise lines.error(
                f"motif {name!r}: a letter-probability row must sum to 1; this one sums to {sum(row):g} "
                "(counts belong in a JASPAR or TRANSFAC file)"
            )
        rows.append(row)
    if not rows:
        raise lines.error(f"motif {name!r} has no matrix rows after its letter-probability matrix line", start)
    if width is not None and len(rows) != width:
        raise lines.error(
            f"motif {name!r}: w={width} but {len(rows)} rows follow (lines {start + 1}-{start + len(rows)})", start
        )
    try:
        return Motif(
            name,
            np.array(rows).T,
            alphabet=alphabet,
            alt_name=current["alt"],
            nsites=nsites,
            background=background,
            complement=complement,
            source=lines.path,
        )
    except ValueError as err:
        raise lines.error(str(err), start) from None


def _fmt(x: float) -> str:
    return f"{x:.6f}"


def write_meme(motifs: MotifSet | Iterable[Motif], path: PathLike, version: int = 5) -> None:
    """Write motifs as a MEME text file (probabilities with 6 decimals, nsites, background, custom alphabets).

    Examples
    --------
    >>> write_meme(motifs, "out.meme")  # doctest: +SKIP
    """
    motifs = motifs if isinstance(motifs, MotifSet) else MotifSet(motifs)
    if len(motifs) == 0:
        raise ValueError("motifs is empty; nothing to write")
    first = motifs[0]
    alphabet = first.alphabet
    out = [f"MEME version {version}", ""]
    if alphabet in (DNA, RNA, PROTEIN):
        out += [f"ALPHABET= {alphabet}", ""]
    else:
        out.append(f'ALPHABET "custom" {"DNA-LIKE" if first.complement else "PROTEIN-LIKE"}')
        done: set[str] = set()
        for letter in _meme_order(alphabet):
            i = alphabet.index(letter)
            if letter in done:
                continue
            if first.complement and first.complement[i] != letter:
                out.append(f"{letter} ~ {first.complement[i]}")
                done.add(first.complement[i])
            else:
                out.append(letter)
            done.add(letter)
        out += ["END ALPHABET", ""]
    if first.complement is not None:
        out += ["strands: + -", ""]
    order = [alphabet.index(c) for c in (alphabet if alphabet in (DNA, RNA, PROTEIN) else _meme_order(alphabet))]
    bg = motifs.background if motifs.background is not None else first.background
    bg = np.full(len(alphabet), 1 / len(alphabet)) if bg is None else np.asarray(bg)
    letters = "".join(alphabet[i] for i in order)
    out += ["Background letter frequencies", " ".join(f"{c} {f:.6g}" for c, f in zip(letters, bg[order], strict=True))]
    out.append("")
    for m in motifs:
        out.append(f"MOTIF {m.name}" + (f" {m.alt_name}" if m.alt_name else ""))
        out.append("")
        nsites = 20 if m.nsites is None else m.nsites
        out.append(f"letter-probability matrix: alength= {len(alphabet)} w= {m.width} nsites= {nsites:g} E= 0")
        out += [" " + " ".join(_fmt(x) for x in col) for col in m.probs[order].T]
        if m.url:
            out += ["", f"URL {m.url}"]
        out.append("")
    Path(path).write_text("\n".join(out) + "\n")


# JASPAR -------------------------------------------------------------------------------------------------------------
def read_jaspar(path: PathLike, alphabet: str = DNA) -> MotifSet:
    """Read JASPAR count matrices: ``.jaspar`` (``A [ 1 2 ... ]`` rows) or ``.pfm`` (plain rows, with or without a
    ``>`` header). Counts are kept; nsites is the largest column sum.

    Examples
    --------
    >>> read_jaspar("MA0004.1.jaspar")["MA0004.1"].counts.shape  # doctest: +SKIP
    (4, 6)
    """
    lines = _Lines(path)
    motifs: list[Motif] = []
    header: tuple[str, str] | None = None
    rows: list[list[float]] = []
    start = 1

    def flush() -> None:
        if not rows:
            if header is not None:
                raise lines.error(f"motif {header[0]!r} has no count rows", start)
            return
        name, alt = header if header is not None else (_name(path), "")
        if len(rows) != len(alphabet):
            raise lines.error(f"motif {name!r} has {len(rows)} rows; expected {len(alphabet)} ({alphabet})", start)
        if len({len(r) for r in rows}) != 1:
            raise lines.error(f"motif {name!r}: rows have different lengths {[len(r) for r in rows]}", start)
        try:
            motifs.append(Motif(name, counts=np.array(rows), alphabet=alphabet, alt_name=alt, source=str(path)))
        except ValueError as err:
            raise lines.error(str(err), start) from None

    while (line := lines.next()) is not None:
        if not line or line.startswith("#"):
            continue
        if line.startswith(">"):
            flush()
            tokens = line[1:].split(None, 1)
            if not tokens:
                raise lines.error("a lone '>'; a JASPAR header needs a matrix ID after '>'")
            header = (tokens[0], tokens[1].strip() if len(tokens) > 1 else "")
            rows, start = [], lines.i
            continue
        m = re.match(r"^([A-Za-z])\s*\[(.*)\]\s*$", line)
        if m:
            letter = m.group(1).upper()
            if len(rows) == len(alphabet):
                name = header[0] if header is not None else _name(path)
                raise lines.error(
                    f"motif {name!r} already has its {len(alphabet)} rows ({alphabet}); a '>' header must start the "
                    f"next matrix, got the row of letter {letter}"
                )
            expected = alphabet[len(rows)]
            if letter != expected and not (letter == "T" and expected == "U"):
                raise lines.error(f"expected the row of letter {expected}; got {letter}")
            rows.append(lines.floats(m.group(2)))
        else:
            rows.append(lines.floats(line))
    flush()
    if not motifs:
        raise ValueError(f"{lines.path}: no JASPAR matrices found")
    return MotifSet(motifs, name=_name(path))


def write_jaspar(motifs: MotifSet | Iterable[Motif], path: PathLike, format: str = "jaspar") -> None:
    """Write count matrices in JASPAR ``"jaspar"`` (letter-bracket rows) or ``"pfm"`` (plain rows) format.

    Motifs without counts are written as probabilities times nsites (20 when unknown). Numbers are written in the
    shortest text that reads back to the same float, so :func:`read_jaspar` returns the counts exactly.
    """
    if format not in ("jaspar", "pfm"):
        raise ValueError(f"format must be 'jaspar' or 'pfm'; got {format!r}")
    out = []
    for m in motifs:
        counts = m.counts if m.counts is not None else m.probs * (m.nsites or 20)
        out.append(f">{m.name}" + (f"\t{m.alt_name}" if m.alt_name else ""))
        for letter, row in zip(m.alphabet, counts, strict=True):
            values = " ".join(np.format_float_positional(x, trim="-") for x in row)  # shortest exact text
            out.append(f"{letter}  [ {values} ]" if format == "jaspar" else values)
    Path(path).write_text("\n".join(out) + "\n")


# HOMER ------------------------------------------------------------------------------------------------------------
def read_homer(path: PathLike) -> MotifSet:
    """Read HOMER motifs (``>consensus<TAB>name<TAB>threshold`` then one A C G T probability row per position).

    The motif name is the second header field (the consensus becomes ``alt_name``); the log-odds detection
    threshold is not kept.
    """
    lines = _Lines(path)
    motifs: list[Motif] = []
    name, alt, rows, start = None, "", [], 0

    def flush() -> None:
        if name is None:
            return
        if not rows:
            raise lines.error(f"motif {name!r} has no rows", start)
        try:
            motifs.append(Motif(name, np.array(rows).T, alt_name=alt, source=str(path)))
        except ValueError as err:
            raise lines.error(str(err), start) from None

    while (line := lines.next()) is not None:
        if not line:
            continue
        if line.startswith(">"):
            flush()
            fields = [field.strip() for field in line[1:].split("\t")]
            name = fields[1] if len(fields) > 1 and fields[1] else fields[0]
            if not name:
                raise lines.error("a HOMER header needs a consensus and a name after '>'; got a lone '>'")
            alt = fields[0] if len(fields) > 1 else ""
            rows, start = [], lines.i
        else:
            if name is None:
                raise lines.error("matrix row before any '>' header line")
            rows.append(lines.floats(line, 4))
    flush()
    if not motifs:
        raise ValueError(f"{lines.path}: no HOMER motifs found")
    return MotifSet(motifs, name=_name(path))


def write_homer(motifs: MotifSet | Iterable[Motif], path: PathLike, threshold: float = 5.0) -> None:
    """Write DNA motifs in HOMER format (consensus, name, log-odds threshold, probability rows)."""
    from eugene.motifs.transforms import consensus

    out = []
    for m in motifs:
        if len(m.alphabet) != 4:
            raise ValueError(f"HOMER holds DNA motifs only; motif {m.name!r} has alphabet {m.alphabet!r}")
        out.append(f">{consensus(m)}\t{m.name}\t{threshold:g}")
        out += ["\t".join(f"{x:.6f}" for x in col) for col in m.probs.T]
    Path(path).write_text("\n".join(out) + "\n")


# TRANSFAC ---------------------------------------------------------------------------------------------------------
def read_transfac(path: PathLike) -> MotifSet:
    """Read TRANSFAC matrices (``AC``/``ID``/``NA`` fields, a ``P0``/``PO`` letter header, numbered count rows,
    ``//`` after each record).

    Strict: a record's identifier field (``AC`` or ``ID``) seen twice before its ``//`` (two records run together), a
    second ``P0`` header, a numbered row before the ``P0`` header, rows numbered out of order, a ``P0`` header
    without rows, or a file that ends inside a record without ``//`` (a truncated file) raise ValueError naming the
    file and the line. Records without a matrix are skipped.
    """
    lines = _Lines(path)
    motifs: list[Motif] = []
    record: dict = {}

    def flush() -> None:
        if "letters" not in record:
            return
        name = record.get("AC") or record.get("ID") or f"motif_{len(motifs)}"
        if not record["rows"]:
            raise lines.error(f"motif {name!r} has a P0 header but no count rows", record["start"])
        letters = "".join(record["letters"]).upper()
        matrix = np.array(record["rows"]).T
        order = [letters.index(c) for c in DNA] if sorted(letters) == sorted(DNA) else None
        if order is None:
            raise lines.error(f"motif {name!r}: header letters {letters!r} are not A, C, G, T", record["start"])
        alt = record.get("ID", "") if record.get("AC") else record.get("NA", "")
        try:
            motifs.append(Motif(name, counts=matrix[order], alt_name=alt, source=str(path)))
        except ValueError as err:
            raise lines.error(str(err), record["start"]) from None

    while (line := lines.next()) is not None:
        if not line or line.startswith("XX"):
            continue
        if line.startswith("//"):
            flush()
            record = {}
            continue
        key, _, rest = line.partition(" ")
        rest = rest.strip()
        if key in ("AC", "ID") and key in record:
            raise lines.error(
                f"a second {key} line before the '//' that ends the record of {record[key]!r} "
                f"(begun at line {record['first']}); records must be separated by '//'"
            )
        record.setdefault("first", lines.i)
        if key in ("AC", "ID", "NA", "DE") and key not in record:
            record[key] = rest.split()[0] if key in ("AC", "ID") and rest else rest
        elif key in ("P0", "PO"):
            if "letters" in record:
                raise lines.error(
                    f"a second {key} matrix header in the record begun at line {record['first']}; records must be "
                    "separated by '//'"
                )
            record["letters"] = rest.split()
            record["rows"], record["start"] = [], lines.i
        elif key.isdigit():
            if "letters" not in record:
                raise lines.error(
                    f"matrix row {key} before the record's P0 header (a 'P0 A C G T' line naming the columns)"
                )
            if int(key) != len(record["rows"]) + 1:
                raise lines.error(f"expected matrix row {len(record['rows']) + 1}; got row number {key}")
            values = rest.split()
            n = len(record["letters"])
            if len(values) < n:
                raise lines.error(f"expected {n} counts after position {key}; got {line!r}")
            record["rows"].append(lines.floats(" ".join(values[:n])))
    if record:
        raise lines.error(
            f"the file ends inside the record begun at line {record['first']} without its closing '//' "
            "(is the file truncated?)"
        )
    if not motifs:
        raise ValueError(f"{lines.path}: no TRANSFAC matrices found")
    return MotifSet(motifs, name=_name(path))


_READERS = {
    ".meme": read_meme,
    ".txt": read_meme,
    ".jaspar": read_jaspar,
    ".pfm": read_jaspar,
    ".motif": read_homer,
    ".motifs": read_homer,
    ".homer": read_homer,
    ".transfac": read_transfac,
    ".dat": read_transfac,
}


def read_motifs(path: PathLike, format: str | None = None) -> MotifSet:
    """Read a motif file, choosing the reader from ``format`` (meme, jaspar, pfm, homer, transfac) or the extension.

    Examples
    --------
    >>> read_motifs("motifs.jaspar")  # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike; got {describe(path)}")
    if not Path(path).is_file():
        raise FileNotFoundError(f"motif file {str(path)!r} does not exist")
    key = f".{format.lower()}" if format else Path(path).suffix.lower()
    if key not in _READERS:
        raise ValueError(
            f"cannot tell the motif format of {str(path)!r}; pass format= one of meme, jaspar, pfm, homer, transfac"
        )
    return _READERS[key](path)
