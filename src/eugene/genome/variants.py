"""Variants of a VCF as pairs of reference / alternative windows of a genome.

The window rule (left-anchored), for a variant whose REF starts at 1-based ``POS`` (0-based ``p = POS - 1``) and a
window of ``length`` (``k = length // 2``):

- the **ref window** is the genome's ``[p - k, p - k + length)``, so the first REF base is column ``k``;
- the **alt window** is the same ``k`` bases left of the variant, then the ALT allele, then the genome's bases from
  just after REF onwards, cut to ``length``: an insertion pushes the right flank out (trimmed), a deletion pulls more
  of it in (extended). A SNV changes column ``k`` only. An ALT longer than ``length - k`` is itself cut.
- positions off the chromosome are ``N`` (all-zero columns), as for regions.

The left flank and the variant's start stay aligned between ref and alt, so attributions of the two can be compared
column by column up to the variant. (kipoi-veff centres each variant in its window and writes the allele there;
gReLU scores SNVs by default and handles indels by fetching extra flank and trimming the ends; GenomeKit fixes an
"anchor" coordinate that stays aligned: the rule here is such an anchor at the variant's start.)
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from eugene._validate import check_positive_int, describe
from eugene.genome._fasta import Genome, PathLike, as_genome
from eugene.seq import one_hot
from eugene.seq.io import _numbered_lines

OnMismatch = Literal["error", "skip"]

_BASES = re.compile(r"^[ACGTN]+$")
_COLUMNS = ["chrom", "pos", "id", "ref", "alt", "qual", "filter", "info", "kind", "allele", "line"]


def _kind(ref: str, alt: str) -> str:
    if not _BASES.match(alt):
        return "symbolic"
    if len(ref) == len(alt):
        return "SNV" if len(ref) == 1 else "MNV"
    if len(alt) > len(ref) and alt.startswith(ref):
        return "insertion"
    if len(ref) > len(alt) and ref.startswith(alt):
        return "deletion"
    return "complex"


def read_vcf(path: PathLike) -> pd.DataFrame:
    """Read the variants of a VCF file (plain, gzip or bgzip), one row per ALT allele.

    A strict parser of the eight fixed VCF columns (sample columns are ignored): every data line needs them, POS
    must be a positive integer, REF must be bases (``ACGTN``, read as upper case). A multi-allelic record (ALT
    ``A,T``) becomes one row per ALT allele, each with its ``allele`` number (1-based) and the record's ``line``.

    Parameters
    ----------
    path
        The VCF file.

    Returns
    -------
    pandas.DataFrame
        Columns ``chrom, pos`` (1-based, as in the VCF), ``id, ref, alt, qual, filter, info``, ``kind``
        (``SNV``, ``MNV``, ``insertion``, ``deletion``, ``complex``, or ``symbolic`` for ALTs without a sequence:
        ``<DEL>``, ``*``, ``.``, breakends), ``allele`` and ``line`` (line number in the file).

    Examples
    --------
    >>> from pathlib import Path
    >>> _ = Path("v.vcf").write_text("##fileformat=VCFv4.2\\nchr1\\t5\\trs1\\tA\\tG,AT\\t.\\tPASS\\t.\\n")
    >>> read_vcf("v.vcf")[["pos", "ref", "alt", "kind", "allele", "line"]].values.tolist()
    [[5, 'A', 'G', 'SNV', 1, 2], [5, 'A', 'AT', 'insertion', 2, 2]]
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a path to a VCF file; got {describe(path)}")
    rows: list[tuple] = []
    for line_number, line in _numbered_lines(path, "utf-8"):  # gzip, binary and bad bytes named by file and line
        if line.startswith("#") or not line.strip():
            continue
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 8:
            raise ValueError(
                f"{path}, line {line_number}: a VCF record needs 8 tab-separated columns (CHROM POS ID REF ALT "
                f"QUAL FILTER INFO); got {len(fields)}: {line.rstrip()[:80]!r}"
            )
        chrom, pos, vid, ref, alts, qual, filt, info = fields[:8]
        if not pos.isdigit() or int(pos) < 1:
            raise ValueError(f"{path}, line {line_number}: POS must be a positive integer; got {pos!r}")
        ref = ref.upper()
        if not _BASES.match(ref):
            raise ValueError(f"{path}, line {line_number}: REF must be bases (A, C, G, T, N); got {ref!r}")
        for allele, alt in enumerate(alts.split(","), start=1):
            alt = alt.upper() if _BASES.match(alt.upper()) else alt
            rows.append((chrom, int(pos), vid, ref, alt, qual, filt, info, _kind(ref, alt), allele, line_number))
    return pd.DataFrame(rows, columns=_COLUMNS).astype({"pos": np.int64, "allele": np.int64, "line": np.int64})


