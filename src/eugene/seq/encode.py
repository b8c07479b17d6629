"""Text <-> one-hot: ``one_hot``, ``decode``, ``reverse_complement``, ``to_rna`` / ``to_dna``."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Literal, TypeVar

import numpy as np

from eugene._validate import check_onehot, check_positive_int, describe
from eugene.seq.alphabets import Alphabet, complement_table, get_alphabet

OnAmbiguous = Literal["zero", "uniform", "error"]
Pad = Literal["right", "left", "center"]
ArrayT = TypeVar("ArrayT")

_PAD_CODE = 256  # one past the byte range: marks padding in the code array


@lru_cache(maxsize=32)
def _encoding_table(alphabet: Alphabet, on_ambiguous: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows ``(257, A)`` giving the column for each byte (row 256 = padding) and a ``(257,)`` validity mask."""
    rows = np.zeros((_PAD_CODE + 1, alphabet.size), dtype=np.float32)
    valid = np.zeros(_PAD_CODE + 1, dtype=bool)
    valid[_PAD_CODE] = True
    meanings = {letter: letter for letter in alphabet.letters}
    meanings.update(alphabet.aliases)
    if on_ambiguous != "error":
        meanings.update(alphabet.ambiguous)
    for char, meaning in meanings.items():
        row = np.zeros(alphabet.size, dtype=np.float32)
        if len(meaning) == 1 or on_ambiguous == "uniform":
            row[[alphabet.letters.index(x) for x in meaning]] = 1.0 / len(meaning)
        for variant in {char, char.lower()}:
            if variant == char or variant not in meanings:
                rows[ord(variant)] = row
                valid[ord(variant)] = True
    return rows, valid


def _as_string_list(seqs: Any, name: str = "seqs") -> list[str]:
    if isinstance(seqs, str):
        return [seqs]
    if isinstance(seqs, (bytes, bytearray)) or not isinstance(seqs, Iterable) or hasattr(seqs, "detach"):
        raise TypeError(f"{name} must be a string or a sequence of strings; got {describe(seqs)}")
    out = list(seqs)
    for i, s in enumerate(out):
        if not isinstance(s, str):
            raise TypeError(f"{name}[{i}] must be a string; got {describe(s)}")
    return out


