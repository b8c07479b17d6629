"""k-mer preserving shuffles of one-hot arrays and strings, e.g. references for DeepLIFT.

``kmer_shuffle`` draws, for each sequence, sequences with exactly the same k-mer counts and the same first k-1 letters
(hence the same last k-1 letters), uniformly among all such sequences. It is the Eulerian-path method of Altschul &
Erickson (1985, Mol Biol Evol 2:526) generalised to k-mers as in uShuffle (Jiang et al. 2008, BMC Bioinformatics
9:192): the sequence is a path through the graph whose vertices are its (k-1)-mers and whose edges are its k-mers; a
random Eulerian path with the same first vertex is a random sequence with the same k-mer counts. Altschul & Erickson
pick the last exit edge of every vertex at random and retry until those edges form a tree towards the final vertex;
here the tree is drawn directly with Wilson's loop-erased random walk (Wilson 1996, STOC), which gives the same
distribution without retries. ``k=2`` is the classic dinucleotide shuffle; ``k=1`` a plain permutation.

The hot loop is one numba kernel, a pure function of integer arrays (about 15 ns per output position), compiled once
and cached; each sequence has its own random stream derived from ``seed``. It runs on one thread on purpose: numba's
thread pools are not fork-safe (DataLoader workers) and the one-hot expansion costs as much as the shuffle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from eugene._jit import kernel
from eugene._validate import as_generator, check_positive_int, describe
from eugene.seq.encode import _onehot_numpy

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@kernel()
def _randint(state: np.ndarray, n: int) -> int:
    """Uniform integer in [0, n) from a splitmix64 stream kept in ``state[0]`` (Steele et al. 2014)."""
    state[0] += _GOLDEN
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z = z ^ (z >> np.uint64(31))
    return int((z >> np.uint64(11)) * _TO_UNIT * n)


@kernel()
def _shuffle_one(s: np.ndarray, k: int, n_symbols: int, seed: np.uint64, out: np.ndarray) -> None:
    """Write ``out.shape[0]`` k-mer shuffles of the symbol sequence ``s`` (L,) into ``out`` (n, L)."""
    length = s.shape[0]
    n_edges = length - k + 1
    if n_edges <= 1:
        for r in range(out.shape[0]):  # loops, not row copies: no compiled shape-mismatch error path
            for i in range(length):
                out[r, i] = s[i]
        return
    n_nodes = n_edges + 1
    # vertex of each position: the (k-1)-mer starting there, as a base-n_symbols number, relabelled 0..V-1
    raw = np.zeros(n_nodes, dtype=np.int64)
    for i in range(n_nodes):
        for j in range(k - 1):
            raw[i] = raw[i] * n_symbols + s[i + j]
    order = np.argsort(raw, kind="mergesort")
    node = np.empty(n_nodes, dtype=np.int64)
    n_vertices = 0
    for t in range(n_nodes):
        if t > 0 and raw[order[t]] != raw[order[t - 1]]:
            n_vertices += 1
        node[order[t]] = n_vertices
    n_vertices += 1
    # edges grouped by source vertex: edge i goes node[i] -> node[i + 1] and emits s[i + k - 1]
    degree = np.zeros(n_vertices, dtype=np.int64)
    for i in range(n_edges):
        degree[node[i]] += 1
    offset = np.zeros(n_vertices + 1, dtype=np.int64)
    for v in range(n_vertices):
        offset[v + 1] = offset[v] + degree[v]
    edges = np.empty(n_edges, dtype=np.int64)
    fill = offset[:-1].copy()
    for i in range(n_edges):
        edges[fill[node[i]]] = i
        fill[node[i]] += 1
    first, last = node[0], node[n_nodes - 1]

    state = np.empty(1, dtype=np.uint64)
    state[0] = seed
    in_tree = np.empty(n_vertices, dtype=np.bool_)
    exit_choice = np.zeros(n_vertices, dtype=np.int64)
    used = np.empty(n_vertices, dtype=np.int64)
    work = np.empty(n_edges, dtype=np.int64)
    for r in range(out.shape[0]):
        # last exit edges: a random spanning tree towards `last` (Wilson's algorithm; weights = edge multiplicities)
        in_tree[:] = False
        in_tree[last] = True
        for v in range(n_vertices):
            u = v
            while not in_tree[u]:
                exit_choice[u] = _randint(state, degree[u])
                u = node[edges[offset[u] + exit_choice[u]] + 1]
            u = v
            while not in_tree[u]:
                in_tree[u] = True
                u = node[edges[offset[u] + exit_choice[u]] + 1]
        # every other edge of a vertex in random order, its tree edge last
        for i in range(n_edges):
            work[i] = edges[i]
        for v in range(n_vertices):
            lo, hi = offset[v], offset[v + 1]
            if v != last:
                chosen = lo + exit_choice[v]
                work[chosen], work[hi - 1] = work[hi - 1], work[chosen]
                hi -= 1
            for t in range(hi - lo - 1, 0, -1):
                j = _randint(state, t + 1)
                work[lo + t], work[lo + j] = work[lo + j], work[lo + t]
        # walk the Eulerian path from the first vertex
        used[:] = 0
        for j in range(k - 1):
            out[r, j] = s[j]
        u = first
        for t in range(n_edges):
            e = work[offset[u] + used[u]]
            used[u] += 1
            out[r, k - 1 + t] = s[e + k - 1]
            u = node[e + 1]


@kernel()
def _shuffle_batch(symbols: np.ndarray, k: int, n: int, n_symbols: int, seeds: np.ndarray) -> np.ndarray:
    """``n`` k-mer shuffles of each row of ``symbols`` (N, L) -> (N, n, L)."""
    out = np.empty((symbols.shape[0], n, symbols.shape[1]), dtype=symbols.dtype)
    for b in range(symbols.shape[0]):
        _shuffle_one(symbols[b], k, n_symbols, seeds[b], out[b])
    return out


def _seeds(seed: int | np.random.Generator | None, count: int) -> np.ndarray:
    return as_generator(seed).integers(0, 2**63, size=count, dtype=np.uint64)


def _check_k(k: Any, n_symbols: int) -> int:
    k = check_positive_int(k, "k")
    if float(n_symbols) ** (k - 1) >= 2.0**62:
        raise ValueError(f"k must be small enough that {n_symbols}**(k-1) fits in 62 bits; got k={k}")
    return k


def _shuffle_strings(seqs: str | list[str], k: int, n: int, seed: Any) -> list[str] | list[list[str]]:
    strings = [seqs] if isinstance(seqs, str) else list(seqs)
    for i, s in enumerate(strings):
        if not isinstance(s, str):
            raise TypeError(f"X[{i}] must be a string; got {describe(s)}")
    seeds = _seeds(seed, len(strings))
    result = []
    for s, one_seed in zip(strings, seeds, strict=True):
        letters, symbols = np.unique(np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32), return_inverse=True)
        k_checked = _check_k(k, len(letters))
        shuffled = _shuffle_batch(symbols.astype(np.int64)[None], k_checked, n, len(letters), one_seed[None])[0]
        result.append([letters[row].tobytes().decode("utf-32-le") for row in shuffled])
    return result[0] if isinstance(seqs, str) else result


def kmer_shuffle(X: Any, k: int, n: int = 1, seed: int | np.random.Generator | None = 0) -> Any:
    """Shuffle sequences keeping their k-mer counts, and first and last k-1 letters, exactly.

    Parameters
    ----------
    X
        One-hot ``(N, A, L)``, numpy or torch. All-zero columns (``N``, padding) are shuffled as one more letter, so
        k-mers that include them are kept too and an all-``N`` sequence stays all ``N``. Columns must be one-hot or
        all zero. Also accepts a string (returns a list of ``n`` strings) or a list of strings (returns one such list
        per string); strings are shuffled character by character, case and any letters kept.
    k
        Length of the k-mers kept: 1 permutes, 2 keeps dinucleotides, 3 trinucleotides, ...
    n
        Number of shuffles per sequence.
    seed
        int (default 0), numpy Generator (drawn from, as is), or None for fresh randomness. The same seed and input
        give the same result.

    Returns
    -------
    Same kind, dtype and device as ``X``, shape ``(N, n, A, L)``.

    Examples
    --------
    >>> from eugene.seq import one_hot
    >>> kmer_shuffle(one_hot(["ACGTTGCA"]), k=3, n=5, seed=0).shape
    (1, 5, 4, 8)
    """
    n = check_positive_int(n, "n")
    if isinstance(X, str) or (isinstance(X, (list, tuple)) and all(isinstance(s, str) for s in X)):
        return _shuffle_strings(X, k, n, seed)
    values = _onehot_numpy(X, None)
    is_binary = (values == 0) | (values == 1)
    column_sums = values.sum(axis=1)
    if not is_binary.all() or (column_sums > 1).any():
        got = "values other than 0 and 1" if not is_binary.all() else "columns with more than one 1"
        transposed = is_binary.all() and (values.sum(axis=2) <= 1).all()
        hint = f"; did you mean X.transpose(1, 2)? (shape {values.shape})" if transposed else ""
        raise ValueError(
            f"X must be one-hot (N, A, L) to be shuffled: a single 1 or all zeros per column; got {got}{hint}"
        )
    n_letters = values.shape[1]
    k = _check_k(k, n_letters + 1)
    symbols = np.where(column_sums > 0, values.argmax(axis=1), n_letters).astype(
        np.int8 if n_letters < 127 else np.int64
    )
    shuffled = _shuffle_batch(symbols, k, n, n_letters + 1, _seeds(seed, values.shape[0]))
    out = np.empty((*shuffled.shape[:2], n_letters, shuffled.shape[2]), dtype=values.dtype)
    for letter in range(n_letters):  # the extra symbol matches no letter: an all-zero column
        np.equal(shuffled, letter, out=out[:, :, letter, :])
    if hasattr(X, "detach"):
        import torch

        return torch.from_numpy(out).to(device=X.device, dtype=X.dtype)
    return out


def dinucleotide_shuffle(X: Any, n: int = 1, seed: int | np.random.Generator | None = 0) -> Any:
    """Shuffle keeping dinucleotide counts exactly (Altschul & Erickson 1985): ``kmer_shuffle`` with ``k=2``.

    ``X`` is one-hot ``(N, A, L)`` (numpy or torch; returns ``(N, n, A, L)`` of the same kind), a string or a list
    of strings; see :func:`kmer_shuffle`.

    Examples
    --------
    >>> from eugene.seq import one_hot
    >>> dinucleotide_shuffle(one_hot(["ACGTTGCAAC"]), n=10, seed=1).shape
    (1, 10, 4, 10)
    """
    return kmer_shuffle(X, 2, n=n, seed=seed)


def shuffle(X: Any, n: int = 1, seed: int | np.random.Generator | None = 0) -> Any:
    """Uniformly permute the positions of each sequence (letter counts kept): ``kmer_shuffle`` with ``k=1``.

    Examples
    --------
    >>> from eugene.seq import one_hot
    >>> shuffle(one_hot(["AACG"]), n=3, seed=0).sum(axis=-1)[0, 0]
    array([2., 1., 1., 0.], dtype=float32)
    """
    return kmer_shuffle(X, 1, n=n, seed=seed)