@dataclass
class VariantWindows:
    """Reference and alternative windows of variants.

    ``ref`` and ``alt`` are one-hot ``(N, A, L)`` float32; ``variants`` holds the N variants they come from (the
    rows of the input that were kept) with ``start`` / ``end``, the ref window's genome coordinates; ``skipped``
    lists the variants left out, with a ``reason``, when ``on_mismatch="skip"`` (empty otherwise).
    """

    ref: np.ndarray
    alt: np.ndarray
    variants: pd.DataFrame
    skipped: pd.DataFrame

    def __len__(self) -> int:
        return len(self.variants)


def _label(row: Any) -> str:
    where = f" (line {row.line})" if hasattr(row, "line") else ""
    return f"{row.chrom}:{row.pos} {row.ref}>{row.alt}{where}"


def variant_windows(
    variants: pd.DataFrame | PathLike,
    genome: Genome | PathLike,
    length: int,
    *,
    on_mismatch: OnMismatch = "error",
    alphabet: str = "DNA",
) -> VariantWindows:
    """One-hot reference and alternative windows of ``length`` around each variant, REF checked against the genome.

    The windows follow the left-anchored rule of this module: the first REF base is column ``length // 2`` of both;
    the alt window replaces REF by ALT and takes the genome's right flank after REF, trimmed or extended to keep
    ``length`` (so SNVs, MNVs, insertions, deletions and complex substitutions are all handled alike).

    Parameters
    ----------
    variants
        A VCF path (read with :func:`read_vcf`), or a DataFrame with ``chrom, pos`` (1-based), ``ref, alt``.
    genome
        A FASTA path (plain or bgzipped) or a :class:`Genome`.
    length
        Window length L.
    on_mismatch
        ``"error"`` (default): a REF that differs from the genome (or a symbolic ALT, which has no sequence) raises
        ValueError naming the record (``CHROM:POS REF>ALT`` and its line). ``"skip"``: such variants are left out
        and listed in ``skipped`` with the reason.
    alphabet
        Alphabet of the one-hot (``"DNA"`` or ``"RNA"``).

    Returns
    -------
    VariantWindows
        ``ref``, ``alt``, ``variants`` and ``skipped``.

    Examples
    --------
    >>> from pathlib import Path
    >>> import eugene as eu
    >>> _ = Path("tiny.fa").write_text(">chr1\\nACGTACGTAC\\n")
    >>> table = pd.DataFrame({"chrom": ["chr1", "chr1"], "pos": [5, 5], "ref": ["A", "AC"], "alt": ["T", "A"]})
    >>> windows = variant_windows(table, "tiny.fa", 6)
    >>> eu.seq.decode(windows.ref), eu.seq.decode(windows.alt)
    (['CGTACG', 'CGTACG'], ['CGTTCG', 'CGTAGT'])
    """
    length = check_positive_int(length, "length")
    if on_mismatch not in ("error", "skip"):
        raise ValueError(f"on_mismatch must be 'error' or 'skip'; got {on_mismatch!r}")
    if isinstance(variants, (str, os.PathLike)):
        variants = read_vcf(variants)
    if not isinstance(variants, pd.DataFrame):
        raise TypeError(f"variants must be a VCF path or a DataFrame of variants; got {describe(variants)}")
    missing = [c for c in ("chrom", "pos", "ref", "alt") if c not in variants]
    if missing:
        raise ValueError(f"variants must have the columns chrom, pos, ref, alt; it lacks {missing}")
    table = variants.reset_index(drop=True).astype({"chrom": str})
    genome = as_genome(genome)
    genome.check_chromosomes(table["chrom"], "variants")
    k = length // 2
    ref_windows, alt_windows, kept, skipped, reasons = [], [], [], [], []
    for i, row in enumerate(table.itertuples(index=False)):
        ref, alt = str(row.ref).upper(), str(row.alt).upper()
        p = int(row.pos) - 1
        segment = genome.fetch(row.chrom, p - k, p - k + length + len(ref)).upper()
        found = segment[k : k + len(ref)]
        if not _BASES.match(alt):
            reason = f"variant {_label(row)} has a symbolic ALT {alt!r}, which has no sequence to put in a window"
        elif found != ref:
            reason = (
                f"variant {_label(row)}: REF {ref!r} does not match the genome, which has {found!r} at "
                f"{row.chrom}:{row.pos}-{p + len(ref)}; is the VCF from another assembly or not normalised?"
            )
        else:
            ref_windows.append(segment[:length])
            alt_windows.append((segment[:k] + alt + segment[k + len(ref) :])[:length])
            kept.append(i)
            continue
        if on_mismatch == "error":
            raise ValueError(f"{reason}; pass on_mismatch='skip' to leave such variants out")
        skipped.append(i)
        reasons.append(reason)
    out = table.iloc[kept].copy()
    out["start"] = out["pos"].to_numpy(dtype=np.int64) - 1 - k
    out["end"] = out["start"] + length
    report = table.iloc[skipped].copy()
    report["reason"] = reasons
    ref_X, alt_X = (one_hot(w, alphabet, length=length) for w in (ref_windows, alt_windows))
    return VariantWindows(ref_X, alt_X, out, report)