def _codes(seqs: list[str], pad: str | None, length: int | None) -> np.ndarray:
    """Byte codes ``(N, L)`` (non-ASCII characters become '?', which no alphabet accepts), padded with _PAD_CODE."""
    lengths = [len(s) for s in seqs]
    longest = max(lengths, default=0)
    if pad is None:
        for i, n in enumerate(lengths):
            if n != lengths[0]:
                raise ValueError(
                    f"seqs must all have the same length; seqs[0] has length {lengths[0]} and seqs[{i}] has length "
                    f"{n}; pass pad='right' (or 'left', 'center') to pad with zero columns"
                )
            if length is not None and n != length:
                raise ValueError(f"seqs[{i}] has length {n}, not length={length}; pass pad='right' to pad shorter ones")
        data = "".join(seqs).encode("ascii", errors="replace")
        return np.frombuffer(data, dtype=np.uint8).reshape(len(seqs), lengths[0] if seqs else (length or 0))
    if pad not in ("right", "left", "center"):
        raise ValueError(f"pad must be None, 'right', 'left' or 'center'; got {pad!r}")
    target = longest if length is None else length
    if target < longest:
        i = lengths.index(longest)
        raise ValueError(f"length={length} is shorter than seqs[{i}] (length {longest}); trim the sequences first")
    codes = np.full((len(seqs), target), _PAD_CODE, dtype=np.uint16)
    for i, s in enumerate(seqs):
        start = {"right": 0, "left": target - len(s), "center": (target - len(s)) // 2}[pad]
        codes[i, start : start + len(s)] = np.frombuffer(s.encode("ascii", errors="replace"), dtype=np.uint8)
    return codes


def one_hot(
    seqs: str | Iterable[str],
    alphabet: str | Alphabet = "DNA",
    *,
    on_ambiguous: OnAmbiguous = "zero",
    pad: Pad | None = None,
    length: int | None = None,
) -> np.ndarray:
    """One-hot encode sequences as a float32 array of shape ``(N, A, L)`` (channels first).

    Lower case is read as upper case. Aliases are read as their letter: with alphabet DNA, ``U`` encodes as ``T``;
    with RNA, ``T`` encodes as ``U`` (so RNA text feeds DNA models and back; channel order ACGT/ACGU is the same).

    Parameters
    ----------
    seqs
        A string (gives N = 1) or a sequence of strings.
    alphabet
        ``"DNA"`` (default), ``"RNA"``, ``"protein"``, a string of letters, or an :class:`Alphabet`.
    on_ambiguous
        What an ambiguity code (``N`` and the IUPAC codes for DNA/RNA; ``X``, ``B``, ``Z``, ``J`` for protein) becomes:
        ``"zero"`` an all-zero column (default); ``"uniform"`` the letters the code stands for, each ``1/k`` (so ``N``
        is ``1/4`` everywhere and ``R`` is ``1/2`` on A and G); ``"error"`` a ValueError. Characters that are neither
        letters, aliases nor ambiguity codes always raise ValueError.
    pad
        None (default): all sequences must have the same length. ``"right"`` / ``"left"`` / ``"center"``: pad with
        zero columns to ``length`` (default: the longest); ``"center"`` puts the extra odd column on the right.
    length
        Target length L; with ``pad=None`` every sequence must have exactly this length.

    Returns
    -------
    numpy.ndarray
        float32, shape ``(N, A, L)``.

    Examples
    --------
    >>> one_hot(["ACGT", "acgN"]).shape
    (2, 4, 4)
    >>> one_hot("AN", on_ambiguous="uniform")[0, :, 1]
    array([0.25, 0.25, 0.25, 0.25], dtype=float32)
    """
    alpha = get_alphabet(alphabet)
    if on_ambiguous not in ("zero", "uniform", "error"):
        raise ValueError(f"on_ambiguous must be 'zero', 'uniform' or 'error'; got {on_ambiguous!r}")
    length = check_positive_int(length, "length", allow_none=True)
    strings = _as_string_list(seqs)
    codes = _codes(strings, pad, length)
    rows, valid = _encoding_table(alpha, on_ambiguous)
    bad = ~valid[codes]
    if bad.any():
        i, j = (int(v[0]) for v in np.nonzero(bad))
        position = j - int(np.argmax(codes[i] != _PAD_CODE))  # padding may come first
        char = strings[i][position]
        hint = ""
        if char.upper() in alpha.ambiguous:
            hint = "; it is an ambiguity code: pass on_ambiguous='zero' or 'uniform' to encode it"
        raise ValueError(
            f"seqs[{i}] has {char!r} at position {position}, which is not a letter of alphabet {alpha.name} "
            f"({alpha.letters}){hint}"
        )
    return np.ascontiguousarray(rows[codes].transpose(0, 2, 1))


def _onehot_numpy(X: Any, alphabet: Alphabet | None, name: str = "X") -> np.ndarray:
    """Check ``X`` is ``(N, A, L)`` (A from ``alphabet`` if given) without the not-one-hot warning; return numpy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if alphabet is None:
            check_onehot(X, name)
        else:
            check_onehot(X, name, alphabet_size=alphabet.size, alphabet_name=alphabet.name)
    return X.detach().cpu().numpy() if hasattr(X, "detach") else np.asarray(X)


def decode(X: Any, alphabet: str | Alphabet = "DNA") -> list[str]:
    """Turn a one-hot array ``(N, A, L)`` (numpy or torch) back into strings.

    Each column becomes the letter of its largest value when that value is positive and unique; all-zero columns (and
    ties, e.g. a uniform ambiguous column) become the alphabet's unknown letter (``"N"``; ``"X"`` for protein).

    Examples
    --------
    >>> decode(one_hot(["ACGTN"]))
    ['ACGTN']
    """
    alpha = get_alphabet(alphabet)
    values = _onehot_numpy(X, alpha)
    top = values.max(axis=1)
    index = values.argmax(axis=1)
    unclear = (top <= 0) | ((values == top[:, None, :]).sum(axis=1) > 1)
    index[unclear] = alpha.size
    letters = np.frombuffer((alpha.letters + alpha.unknown).encode("ascii"), dtype=np.uint8)
    return [row.tobytes().decode("ascii") for row in letters[index]]


def reverse_complement(x: ArrayT, alphabet: str | Alphabet = "DNA") -> ArrayT:
    """Reverse complement strings or one-hot arrays.

    Strings (a ``str`` or a list of them) keep case; ambiguity codes map to their IUPAC complement (``R`` <-> ``Y``,
    ``N`` -> ``N``) and aliases complement like their letter (with DNA, ``U`` -> ``A``). Arrays (numpy or torch) of
    shape ``(..., A, L)`` have their channels permuted to the complement and the last axis reversed; the result is the
    same kind, dtype and device.

    Examples
    --------
    >>> reverse_complement("AACGn")
    'nCGTT'
    >>> reverse_complement(one_hot("AAC")).shape
    (1, 4, 3)
    """
    alpha = get_alphabet(alphabet)
    if isinstance(x, str):
        return x.translate(complement_table(alpha))[::-1]
    shape = getattr(x, "shape", None)
    if shape is None:
        table = complement_table(alpha)
        return [s.translate(table)[::-1] for s in _as_string_list(x, "x")]
    if len(shape) < 2 or shape[-2] != alpha.size:
        hint = "; did you mean x.transpose(-1, -2)?" if len(shape) >= 2 and shape[-1] == alpha.size else ""
        raise ValueError(
            f"x must be a string, a list of strings, or an array of shape (..., A, L) with A={alpha.size} for "
            f"alphabet {alpha.name}; got {tuple(shape)}{hint}"
        )
    perm = alpha.complement_indices()
    if hasattr(x, "flip"):
        return x[..., perm, :].flip(-1)
    return np.ascontiguousarray(np.asarray(x)[..., perm, ::-1])


def _swap(seqs: str | Iterable[str], src: str, dst: str) -> str | list[str]:
    table = str.maketrans(src + src.lower(), dst + dst.lower())
    if isinstance(seqs, str):
        return seqs.translate(table)
    return [s.translate(table) for s in _as_string_list(seqs)]


def to_rna(seqs: str | Iterable[str]) -> str | list[str]:
    """Replace T with U (case kept) in a string or list of strings.

    One-hot arrays need no conversion: DNA (ACGT) and RNA (ACGU) channels are in the same order.

    Examples
    --------
    >>> to_rna("ACGTt")
    'ACGUu'
    """
    return _swap(seqs, "T", "U")


def to_dna(seqs: str | Iterable[str]) -> str | list[str]:
    """Replace U with T (case kept) in a string or list of strings.

    Examples
    --------
    >>> to_dna(["ACGU"])
    ['ACGT']
    """
    return _swap(seqs, "U", "T")
