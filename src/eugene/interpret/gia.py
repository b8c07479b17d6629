"""Global importance analysis (GIA): put a feature into many background sequences and measure the mean change.

After Koo, Majdandzic, Ploenzke, Anand & Shi (2021), "Global importance analysis: an interpretability method to
quantify importance of genomic features in deep neural networks", PLoS Comput Biol 17:e1008925. For backgrounds
``b_1..b_N`` (see :mod:`eugene.interpret.backgrounds`) and an edit ``phi`` (implant a motif, occlude a site), the global
importance is ``mean_i f(phi(b_i)) - f(b_i)``. Every experiment here works on the model's output scale as given: no
log-scale is assumed (cooperativity is the additive interaction ``f(AB) - f(A) - f(B) + f(bg)``).

Each experiment returns ``(effects, table)``: a numpy array of per-background effects and a tidy pandas DataFrame of
summaries, ready for :mod:`eugene.plot.perturbation`. Each takes ``seed`` (for the instances sampled from a PPM and
the random bases of occlusion; default 0, so the same call gives the same numbers; an int, a numpy Generator, or
None for fresh randomness) and ``verbose`` (a progress bar on stderr; None, the default: on unless
``eugene.settings.verbose`` is switched off).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn

from .._validate import as_generator, check_positive_int, describe
from ..motifs import scan
from ..seq import get_alphabet, one_hot, reverse_complement, sample_onehot
from ._engine import Run, Target, as_tensor, like_input

__all__ = ["implant_motif", "gia_implant", "gia_positional", "gia_spacing", "gia_occlusion", "gia_sites"]

MotifLike = Any  # a string, a Motif (PPM), an (A, W) PPM or one-hot array


def _motif_instances(motif: MotifLike, n: int, alphabet_size: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` one-hot instances (n, A, W) of ``motif``: a string is encoded; a PPM (Motif or array) is sampled."""
    if isinstance(motif, str):
        if not motif:
            raise ValueError("motif must be a non-empty string, a Motif or an (A, W) matrix; got ''")
        encoded = one_hot(motif, get_alphabet(None, size=alphabet_size), on_ambiguous="error")
        return np.repeat(encoded, n, axis=0)
    probs = getattr(motif, "probs", motif)
    if isinstance(probs, torch.Tensor):
        probs = probs.detach().cpu().numpy()
    if not isinstance(probs, np.ndarray) or probs.ndim != 2 or probs.shape[0] != alphabet_size:
        raise TypeError(
            f"motif must be a string, a Motif or an (A, W) matrix with A={alphabet_size}; got {describe(motif)}"
        )
    probs = probs.astype(np.float64)
    if np.isin(probs, (0.0, 1.0)).all() and (probs.sum(axis=0) == 1).all():
        return np.repeat(probs[None].astype(np.float32), n, axis=0)
    if not np.isfinite(probs).all() or (probs < 0).any() or (probs.sum(axis=0) <= 0).any():
        raise ValueError(
            "motif as a matrix must be a PPM (finite, non-negative columns with a positive sum) or one-hot; got one "
            f"with {'NaN or inf' if not np.isfinite(probs).all() else 'a negative value or an all-zero column'}"
        )
    return sample_onehot(probs, n, rng)


def _int_list(values: Any, name: str) -> list[int]:
    """``values`` as a list of ints, refusing floats and other non-integers (no silent truncation)."""
    items = list(values)
    for v in items:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must hold integers; got {describe(v)}")
    return [int(v) for v in items]


def _positions(position: Any, n: int, width: int, length: int, name: str = "position") -> np.ndarray:
    given = np.asarray(position)
    if not np.issubdtype(given.dtype, np.integer):
        raise TypeError(f"{name} must be an int or one int per sequence; got {describe(position)}")
    if given.ndim > 1 or given.size not in (1, n):
        raise ValueError(f"{name} must be an int or one int per sequence ({n}); got {given.size} values")
    positions = np.broadcast_to(given.reshape(-1) if given.ndim else given, (n,)).astype(np.int64)
    if (positions < 0).any() or (positions + width > length).any():
        raise ValueError(f"{name} must leave room for the motif (width {width}) in [0, {length}); got {position}")
    return positions