_INFO_KEY = re.compile(r"^[A-Za-z_][0-9A-Za-z_.]*$")


def _info_value(value: Any) -> str | None:
    if isinstance(value, (float, np.floating)):
        return None if not np.isfinite(value) else f"{value:.6g}"
    return None if pd.isna(value) else str(value)


def write_vcf(path: PathLike, variants: pd.DataFrame, info: pd.DataFrame | None = None) -> Path:
    """Write variants as a VCF 4.2 file, one record per row, with the columns of ``info`` added to INFO.

    Parameters
    ----------
    path
        The file to write (gzip-compressed when the name ends in ``.gz``).
    variants
        A table like :func:`read_vcf` gives (``chrom, pos, ref, alt``; ``id, qual, filter, info`` when present),
        e.g. ``VariantWindows.variants``. Rows of a split multi-allelic record are written as one record each.
    info
        Values to add, one column per INFO key (a VCF key: letters, digits, ``_`` and ``.``), rows aligned with
        ``variants`` by position. Numbers are written with 6 significant digits; NaN and None leave the key out of
        that record. Each key gets a ``##INFO`` header line (Number=1, Type Float, Integer or String).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> table = pd.DataFrame({"chrom": ["chr1"], "pos": [5], "ref": ["A"], "alt": ["G"]})
    >>> lines = write_vcf("scored.vcf", table, pd.DataFrame({"effect": [0.25]})).read_text().splitlines()
    >>> lines[-1].split("\\t")
    ['chr1', '5', '.', 'A', 'G', '.', '.', 'effect=0.25']
    """
    if not isinstance(variants, pd.DataFrame):
        raise TypeError(f"variants must be a DataFrame of variants; got {describe(variants)}")
    missing = [c for c in ("chrom", "pos", "ref", "alt") if c not in variants]
    if missing:
        raise ValueError(f"variants must have the columns chrom, pos, ref, alt; it lacks {missing}")
    info = pd.DataFrame(index=range(len(variants))) if info is None else info
    if not isinstance(info, pd.DataFrame) or len(info) != len(variants):
        raise ValueError(f"info must be a DataFrame with one row per variant ({len(variants)}); got {describe(info)}")
    for key in info.columns:
        if not isinstance(key, str) or not _INFO_KEY.match(key):
            raise ValueError(
                f"info column {key!r} is not a VCF INFO key (letters, digits, '_' and '.'; no digit first)"
            )
    header = ["##fileformat=VCFv4.2", "##source=eugene"]
    for key in info.columns:
        kind = info[key].dtype.kind
        vcf_type = "Integer" if kind in "iu" else "Float" if kind == "f" else "String"
        header.append(f'##INFO=<ID={key},Number=1,Type={vcf_type},Description="added by eugene">')
    header.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    table = variants.reset_index(drop=True)
    lines = []
    for i, row in enumerate(table.itertuples(index=False)):
        added = [(key, _info_value(value)) for key, value in zip(info.columns, info.iloc[i].tolist())]
        old = str(getattr(row, "info", "."))
        fields = ([old] if old not in (".", "", "nan") else []) + [f"{k}={v}" for k, v in added if v is not None]
        lines.append(
            "\t".join(
                [
                    str(row.chrom),
                    str(row.pos),
                    str(getattr(row, "id", ".")),
                    str(row.ref),
                    str(row.alt),
                    str(getattr(row, "qual", ".")),
                    str(getattr(row, "filter", ".")),
                    ";".join(fields) or ".",
                ]
            )
        )
    path = Path(path)
    with gzip.open(path, "wt") if path.suffix == ".gz" else open(path, "w") as handle:
        handle.write("\n".join(header + lines) + "\n")
    return path


