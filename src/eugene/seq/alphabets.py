"""Alphabets: the ordered letters that name the channels of a one-hot array, their complements and ambiguity codes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

_WATSON_CRICK = {"A": "T", "T": "A", "C": "G", "G": "C", "U": "A"}

# IUPAC nucleotide ambiguity codes (Cornish-Bowden 1985, Nucleic Acids Res 13:3021) over DNA letters.
_IUPAC_DNA = {
    "N": "ACGT",
    "R": "AG",
    "Y": "CT",
    "S": "CG",
    "W": "AT",
    "K": "GT",
    "M": "AC",
    "B": "CGT",
    "D": "AGT",
    "H": "ACT",
    "V": "ACG",
}
_IUPAC_COMPLEMENT = dict(zip("NRYSWKMBDHV", "NYRSWMKVHDB", strict=True))

_AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"
_PROTEIN_AMBIGUOUS = {"X": _AMINO_ACIDS, "B": "DN", "Z": "EQ", "J": "IL"}


@dataclass(frozen=True)
class Alphabet:
    """An ordered set of letters; letter ``i`` is channel ``i`` of a one-hot array.

    Parameters
    ----------
    name
        Short name shown in messages, e.g. ``"DNA"``.
    letters
        The channel letters in order (upper case, distinct), e.g. ``"ACGT"``.
    complement
        The complement of each letter, in the same order (``"TGCA"`` for DNA), or None when the alphabet has none.
    ambiguous
        Ambiguity codes and the letters each one stands for, e.g. ``{"N": "ACGT", "R": "AG"}``.
    aliases
        Letters read as another letter of the alphabet, e.g. ``{"U": "T"}`` so that RNA text encodes for DNA models.
    unknown
        The letter :func:`eugene.seq.decode` writes for a column that is not a single letter (``"N"``; ``"X"`` for
        protein).

    Examples
    --------
    >>> Alphabet("DNA", "ACGT", complement="TGCA").size
    4
    """

    name: str
    letters: str
    complement: str | None = None
    ambiguous: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, str] = field(default_factory=dict)
    unknown: str = "N"

    def __post_init__(self) -> None:
        if not isinstance(self.letters, str) or len(self.letters) < 2 or len(set(self.letters)) != len(self.letters):
            raise ValueError(f"letters must be a string of at least 2 distinct letters; got {self.letters!r}")
        if self.complement is not None and (
            len(self.complement) != len(self.letters) or set(self.complement) != set(self.letters)
        ):
            raise ValueError(
                f"complement must be a reordering of letters {self.letters!r} (one complement per letter); "
                f"got {self.complement!r}"
            )
        known = set(self.letters)
        for code, meaning in self.ambiguous.items():
            if code in known or not set(meaning) <= known:
                raise ValueError(
                    f"ambiguous code {code!r} must not be a letter and must stand for letters of {self.letters!r}; "
                    f"got {code!r} -> {meaning!r}"
                )
        for alias, target in self.aliases.items():
            if alias in known or target not in known:
                raise ValueError(
                    f"alias {alias!r} must map a non-letter to a letter of {self.letters!r}; got {target!r}"
                )
        object.__setattr__(self, "ambiguous", MappingProxyType(dict(self.ambiguous)))
        object.__setattr__(self, "aliases", MappingProxyType(dict(self.aliases)))

    def __hash__(self) -> int:
        return hash(
            (self.name, self.letters, self.complement, tuple(self.ambiguous.items()), tuple(self.aliases.items()))
        )

    def __len__(self) -> int:
        return len(self.letters)

    @property
    def size(self) -> int:
        """Number of channels ``A``."""
        return len(self.letters)

    def complement_indices(self) -> list[int]:
        """Channel permutation ``p`` such that channel ``p[i]`` holds the complement of letter ``i``.

        Raises ValueError when the alphabet has no complement (e.g. protein).
        """
        if self.complement is None:
            raise ValueError(
                f"alphabet {self.name} has no complement; reverse complement needs DNA, RNA or a custom "
                "alphabet made with complement="
            )
        return [self.letters.index(c) for c in self.complement]


def _nucleotide(name: str, letters: str, t: str) -> Alphabet:
    """DNA (t="T") or RNA (t="U") with IUPAC codes; the other of T/U is an alias."""
    other = "U" if t == "T" else "T"
    ambiguous = {code: meaning.replace("T", t) for code, meaning in _IUPAC_DNA.items()}
    complement = "".join(_WATSON_CRICK[x] for x in letters).replace("T", t)
    return Alphabet(name, letters, complement=complement, ambiguous=ambiguous, aliases={other: t})


DNA = _nucleotide("DNA", "ACGT", "T")
RNA = _nucleotide("RNA", "ACGU", "U")
PROTEIN = Alphabet("protein", _AMINO_ACIDS, ambiguous=_PROTEIN_AMBIGUOUS, unknown="X")

_BY_NAME = {"dna": DNA, "rna": RNA, "protein": PROTEIN}


def get_alphabet(alphabet: str | Alphabet | None, *, size: int | None = None) -> Alphabet:
    """Resolve an ``alphabet`` argument: a name, the letters, an :class:`Alphabet`, or None for the default.

    This is the one place an ``alphabet`` argument of eugene becomes an :class:`Alphabet`. Names (case-insensitive):
    ``"DNA"``, ``"RNA"``, ``"protein"``. Any other string is read (upper-cased) as the ordered channel letters of a
    custom alphabet: a reordering of ACGT (or ACGU) keeps complements, IUPAC codes and the U/T alias; other letters
    give an alphabet without complement or ambiguity codes.

    Parameters
    ----------
    alphabet
        The alphabet as given; None means DNA, or with ``size`` the alphabet of that many channels (4: DNA,
        20: protein).
    size
        The number of channels of the data (``A`` of an (N, A, L) array): the alphabet must have that many letters.

    Examples
    --------
    >>> get_alphabet("dna").letters
    'ACGT'
    >>> get_alphabet("TGCA").complement
    'ACGT'
    >>> get_alphabet(None, size=20).name
    'protein'
    """
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 1):
        raise ValueError(f"size must be a positive integer or None; got {size!r}")
    if alphabet is None:
        defaults = {4: DNA, 20: PROTEIN}
        if size is not None and size not in defaults:
            raise ValueError(
                f"alphabet must be given for data with {size} channels (the default is DNA for 4, protein for 20)"
            )
        return defaults[size or 4]
    resolved = _resolve(alphabet)
    if size is not None and resolved.size != size:
        raise ValueError(
            f"alphabet must have {size} letters, one per channel of the data; got {resolved.name} "
            f"({resolved.letters!r}, {resolved.size} letters)"
        )
    return resolved


def _resolve(alphabet: str | Alphabet) -> Alphabet:
    if isinstance(alphabet, Alphabet):
        return alphabet
    if not isinstance(alphabet, str):
        raise TypeError(
            "alphabet must be 'DNA', 'RNA', 'protein', a string of letters or an Alphabet; "
            f"got {type(alphabet).__name__}"
        )
    if alphabet.lower() in _BY_NAME:
        return _BY_NAME[alphabet.lower()]
    letters = alphabet.upper()
    if letters == PROTEIN.letters:
        return PROTEIN
    for base in (DNA, RNA):
        if sorted(letters) == sorted(base.letters):
            if letters == base.letters:
                return base
            complement = "".join(_WATSON_CRICK[x] for x in letters).replace("T", base.letters[-1])
            return Alphabet(letters, letters, complement, base.ambiguous, base.aliases)
    return Alphabet(letters, letters)


def complement_table(alphabet: Alphabet) -> dict[int, str]:
    """``str.translate`` table complementing letters, aliases and ambiguity codes, upper and lower case.

    Aliases complement like the letter they stand for (with alphabet DNA, U -> A).
    """
    if alphabet.complement is None:
        alphabet.complement_indices()  # raises the explanatory error
    mapping = dict(zip(alphabet.letters, alphabet.complement, strict=True))
    for alias, target in alphabet.aliases.items():
        mapping[alias] = mapping[target]
    if set(alphabet.ambiguous) <= set(_IUPAC_COMPLEMENT):
        mapping.update({code: _IUPAC_COMPLEMENT[code] for code in alphabet.ambiguous})
    table = {}
    for src, dst in mapping.items():
        table[ord(src)] = dst
        table[ord(src.lower())] = dst.lower()
    return table