def _implant(X: torch.Tensor, instances: torch.Tensor, positions: np.ndarray) -> torch.Tensor:
    out = X.clone()
    width = instances.shape[2]
    columns = torch.as_tensor(positions)[:, None] + torch.arange(width)
    out[torch.arange(len(X))[:, None], :, columns] = instances.permute(0, 2, 1).to(out.dtype)
    return out


def implant_motif(
    X: Any,
    motif: MotifLike,
    position: int | Sequence[int],
    *,
    strand: str = "+",
    seed: int | np.random.Generator | None = 0,
) -> Any:
    """Copies of ``X`` (N, A, L) with ``motif`` written at ``position`` (one int, or one per sequence).

    ``motif`` is a string (encoded with :func:`eugene.seq.one_hot`), a :class:`eugene.motifs.Motif` or an (A, W)
    PPM (one instance sampled per sequence with ``seed``), or an (A, W) one-hot. ``strand="-"`` implants the reverse
    complement.

    Examples
    --------
    >>> from eugene.seq import one_hot, decode
    >>> decode(implant_motif(one_hot(["AAAAAAAA"]), "CGT", 2))
    ['AACGTAAA']
    """
    Xt = as_tensor(X)
    if strand not in ("+", "-"):
        raise ValueError(f"strand must be '+' or '-'; got {strand!r}")
    instances = _motif_instances(motif, len(Xt), Xt.shape[1], as_generator(seed))
    if strand == "-":
        instances = reverse_complement(instances, get_alphabet(None, size=Xt.shape[1]))
    positions = _positions(position, len(Xt), instances.shape[2], Xt.shape[2])
    return like_input(_implant(Xt, torch.from_numpy(np.ascontiguousarray(instances)), positions), X)


def _predict(run: Run, X: torch.Tensor, desc: str | None = None) -> np.ndarray:
    return run.predict(X, desc=desc).double().cpu().numpy()


def _summary(effects: np.ndarray) -> dict[str, np.ndarray]:
    """Mean (the global importance), standard deviation and standard error over the last axis."""
    n = effects.shape[-1]
    std = effects.std(axis=-1, ddof=1) if n > 1 else np.zeros(effects.shape[:-1])
    return {"importance": effects.mean(axis=-1), "std": std, "sem": std / np.sqrt(n)}


def _setup(
    model: nn.Module,
    backgrounds: Any,
    motif: MotifLike,
    seed: Any,
    target: Target,
    batch_size: int,
    device: Any,
    verbose: bool | None,
) -> tuple[Run, torch.Tensor]:
    """The run over the backgrounds (at least one, at least as long as the motif) and the motif's instances."""
    run = Run(model, backgrounds, target, batch_size=batch_size, device=device, verbose=verbose, name="backgrounds")
    run.X = run.X.cpu()
    if len(run.X) == 0:
        raise ValueError(f"backgrounds must hold at least one sequence; got shape {tuple(run.X.shape)}")
    instances = _motif_instances(motif, len(run.X), run.X.shape[1], as_generator(seed))
    if instances.shape[2] > run.X.shape[2]:
        raise ValueError(
            f"motif of width {instances.shape[2]} is longer than the backgrounds (length {run.X.shape[2]}); "
            "it fits nowhere"
        )
    return run, torch.from_numpy(np.ascontiguousarray(instances))


def _reverse_complement(run: Run, instances: torch.Tensor) -> torch.Tensor:
    return reverse_complement(instances, get_alphabet(None, size=run.X.shape[1]))