_SCORE_COLUMNS = ("target", "ref_pred", "alt_pred", "diff", "log2_fc")


def variant_intervals(table: pd.DataFrame, score: str = "diff") -> pd.DataFrame:
    """Scored variants as genome intervals, ready for :func:`eugene.genome.write_bed` (BED6+N).

    Each variant (a row of ``eu.interpret.variant_effect(..., genome=...)``'s table, or any table with ``chrom, pos``
    1-based, ``ref, alt``) becomes the interval of its REF allele, ``[pos - 1, pos - 1 + len(ref))``, named by its
    ``id`` (or ``chrom:pos:ref>alt`` where the id is ``.`` or missing; ``:alt`` is added where one id names several
    ALT alleles, as a split multi-allelic record does), with the ``score`` column as BED score, strand ``.``, then
    the score columns the table has (``target, ref_pred, alt_pred, diff, log2_fc``). Each variant is scored in its
    own window, so nothing is merged: a variant scored for several targets gives one interval per target; variants
    skipped for a REF mismatch (NaN score) are left out.

    Parameters
    ----------
    table
        Scored variants.
    score
        The column written as BED score (default ``diff``, alt - ref).

    Returns
    -------
    pandas.DataFrame
        ``chrom, start, end, name, score, strand`` and the score columns.

    Examples
    --------
    >>> scored = pd.DataFrame({"chrom": ["chr1"], "pos": [5], "id": ["rs1"], "ref": ["AC"], "alt": ["A"],
    ...                        "diff": [0.5]})
    >>> variant_intervals(scored).values.tolist()
    [['chr1', 4, 6, 'rs1', 0.5, '.', 0.5]]
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a DataFrame of scored variants; got {describe(table)}")
    missing = [c for c in ("chrom", "pos", "ref", "alt", score) if c not in table]
    if missing:
        raise ValueError(f"table must have the columns chrom, pos, ref, alt and {score!r}; it lacks {missing}")
    table = table[table[score].notna()].reset_index(drop=True)
    start = table["pos"].to_numpy(dtype=np.int64) - 1
    ids = table["id"].astype(str) if "id" in table else pd.Series(".", index=table.index)
    label = table["chrom"].astype(str) + ":" + table["pos"].astype(str) + ":" + table["ref"] + ">" + table["alt"]
    names = ids.where(~ids.isin([".", "", "nan", "None"]), label)
    several = table.groupby(names.to_numpy())["alt"].transform("nunique") > 1
    names = names.where(~several | names.eq(label), names + ":" + table["alt"])
    out = pd.DataFrame(
        {
            "chrom": table["chrom"].astype(str),
            "start": start,
            "end": start + table["ref"].astype(str).str.len().to_numpy(),
            "name": names,
            "score": table[score].to_numpy(dtype=np.float64),
            "strand": ".",
        }
    )
    for column in _SCORE_COLUMNS:
        if column in table:
            out[column] = table[column].to_numpy()
    return out
