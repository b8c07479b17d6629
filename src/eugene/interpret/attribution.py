"""``attribute``: one entry point for nucleotide attributions, from gradients to DeepLiftShap to ISM.

Each method is one record in :data:`REGISTRY` (its function, default references and capabilities) and one function
of a chunk of sequences; ``attribute``, its list of methods, its option checks and the CLI's ``--method`` choices
(:data:`METHODS`) are derived from the records, so adding a method is one record and one function. A record also
lists the names Captum and EUGENe give the same computation (``"DeepLiftShap"``, ``"IntegratedGradients"``, ...):
``attribute`` accepts them as aliases (:data:`ALIASES`; the mapping and the defaults that differ are in
docs/attribution.md).

``gradient_correction=True`` subtracts from the gradient its mean over the alphabet at each position (Majdandzic et
al. 2023, Genome Biology 24:109), removing the off-simplex component that one-hot inputs cannot move along.

For the reference methods a position's contribution, ``sum over letters of multiplier * (x - r)``, is placed on the
letter observed there (as in tangermeme and TF-MoDISco), so a logo shows one letter per position; columns that are
not one-hot (padding) keep the per-letter terms. Summation-to-delta holds either way.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from .._validate import check_bool, check_positive_int, describe
from ._engine import Run, Target
from .deeplift import DeepLiftWarning, pair_multipliers
from .mutagenesis import Mutagenesis
from .references import check_array, generate

__all__ = ["attribute", "methods", "method_name"]


@dataclass(frozen=True)
class Options:
    """The method options of one :func:`attribute` call, checked."""

    hypothetical: bool
    return_delta: bool
    gradient_correction: bool
    n_steps: int
    n_samples: int
    noise: float
    generator: torch.Generator


class Step(NamedTuple):
    """What a method gives for a chunk of n sequences against their R references (R = 1 without references).

    ``values`` (n, R, A, L): multipliers for methods with contributions, else the attributions themselves. ``fx``
    (n,) and ``fr`` (n, R): the target at the sequences and references when the method computed them anyway (else
    they are predicted when needed). ``flagged``: operations the method could not treat exactly.
    """

    values: torch.Tensor
    fx: torch.Tensor | None = None
    fr: torch.Tensor | None = None
    flagged: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Method:
    """One attribution method.

    Attributes
    ----------
    compute
        ``compute(run, x, refs, options) -> Step`` for a chunk ``x`` (n, A, L) on ``run.device`` and its references
        ``refs`` (n, R, A, L) (None for a method without references). Called inside ``with run:``.
    summary
        One line for the docs: what it computes and the paper.
    references
        The default reference kind (see :func:`eugene.interpret.make_references`); None: the method has none.
    custom_references
        The caller may give ``references`` (else the default is fixed).
    one_reference
        Exactly one reference per sequence.
    contributions
        ``values`` are multipliers: the attributions are ``multipliers * (x - r)`` (``hypothetical`` then applies).
    delta
        ``return_delta`` applies: summation-to-delta error per (sequence, reference).
    exact
        Summation-to-delta is exact by construction: it is checked on every chunk and a ``DeepLiftWarning`` names
        what broke it.
    gradient
        ``gradient_correction`` applies.
    random
        Uses ``seed``.
    chunked
        Called per chunk of sequences (``batch_size // rows`` at a time, on the device); False: once with all of
        them, where they are (the method streams them itself).
    rows
        Model rows per sequence, from the options and the number of references (sizes the chunks).
    python_module
        Needs a Python ``nn.Module`` (refuses TorchScript).
    aliases
        Other names of the same computation: Captum's class names and EUGENe's method names, accepted by
        :func:`attribute` and the CLI. Only names that mean this computation (defaults may differ: see
        docs/attribution.md).
    """

    compute: Callable[[Run, torch.Tensor, torch.Tensor | None, Options], Step]
    summary: str
    references: str | None = None
    custom_references: bool = False
    one_reference: bool = False
    contributions: bool = False
    delta: bool = False
    exact: bool = False
    gradient: bool = False
    random: bool = False
    chunked: bool = True
    rows: Callable[[Options, int], int] = lambda options, n_refs: n_refs
    python_module: bool = False
    aliases: tuple[str, ...] = ()


def relative_error(delta: torch.Tensor, fx: torch.Tensor, fr: torch.Tensor) -> torch.Tensor:
    """|summation-to-delta error| relative to |f(x) - f(r)|, floored at 1% of the output's magnitude.

    The floor keeps a pair whose prediction barely moves from counting float rounding of f itself as an error.
    """
    scale = torch.maximum((fx - fr).abs(), 0.01 * torch.maximum(fx.abs(), fr.abs())).clamp_min(1e-12)
    return delta.abs() / scale


def _tolerance(dtype: torch.dtype) -> float:
    return 1e-7 if dtype == torch.float64 else 1e-3


def _correct(grad: torch.Tensor, on: bool) -> torch.Tensor:
    return grad - grad.mean(dim=-2, keepdim=True) if on else grad


def _hypothetical(multipliers: torch.Tensor, refs: torch.Tensor) -> torch.Tensor:
    """Hypothetical contributions (TF-MoDISco): had base b been at position l, its contribution, averaged over refs."""
    return (multipliers - (multipliers * refs).sum(dim=-2, keepdim=True)).mean(dim=1)


def _projected(contributions: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Mean contributions (n, A, L), each position's total placed on its observed letter (where x is one-hot)."""
    mean = contributions.mean(dim=1)
    one_hot = x.sum(dim=-2, keepdim=True) == 1
    return torch.where(one_hot, x * mean.sum(dim=-2, keepdim=True), mean)


def _gauss_legendre(n_steps: int, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    nodes, weights = np.polynomial.legendre.leggauss(n_steps)
    return (
        torch.as_tensor((nodes + 1) / 2, dtype=like.dtype, device=like.device),
        torch.as_tensor(weights / 2, dtype=like.dtype, device=like.device),
    )


# --- the methods: one function each ---------------------------------------------------------------------------------


def _gradient(run: Run, x: torch.Tensor, refs: Any, options: Options) -> Step:
    """The gradient at x; saliency shows it, input_x_gradient multiplies it by x - 0."""
    return Step(_correct(run.gradient(x), options.gradient_correction)[:, None])


def _integrated_gradients(run: Run, x: torch.Tensor, refs: torch.Tensor, options: Options) -> Step:
    """Path-averaged gradients (n, R, A, L) along r + alpha (x - r), by Gauss-Legendre quadrature."""
    alphas, weights = _gauss_legendre(options.n_steps, x)
    path = refs[:, :, None] + alphas[:, None, None] * (x[:, None] - refs)[:, :, None]  # (n, R, S, A, L)
    grads = run.gradient(path.flatten(0, 2)).view(path.shape)
    return Step(_correct((grads * weights[:, None, None]).sum(dim=2), options.gradient_correction))


def _smoothgrad(run: Run, x: torch.Tensor, refs: Any, options: Options) -> Step:
    """The gradient averaged over noisy copies of x."""
    noise = torch.randn((x.shape[0], options.n_samples, *x.shape[1:]), generator=options.generator, dtype=x.dtype)
    noisy = x[:, None] + options.noise * noise.to(x.device)
    grad = run.gradient(noisy.flatten(0, 1)).view(noisy.shape).mean(dim=1)
    return Step(_correct(grad, options.gradient_correction)[:, None])


def _deeplift(run: Run, x: torch.Tensor, refs: torch.Tensor, options: Options) -> Step:
    """DeepLIFT multipliers against each reference (see :mod:`eugene.interpret.deeplift`)."""
    return Step(*pair_multipliers(run.model, run.select, x, refs))


def _ism(run: Run, x: torch.Tensor, refs: Any, options: Options) -> Step:
    """Saturation mutagenesis with :func:`eugene.interpret.ism`'s defaults."""
    return Step(Mutagenesis(run)(x)[:, None])


REGISTRY: dict[str, Method] = {
    "saliency": Method(
        _gradient, "the gradient of the target (Simonyan et al. 2014)", gradient=True, aliases=("Saliency",)
    ),
    "input_x_gradient": Method(
        _gradient,
        "gradient times input (Shrikumar et al. 2016)",
        references="zero",
        contributions=True,
        gradient=True,
        aliases=("InputXGradient",),
    ),
    "integrated_gradients": Method(
        _integrated_gradients,
        "(x - r) times the gradient averaged along the straight path from reference r to x, by Gauss-Legendre "
        "quadrature with ``n_steps`` nodes (Sundararajan et al. 2017)",
        references="zero",
        custom_references=True,
        contributions=True,
        delta=True,
        gradient=True,
        random=True,
        rows=lambda options, n_refs: options.n_steps * n_refs,
        aliases=("IntegratedGradients",),
    ),
    "smoothgrad": Method(
        _smoothgrad,
        "the gradient averaged over ``n_samples`` noisy copies of x (Smilkov et al. 2017)",
        gradient=True,
        random=True,
        rows=lambda options, n_refs: options.n_samples,
        aliases=("SmoothGrad", "NoiseTunnel"),
    ),
    "deeplift": Method(
        _deeplift,
        "DeepLIFT's rescale rule against one reference per sequence (Shrikumar et al. 2017), applied per "
        "torch-function call (see :mod:`eugene.interpret.deeplift`), so its attributions sum exactly to f(x) - f(r)",
        references="zero",
        custom_references=True,
        one_reference=True,
        contributions=True,
        delta=True,
        exact=True,
        random=True,
        python_module=True,
        aliases=("DeepLift",),
    ),
    "deeplift_shap": Method(
        _deeplift,
        "DeepLIFT averaged over several references per sequence (Lundberg & Lee 2017)",
        references="dinucleotide_shuffle",
        custom_references=True,
        contributions=True,
        delta=True,
        exact=True,
        random=True,
        python_module=True,
        aliases=("DeepLiftShap",),
    ),
    "ism": Method(
        _ism,
        "in silico saturation mutagenesis, from :func:`eugene.interpret.ism` (exact)",
        chunked=False,
        aliases=("NaiveISM",),
    ),
}

METHODS = tuple(REGISTRY)

# Captum and EUGENe names that are not one of ours, with what to use instead
_NOT_ALIASES = {
    "GradientShap": "it estimates by random sampling (a random reference, a random point on the path, n_samples "
    "draws) what method='integrated_gradients' with references=... (several per sequence) computes by quadrature: "
    "use that",
}


def methods(aliases: bool = False) -> tuple[str, ...]:
    """The names of the attribution methods, in the order of :data:`REGISTRY`; with ``aliases``, followed by the
    Captum / EUGENe names :func:`attribute` also accepts (the CLI's ``--method`` choices).

    Examples
    --------
    >>> methods()[:2]
    ('saliency', 'input_x_gradient')
    >>> method_name("DeepLiftShap")
    'deeplift_shap'
    """
    return METHODS + tuple(ALIASES) if aliases else METHODS


def method_name(method: Any) -> str:
    """The registry's name of ``method``: a name of :data:`METHODS`, or an alias (Captum's or EUGENe's name of the same
    computation, :data:`ALIASES`)."""
    if isinstance(method, str) and method in REGISTRY:
        return method
    if isinstance(method, str) and method in ALIASES:
        return ALIASES[method]
    hint = f" ({method}: {_NOT_ALIASES[method]})" if isinstance(method, str) and method in _NOT_ALIASES else ""
    raise ValueError(
        f"method must be one of {list(METHODS)} or an alias of one {sorted(ALIASES)}; got {method!r}{hint}"
    )


def _with(capability: str) -> list[str]:
    return [name for name, record in REGISTRY.items() if getattr(record, capability)]


def _aliases() -> dict[str, str]:
    aliases = {alias: name for name, record in REGISTRY.items() for alias in record.aliases}
    clashes = set(aliases) & set(REGISTRY)
    if clashes or len(aliases) != sum(len(record.aliases) for record in REGISTRY.values()):
        raise RuntimeError(f"attribution aliases must name one method each and no method: {sorted(clashes)}")
    return aliases


ALIASES = _aliases()  # Captum's / EUGENe's name -> ours


_FLAGS = {"hypothetical": "contributions", "return_delta": "delta", "gradient_correction": "gradient"}


def _check_options(method: str, record: Method, references: Any, **options: Any) -> Options:
    """The options checked, and checked against the method's capabilities (each error names the methods it fits)."""
    flags = {flag: check_bool(options[flag], flag) for flag in _FLAGS}
    for flag, capability in _FLAGS.items():
        if flags[flag] and not getattr(record, capability):
            raise ValueError(f"{flag}=True applies to {_with(capability)}; got method={method!r}")
    if references is not None and not record.custom_references:
        raise ValueError(f"references applies to {_with('custom_references')}; got method={method!r}: leave it None")
    noise = options["noise"]
    real = not isinstance(noise, bool) and isinstance(noise, (int, float, np.integer, np.floating))
    if not (real and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0 (a standard deviation); got {describe(noise)}")
    return Options(
        **flags,
        n_steps=check_positive_int(options["n_steps"], "n_steps"),
        n_samples=check_positive_int(options["n_samples"], "n_samples"),
        noise=float(noise),
        generator=options["generator"],
    )


class _References:
    """Per chunk of sequences, their references (n, R, A, L): sliced from an array or generated in batch."""

    def __init__(self, references: Any, run: Run, method: str, record: Method, n_references: int):
        references = record.references if references is None else references
        self.rng = run.rng()
        self.array = None
        self.kind = references
        if isinstance(references, (np.ndarray, torch.Tensor)):
            self.array = check_array(references, run.X)
            self.count = self.array.shape[1]
        elif not (isinstance(references, str) or callable(references)):
            raise TypeError(
                "references must be a name (e.g. 'dinucleotide_shuffle'), an array (N, A, L) or (N, R, A, L), or a "
                f"callable; got {describe(references)}"
            )
        elif record.one_reference or not record.custom_references:
            self.count = 1
        else:
            self.count = check_positive_int(n_references, "n_references")
        if record.one_reference and self.count != 1:
            raise ValueError(
                f"method={method!r} takes one reference per sequence (N, A, L); got {self.count} per sequence. "
                "Use method='deeplift_shap' to average over several"
            )

    def __call__(self, sl: slice, x: torch.Tensor) -> torch.Tensor:
        if self.array is not None:
            return self.array[sl].to(x.device)
        return generate(x, self.kind, self.count, self.rng)


def _warn_inexact(flagged: set[str], worst: float, tolerance: float, target: Any = None) -> None:
    constant = getattr(target, "constant_part", None)  # a target that holds part of itself constant says so
    if flagged:
        warnings.warn(
            "DeepLIFT has no exact rule for these operations, which touch input-dependent values, so their "
            f"gradient was used instead: {sorted(flagged)}; the largest summation-to-delta error relative to "
            f"f(x) - f(reference) is {worst:.2g}",
            DeepLiftWarning,
            stacklevel=3,
        )
    elif worst > tolerance and constant:
        warnings.warn(
            f"DeepLIFT's attributions sum to f(x) - f(reference) only up to {worst:.2g} of it: {constant}",
            DeepLiftWarning,
            stacklevel=3,
        )
    elif worst > tolerance:
        warnings.warn(
            f"DeepLIFT's summation-to-delta error reached {worst:.2g} of f(x) - f(reference) (tolerance "
            f"{tolerance:g}) although every operation had a rule; the model may change its control flow with its "
            "input. Please report the model",
            DeepLiftWarning,
            stacklevel=3,
        )


def attribute(
    model: nn.Module,
    X: Any,
    method: str = "deeplift_shap",
    target: Target = 0,
    references: Any = None,
    n_references: int = 20,
    batch_size: int = 128,
    device: str | torch.device | None = None,
    hypothetical: bool = False,
    return_delta: bool = False,
    seed: int | None = 0,
    verbose: bool | None = None,
    *,
    n_steps: int = 50,
    n_samples: int = 25,
    noise: float = 0.15,
    gradient_correction: bool = False,
) -> Any:
    """Attribute the model's prediction for each sequence to each position and letter.

        Methods and their papers:

    {methods}

        Parameters
        ----------
        model
            A torch module taking one-hot (N, A, L) input; any forward (functional activations, reused modules,
            in-place ops, residuals, BatchNorm, pooling, softmax, LSTMs) is handled.
        X
            One-hot sequences (N, A, L), numpy or torch, any real dtype; the result has the same shape and kind, in the
            model's dtype (a float32 model computes float64 input in float32). N = 0 gives an empty result.
        method
            One of {names}; or the name Captum or EUGENe gives the same method: {aliases}.
        target
            An output index, a list of indices (summed), or a callable mapping the model's output to shape (N,).
        references
            For {custom} (defaults: {defaults}): a kind ("dinucleotide_shuffle", "shuffle", "zero", "uniform", "gc"),
            an array (N, A, L) or (N, R, A, L), or a callable ``f(X, n, rng) -> (N, n, A, L)``.
        n_references
            References per sequence when ``references`` is a kind or a callable (deeplift uses one).
        batch_size
            Model rows per pass (sequence-reference pairs for deeplift_shap); memory is bounded by it whatever N.
        device
            Where to compute; default where the model is.
        hypothetical
            For {contributions}: return hypothetical contributions (as TF-MoDISco expects): for each letter at each
            position, its contribution had it been there. ``(hypothetical * X).sum(axis=1)`` equals the actual
            contributions.
        return_delta
            For {delta}: also return the summation-to-delta error (N, R): attributions summed minus f(x) - f(reference),
            per pair.
        seed
            Seed for references and noise ({random} use it): a non-negative integer, default 0, so the same call
            gives the same numbers (as the CLI's ``--seed``, default 0); None draws fresh randomness each call.
        verbose
            Show a progress bar (on stderr); None: unless ``eugene.settings.verbose`` is switched off.
        n_steps, n_samples, noise
            Quadrature nodes for integrated_gradients; noisy copies and noise standard deviation for smoothgrad.
        gradient_correction
            For {gradient}: subtract the per-position mean over the alphabet from the gradient (Majdandzic et al. 2023).

        Returns
        -------
        Attributions (N, A, L) as the kind X was; with ``return_delta``, a tuple ``(attributions, delta)``.

        Warns
        -----
        DeepLiftWarning
            For deeplift methods, when an operation without an exact rule touched an input-dependent value (named in the
            message), or when summation-to-delta fails its tolerance.

        Examples
        --------
        >>> import numpy as np, torch
        >>> model = torch.nn.Sequential(torch.nn.Conv1d(4, 8, 5), torch.nn.ReLU(), torch.nn.Flatten(),
        ...                             torch.nn.Linear(8 * 26, 1))
        >>> X = np.eye(4, dtype=np.float32)[np.random.default_rng(0).integers(0, 4, (3, 30))].transpose(0, 2, 1)
        >>> attribute(model, X, "deeplift_shap", n_references=5, seed=0, verbose=False).shape
        (3, 4, 30)
    """
    method = method_name(method)
    record = REGISTRY[method]
    run = Run(model, X, target, batch_size=batch_size, device=device, verbose=verbose, seed=seed)
    options = _check_options(
        method,
        record,
        references,
        hypothetical=hypothetical,
        return_delta=return_delta,
        gradient_correction=gradient_correction,
        n_steps=n_steps,
        n_samples=n_samples,
        noise=noise,
        generator=run.torch_generator(),
    )
    if record.python_module and any(isinstance(m, torch.jit.ScriptModule) for m in run.members):
        raise TypeError(
            f"method={method!r} needs a Python nn.Module: a TorchScript model runs its operations outside Python, "
            "where DeepLIFT's rules cannot reach them. Load the model from its class and state dict, or use "
            "integrated_gradients / ism"
        )
    refs = _References(references, run, method, record, n_references) if record.references else None
    n_refs = refs.count if refs is not None else 1
    chunk = max(1, run.batch_size // record.rows(options, n_refs)) if record.chunked else max(1, len(run))
    result = torch.zeros(run.X.shape, dtype=run.dtype)
    deltas = torch.zeros((len(run), n_refs), dtype=run.dtype)
    flagged: set[str] = set()
    worst = 0.0
    with run:
        for sl in run.batches(size=chunk, desc=method):
            x = run.X[sl].to(run.device) if record.chunked else run.X
            r = refs(sl, x) if refs is not None else None
            step = record.compute(run, x, r, options)
            flagged |= step.flagged
            if not record.contributions:
                result[sl] = step.values.mean(dim=1).cpu()
                continue
            contributions = step.values * (x[:, None] - r)
            attributions = _hypothetical(step.values, r) if options.hypothetical else _projected(contributions, x)
            result[sl] = attributions.cpu()
            if options.return_delta or record.exact:
                fx, fr = step.fx, step.fr
                if fx is None:
                    fx, fr = run.predict(x), run.predict(r.flatten(0, 1)).view(r.shape[:2])
                delta = contributions.sum(dim=(2, 3)) - (fx[:, None] - fr)
                deltas[sl] = delta.cpu()
                if record.exact:
                    worst = max(worst, float(relative_error(delta, fx[:, None], fr).max()))
    if record.exact:
        _warn_inexact(flagged, worst, _tolerance(run.dtype), target)
    if options.return_delta:
        return run.output(result), run.output(deltas)
    return run.output(result)


def _defaults() -> str:
    return ", ".join(f"{name} {record.references!r}" for name, record in REGISTRY.items() if record.custom_references)


attribute.__doc__ = (attribute.__doc__ or "").format(
    methods="\n".join(f"    - {name!r}: {record.summary}." for name, record in REGISTRY.items()),
    names=", ".join(repr(name) for name in METHODS),
    aliases=", ".join(f"{alias!r} ({name})" for alias, name in ALIASES.items()),
    custom=", ".join(_with("custom_references")),
    defaults=_defaults(),
    contributions=", ".join(_with("contributions")),
    delta=", ".join(_with("delta")),
    random=", ".join(_with("random")),
    gradient=", ".join(_with("gradient")),
)