def gia_implant(
    model: nn.Module,
    backgrounds: Any,
    motif: MotifLike,
    position: int | None = None,
    *,
    target: Target = 0,
    strand: str = "+",
    batch_size: int = 256,
    device: str | torch.device | None = None,
    seed: int | np.random.Generator | None = 0,
    verbose: bool | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Global importance of a motif: mean of ``f(background with motif) - f(background)`` (Koo et al. 2021).

    Parameters
    ----------
    model, backgrounds
        The model and background sequences (N, A, L), e.g. from :func:`profile_backgrounds`.
    motif
        A string, a :class:`eugene.motifs.Motif` / (A, W) PPM (one instance sampled per background) or one-hot.
    position
        Start of the motif; None centres it.
    target, strand, batch_size, device, seed, verbose
        Output to read, strand of the motif, batching, device, the seed for sampling PPM instances (default 0: the
        same call gives the same numbers; None: fresh randomness) and the progress bar (None: on unless
        ``eugene.settings.verbose`` is off).

    Returns
    -------
    effects
        Per-background effects, shape (N,); their mean is the global importance.
    table
        One row per background: ``background, position, strand, background_pred, implanted_pred, effect``.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> X = eu.interpret.gc_backgrounds(20, 100, seed=0)                # stand-in for your sequences
    >>> effects, table = gia_implant(model, eu.interpret.profile_backgrounds(X, 50, seed=0), "TGACTCA")
    >>> effects.shape                                                     # effects.mean() is the importance
    (50,)
    """
    if strand not in ("+", "-"):
        raise ValueError(f"strand must be '+' or '-'; got {strand!r}")
    run, instances = _setup(model, backgrounds, motif, seed, target, batch_size, device, verbose)
    Xt = run.X
    if strand == "-":
        instances = _reverse_complement(run, instances)
    width = instances.shape[2]
    position = (Xt.shape[2] - width) // 2 if position is None else position
    positions = _positions(position, len(Xt), width, Xt.shape[2])
    with run:
        base = _predict(run, Xt, "backgrounds")
        implanted = _predict(run, _implant(Xt, instances, positions), "implanted")
    effects = implanted - base
    table = pd.DataFrame(
        {
            "background": np.arange(len(Xt)),
            "position": positions,
            "strand": strand,
            "background_pred": base,
            "implanted_pred": implanted,
            "effect": effects,
        }
    )
    return effects, table


def gia_positional(
    model: nn.Module,
    backgrounds: Any,
    motif: MotifLike,
    positions: Sequence[int] | None = None,
    *,
    target: Target = 0,
    step: int = 1,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    seed: int | np.random.Generator | None = 0,
    verbose: bool | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Positional scan: the global importance of ``motif`` implanted at each offset.

    The same motif instance (sampled once per background from a PPM) is used at every position, so only the
    position varies. ``positions`` defaults to every ``step``-th offset where the motif fits.

    Returns
    -------
    effects
        Shape (P, N): effect at each position for each background.
    table
        One row per position: ``position, importance, std, sem``.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> backgrounds = eu.interpret.profile_backgrounds(eu.interpret.gc_backgrounds(20, 100, seed=0), 50, seed=0)
    >>> effects, table = gia_positional(model, backgrounds, "TGACTCA", step=5)
    >>> effects.shape, list(table.columns)
    ((19, 50), ['position', 'importance', 'std', 'sem'])
    """
    run, instances = _setup(model, backgrounds, motif, seed, target, batch_size, device, verbose)
    Xt, width = run.X, instances.shape[2]
    if positions is None:
        positions = range(0, Xt.shape[2] - width + 1, check_positive_int(step, "step"))
    positions = _int_list(positions, "positions")
    starts = [_positions(p, len(Xt), width, Xt.shape[2], "positions") for p in positions]
    effects = np.empty((len(positions), len(Xt)))
    with run:
        base = _predict(run, Xt)
        for one in run.batches(len(positions), 1, desc="gia positions"):
            effects[one.start] = _predict(run, _implant(Xt, instances, starts[one.start])) - base
    return effects, pd.DataFrame({"position": positions, **_summary(effects)})


def gia_spacing(
    model: nn.Module,
    backgrounds: Any,
    motif_a: MotifLike,
    motif_b: MotifLike,
    distances: Sequence[int] | None = None,
    *,
    position_a: int | None = None,
    orientations: Sequence[str] = ("+", "-"),
    target: Target = 0,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    seed: int | np.random.Generator | None = 0,
    verbose: bool | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Distance and orientation dependence of two motifs, and their cooperativity.

    ``motif_a`` sits at ``position_a``; ``motif_b`` (on strand ``"+"`` or ``"-"``) starts ``d`` bases after the end
    of A, for each ``d`` in ``distances`` (the gap; default every gap that fits). Per background,
    ``cooperativity = f(AB) - f(A) - f(B) + f(bg)``: zero when the effects add up on the output's own scale (no
    log-scale assumed; pass a target callable that takes the log if multiplicative effects are meant).

    Returns
    -------
    cooperativity
        Shape (O, D, N) for orientations x distances x backgrounds.
    table
        One row per (orientation, distance): ``orientation, distance, effect_a, effect_b, effect_ab,
        cooperativity, cooperativity_sem``.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> backgrounds = eu.interpret.profile_backgrounds(eu.interpret.gc_backgrounds(20, 100, seed=0), 50, seed=0)
    >>> coop, table = gia_spacing(model, backgrounds, "TGACTCA", "CACGTG", distances=range(0, 30))
    """
    run, inst_a = _setup(model, backgrounds, motif_a, seed, target, batch_size, device, verbose)
    Xt = run.X
    rng = np.random.default_rng(None if seed is None else as_generator(seed).integers(2**63))
    inst_b = torch.from_numpy(np.ascontiguousarray(_motif_instances(motif_b, len(Xt), Xt.shape[1], rng)))
    w_a, w_b, length = inst_a.shape[2], inst_b.shape[2], Xt.shape[2]
    if distances is None:
        start = 0 if position_a is None else position_a
        distances = range(0, length - start - w_a - w_b + 1)
    distances = _int_list(distances, "distances")
    if not distances or min(distances) < 0:
        raise ValueError(f"distances must be non-empty gaps >= 0; got {distances}")
    if position_a is None:
        position_a = max(0, (length - (w_a + max(distances) + w_b)) // 2)
    for o in orientations:
        if o not in ("+", "-"):
            raise ValueError(f"orientations must contain '+' or '-'; got {o!r}")
    at_a = _positions(position_a, len(Xt), w_a, length, "position_a")
    at_b = [_positions(position_a + w_a + d, len(Xt), w_b, length, "position_a + width + distance") for d in distances]
    strands = {"+": inst_b, "-": _reverse_complement(run, inst_b) if "-" in orientations else None}
    with_a = _implant(Xt, inst_a, at_a)
    coop = np.empty((len(orientations), len(distances), len(Xt)))
    rows = []
    jobs = [(i, o, j, d) for i, o in enumerate(orientations) for j, d in enumerate(distances)]
    with run:
        base = _predict(run, Xt)
        f_a = _predict(run, with_a)
        for one in run.batches(len(jobs), 1, desc="gia spacing"):
            i, o, j, d = jobs[one.start]
            f_b = _predict(run, _implant(Xt, strands[o], at_b[j]))
            f_ab = _predict(run, _implant(with_a, strands[o], at_b[j]))
            coop[i, j] = f_ab - f_a - f_b + base
            summary = _summary(coop[i, j])
            rows.append(
                {
                    "orientation": o,
                    "distance": d,
                    "effect_a": float((f_a - base).mean()),
                    "effect_b": float((f_b - base).mean()),
                    "effect_ab": float((f_ab - base).mean()),
                    "cooperativity": float(summary["importance"]),
                    "cooperativity_sem": float(summary["sem"]),
                }
            )
    return coop, pd.DataFrame(rows)


def gia_occlusion(
    model: nn.Module,
    X: Any,
    motif: MotifLike,
    *,
    threshold: float = 0.8,
    n_samples: int = 10,
    target: Target = 0,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    seed: int | np.random.Generator | None = 0,
    verbose: bool | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Occlusion of motif instances: ``f(X) - mean f(X with the site replaced by random bases)`` for each site.

    Sites are exact matches of a string, or, for a :class:`eugene.motifs.Motif` / PPM, windows whose PWM log-odds
    score is at least ``threshold`` of the way from the lowest to the highest possible score; both strands. Each
    site is occluded ``n_samples`` times with uniform random bases (seeded) and the predictions averaged.

    Returns
    -------
    effects
        Shape (S,): one effect per site (positive: the site raised the output).
    table
        One row per site: ``seq, start, end, strand, score, prediction, occluded_prediction, effect``.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> X = eu.seq.one_hot(["ACGT" * 10 + "TGACTCA" + "ACGT" * 13 + "A"])
    >>> effects, sites = gia_occlusion(model, X, "TGACTCA")
    >>> sites[["seq", "start", "end", "strand"]].values.tolist()
    [[0, 40, 47, '+']]
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose)
    Xt = run.X.cpu()
    sites = scan(Xt, motif, threshold)
    rng = as_generator(seed)
    occluded = np.zeros(0)
    with run:
        sites["prediction"] = _predict(run, Xt)[sites["seq"].to_numpy()]
        if len(sites):
            width = int(sites["end"].iloc[0] - sites["start"].iloc[0])
            seqs = np.repeat(sites["seq"].to_numpy(), n_samples)
            noise = sample_onehot(np.full((Xt.shape[1], width), 1.0 / Xt.shape[1]), len(seqs), rng)
            occluded_all = _predict(
                run,
                _implant(Xt[seqs], torch.from_numpy(noise), np.repeat(sites["start"].to_numpy(), n_samples)),
                "occluded sites",
            )
            occluded = occluded_all.reshape(-1, n_samples).mean(axis=1)
    sites["occluded_prediction"] = occluded
    sites["effect"] = sites["prediction"] - sites["occluded_prediction"]
    return sites["effect"].to_numpy(), sites


def gia_sites(
    model: nn.Module,
    backgrounds: Any,
    motif: MotifLike,
    n_sites: Sequence[int] = (1, 2, 3, 4),
    *,
    target: Target = 0,
    batch_size: int = 256,
    device: str | torch.device | None = None,
    seed: int | np.random.Generator | None = 0,
    verbose: bool | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Global importance of ``k`` copies of a motif, for each ``k`` in ``n_sites``, spread evenly along the sequence.

    The copies of ``k`` sites start at ``round(linspace(0, L - W, k + 2))[1:-1]`` (evenly spaced, away from the
    ends); the same sampled instance is used for every copy in a background.

    Returns
    -------
    effects
        Shape (K, N).
    table
        One row per k: ``n_sites, importance, std, sem``.

    Examples
    --------
    >>> import eugene as eu
    >>> model = eu.models.build("deepbind", seq_len=100).eval()       # stand-in for your trained model
    >>> backgrounds = eu.interpret.profile_backgrounds(eu.interpret.gc_backgrounds(20, 100, seed=0), 50, seed=0)
    >>> effects, table = gia_sites(model, backgrounds, "TGACTCA", n_sites=range(1, 6))
    >>> effects.shape
    (5, 50)
    """
    run, instances = _setup(model, backgrounds, motif, seed, target, batch_size, device, verbose)
    Xt, width, length = run.X, instances.shape[2], run.X.shape[2]
    counts = [check_positive_int(k, "n_sites") for k in n_sites]
    layouts = []
    for k in counts:
        starts = np.round(np.linspace(0, length - width, k + 2)[1:-1]).astype(int)
        if k > 1 and np.diff(starts).min() < width:
            raise ValueError(f"n_sites={k} copies of a width-{width} motif do not fit apart in length {length}")
        layouts.append(starts)
    effects = np.empty((len(counts), len(Xt)))
    with run:
        base = _predict(run, Xt)
        for one in run.batches(len(layouts), 1, desc="gia sites"):
            implanted = Xt
            for start in layouts[one.start]:
                implanted = _implant(implanted, instances, np.full(len(Xt), start))
            effects[one.start] = _predict(run, implanted) - base
    return effects, pd.DataFrame({"n_sites": counts, **_summary(effects)})
