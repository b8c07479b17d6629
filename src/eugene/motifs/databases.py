"""Motif databases available offline: JASPAR through pyjaspar's bundled SQLite releases.

JASPAR: Rauluseviciute et al. 2024, Nucleic Acids Res 52:D174 (JASPAR 2024).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eugene.motifs.motif import Motif, MotifSet

__all__ = ["jaspar"]


def jaspar(
    release: int = 2024,
    collection: str | Sequence[str] = "CORE",
    tax_group: str | Sequence[str] | None = "vertebrates",
    all_versions: bool = False,
) -> MotifSet:
    """JASPAR count matrices from the database bundled with pyjaspar (no network access).

    Parameters
    ----------
    release
        JASPAR release year (2014 ... 2024, and any later one pyjaspar bundles).
    collection
        JASPAR collection(s), e.g. "CORE", "UNVALIDATED".
    tax_group
        Taxonomic group(s), e.g. "vertebrates", "plants", "insects"; None for all.
    all_versions
        Every version of each matrix instead of the latest only.

    Returns
    -------
    MotifSet
        Motifs named by matrix id (``alt_name`` is the TF name), with counts and nsites.

    Examples
    --------
    >>> motifs = jaspar(2024, "CORE", "vertebrates")  # doctest: +SKIP
    >>> len(motifs)  # doctest: +SKIP
    879
    """
    try:
        import pyjaspar
    except ImportError as err:  # pragma: no cover - pyjaspar is a dependency
        raise ImportError("eu.motifs.jaspar needs pyjaspar (pip install pyjaspar)") from err
    name = f"JASPAR{release}"
    available = sorted(pyjaspar.jaspar_releases)
    if name not in available:
        years = ", ".join(a.removeprefix("JASPAR") for a in available)
        raise ValueError(f"release must be a JASPAR year bundled with pyjaspar ({years}); got {release!r}")
    db = pyjaspar.jaspardb(release=name)
    tax = None if tax_group is None else ([tax_group] if isinstance(tax_group, str) else list(tax_group))
    records = db.fetch_motifs(collection=collection, tax_group=tax, all_versions=all_versions)
    motifs = []
    for rec in records:
        counts = np.array([rec.counts[c] for c in "ACGT"], dtype=np.float64)
        motifs.append(Motif(rec.matrix_id, counts=counts, alt_name=rec.name, source=name))
    return MotifSet(motifs, name=f"{name} {collection} {tax_group or 'all'}")
