"""Reliability probe: hostile and careless inputs against every public entry point of eugene, classified automatically.

Each case calls one public function (or the ``eugene`` command through ``eugene.cli.main``) with one bad or unusual
input and is classified as

- ok: a result of the right kind and shape, finite where it should be, and equal to the result for the plain float32
  input where the input only differs in its form (float64, int, bool, non-contiguous, torch, requires_grad);
- clear error: ValueError / TypeError / OSError / ImportError / KeyError / NotImplementedError whose message names the
  argument or the file (or a command that exits non-zero with such a message);
- unclear error: any other exception, or a message naming neither;
- silent wrong: a result where an error was due (a bad argument accepted), NaN where finite values were due, a wrong
  shape or kind, or a result different from the reference.

A last section runs fast ISM, DeepLiftShap and filter_pfms from 6 threads at once on one model and checks the results
equal the serial ones and that ``torch.nn.Module.__call__`` / ``__getattr__`` are unchanged.

Run from the repository root (about a minute on 2 cores)::

    .venv/bin/python scripts/reliability_probe.py            # summary table, then every unclear / silent-wrong case
    .venv/bin/python scripts/reliability_probe.py --all      # every case with its class
    .venv/bin/python scripts/reliability_probe.py --only gia # only the groups whose name contains 'gia'
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import pickle
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
import xarray as xr
from torch import nn

import eugene as eu
from eugene import cli

CLEAR_TYPES = (ValueError, TypeError, OSError, ImportError, KeyError, NotImplementedError)
NOT_CLEAR = (UnicodeError, IndexError)  # subclasses of the above whose messages name no argument or file
L, N, A = 40, 3, 4


@dataclass
class Case:
    group: str
    name: str
    call: Callable[[], Any]
    expect: str = "any"  # "error": must raise; "ok": must return; "any": either (a result is then checked)
    names: tuple[str, ...] = ()  # a clear message names one of these (case-insensitive)
    check: Callable[[Any], str | None] | None = None  # returns a problem with a result, or None
    outcome: str = ""
    message: str = ""
    extra: dict = field(default_factory=dict)


CASES: list[Case] = []


def case(group: str, name: str, call: Callable[[], Any], expect: str = "any", names=(), check=None) -> None:
    CASES.append(Case(group, name, call, expect, tuple(names), check))


# ---------------------------------------------------------------------------------------------------------- checks
def _np(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, eu.motifs.MotifSet):  # filter_pfms: the (F, A, W) counts (probabilities where none)
        return np.stack([np.asarray(m.counts if m.counts is not None else m.probs, float) for m in value])
    return np.asarray(value)


def same_as(reference: Any, kind: type | None = None, rtol: float = 1e-4, atol: float = 1e-5) -> Callable:
    """A check: the result has the reference's shape and values (and the given kind: numpy or torch)."""

    def check(result: Any) -> str | None:
        if kind is not None and not isinstance(result, kind):
            return f"returned {type(result).__name__}, expected {kind.__name__}"
        got, want = _np(result), _np(reference)
        if got.shape != want.shape:
            return f"shape {got.shape}, expected {want.shape}"
        if not np.isfinite(got).all():
            return "non-finite values"
        if not np.allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol):
            return f"values differ from the float32 reference by {np.abs(got - want).max():.3g}"
        return None

    return check


def shaped(shape: tuple, kind: type | None = None, finite: bool = True) -> Callable:
    def check(result: Any) -> str | None:
        if kind is not None and not isinstance(result, kind):
            return f"returned {type(result).__name__}, expected {kind.__name__}"
        got = _np(result)
        if got.shape != tuple(shape):
            return f"shape {got.shape}, expected {tuple(shape)}"
        if finite and got.size and not np.isfinite(got).all():
            return "non-finite values"
        return None

    return check


def finite_array(result: Any) -> str | None:
    got = _np(result)
    if got.dtype.kind in "fc" and got.size and not np.isfinite(got).all():
        return "non-finite values"
    return None


def frame(min_rows: int = 0, max_rows: int | None = None, columns=(), finite=()) -> Callable:
    def check(result: Any) -> str | None:
        table = result[1] if isinstance(result, tuple) else result
        if not isinstance(table, pd.DataFrame):
            return f"returned {type(table).__name__}, expected a DataFrame"
        if len(table) < min_rows:
            return f"{len(table)} rows, expected at least {min_rows}"
        if max_rows is not None and len(table) > max_rows:
            return f"{len(table)} rows, expected at most {max_rows}"
        missing = [c for c in columns if c not in table.columns]
        if missing:
            return f"missing columns {missing}"
        for c in finite:
            if not np.isfinite(table[c].to_numpy(dtype=float)).all():
                return f"non-finite values in {c}"
        return None

    return check


def motif_set(n: int | None = None, min_n: int = 1) -> Callable:
    def check(result: Any) -> str | None:
        count = len(result)
        if n is not None and count != n:
            return f"{count} motifs, expected {n}"
        if count < min_n:
            return f"{count} motifs, expected at least {min_n}"
        for motif in result:
            values = np.asarray(motif.counts if motif.counts is not None else motif.probs, dtype=float)
            if not np.isfinite(values).all() or (values < 0).any():
                return f"motif {getattr(motif, 'name', '?')} has non-finite or negative values"
        return None

    return check


# ----------------------------------------------------------------------------------------------------- the inputs
def make_inputs(seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    X = np.eye(A, dtype=np.float32)[rng.integers(0, A, (N, L))].transpose(0, 2, 1).copy()
    wide = np.zeros((N, A, 2 * L), dtype=np.float32)
    wide[:, :, ::2] = X
    variants = {
        "float64": (X.astype(np.float64), "same"),
        "int64": (X.astype(np.int64), "same"),
        "int32": (X.astype(np.int32), "same"),
        "bool": (X.astype(bool), "same"),
        "float16": (X.astype(np.float16), "same"),
        "non-contiguous numpy": (wide[:, :, ::2], "same"),
        "fortran order": (np.asfortranarray(X), "same"),
        "torch float32": (torch.from_numpy(X.copy()), "same-torch"),
        "torch float64": (torch.from_numpy(X.astype(np.float64)), "same-torch"),
        "torch requires_grad": (torch.from_numpy(X.copy()).requires_grad_(True), "same-torch"),
        "torch non-contiguous": (torch.from_numpy(X.transpose(0, 2, 1).copy()).transpose(1, 2), "same-torch"),
        "N=0 numpy": (X[:0], "empty"),
        "N=0 torch": (torch.from_numpy(X[:0].copy()), "empty-torch"),
        "NaN entry": (np.where(np.arange(L) == 3, np.nan, X).astype(np.float32), "error"),
        "inf entry": (np.where(np.arange(L) == 3, np.inf, X).astype(np.float32), "error"),
        "(N, L, A) layout": (X.transpose(0, 2, 1).copy(), "error"),
        "A=5": (np.concatenate([X, np.zeros((N, 1, L), np.float32)], 1), "error"),
        "3 channels": (X[:, :3], "error"),
        "1-D": (X[0, 0], "error"),
        "4-D": (X[None], "error"),
        "None": (None, "error"),
        "string": ("ACGT" * 10, "any"),
        "dict": ({"X": X}, "error"),
        "complex": (X.astype(np.complex64), "error"),
        "object array": (np.array([["A"] * L] * N, dtype=object), "error"),
    }
    return {"X": X, "variants": variants, "rng": rng}


def tiny_model(seed: int = 0, n_outputs: int = 2) -> nn.Module:
    torch.manual_seed(seed)
    return eu.models.build("deepbind", alphabet_size=A, seq_len=L, n_outputs=n_outputs).eval()


# ------------------------------------------------------------------------------------------- model-taking entries
def add_x_variants(
    group: str, fn: Callable[[Any], Any], base: Any, x_names=("X",), result_shape=None, keeps_kind: bool = True
) -> None:
    """The X variants of make_inputs against ``fn(X)``; ``base`` is fn of the plain float32 X; ``keeps_kind``: the
    result is numpy for numpy X and torch for torch X."""
    for label, (value, rule) in INPUTS["variants"].items():
        if rule == "same":
            kind = np.ndarray if keeps_kind else None
            case(group, f"X {label}", lambda v=value: fn(v), "ok", x_names, same_as(base, kind))
        elif rule == "same-torch":
            kind = torch.Tensor if keeps_kind else None
            case(group, f"X {label}", lambda v=value: fn(v), "ok", x_names, same_as(base, kind))
        elif rule in ("empty", "empty-torch"):
            want = (0, *_np(base).shape[1:]) if result_shape is None else result_shape(0)
            kind = (torch.Tensor if rule == "empty-torch" else np.ndarray) if keeps_kind else None
            case(group, f"X {label}", lambda v=value: fn(v), "any", x_names, shaped(want, kind))
        elif rule == "error":
            case(group, f"X {label}", lambda v=value: fn(v), "error", x_names)
        else:
            case(group, f"X {label}", lambda v=value: fn(v), "any", x_names, finite_array)


def add_common_args(group: str, fn: Callable[..., Any], has_target: bool = True, has_seed: bool = False) -> None:
    for value in (0, -1, 2.5, True, "8", None):
        case(group, f"batch_size={value!r}", lambda v=value: fn(batch_size=v), "error", ["batch_size"])
    case(group, "batch_size=10**9", lambda: fn(batch_size=10**9), "ok", ["batch_size"], finite_or_table)
    for value in ("cuda:7", "nope", 3.5, "meta"):
        case(group, f"device={value!r}", lambda v=value: fn(device=v), "error", ["device", "cuda", "nope", "meta"])
    if has_target:
        for value in (5, -3, 2.5, "a", [0, 9], [], lambda out: out[:, :, None], lambda out: "x"):
            label = "callable (wrong shape)" if callable(value) else repr(value)
            case(group, f"target={label}", lambda v=value: fn(target=v), "error", ["target"])
    if has_seed:
        for value in (-1, 2.5, "x", 2**70):
            case(group, f"seed={value!r}", lambda v=value: fn(seed=v), "error", ["seed"])


def build_model_cases() -> None:
    model, X = MODEL, INPUTS["X"]
    methods = ["saliency", "input_x_gradient", "integrated_gradients", "smoothgrad", "deeplift", "deeplift_shap", "ism"]
    for method in methods:
        group = f"attribute[{method}]"
        extra = {"n_references": 3, "n_steps": 8, "n_samples": 3}
        seeded = method in ("smoothgrad", "deeplift", "deeplift_shap", "integrated_gradients")

        def run(X_=X, method=method, extra=extra, **kw):
            args = dict(extra, seed=0, verbose=False)
            args.update(kw)
            return eu.interpret.attribute(model, X_, method=method, **args)

        base = run()
        add_x_variants(group, lambda v, run=run: run(v), base)
        add_common_args(group, lambda run=run, **kw: run(**kw), has_seed=seeded)
        if method == "integrated_gradients":
            for value in (0, -1, 2.5):
                case(group, f"n_steps={value!r}", lambda v=value, run=run: run(n_steps=v), "error", ["n_steps"])
        if method == "smoothgrad":
            for key, value in (("n_samples", 0), ("n_samples", -2), ("noise", -1.0), ("noise", float("nan"))):
                case(group, f"{key}={value!r}", lambda k=key, v=value, run=run: run(**{k: v}), "error", [key])
        if method in ("deeplift_shap", "integrated_gradients", "deeplift"):
            # 'deeplift' takes one reference per sequence (documented): n_references is not its argument
            for value in (0, -1, 2.5) if method != "deeplift" else ():
                case(
                    group,
                    f"n_references={value!r}",
                    lambda v=value, run=run: run(n_references=v),
                    "error",
                    ["n_references"],
                )
            bad_refs = {
                "references NaN": np.full((N, 3, A, L), np.nan, np.float32),
                "references wrong L": np.zeros((N, 3, A, L + 1), np.float32),
                "references wrong N": np.zeros((N + 1, 3, A, L), np.float32),
                "references kind 'bad'": "bad",
                "references=5": 5,
            }
            for label, refs in bad_refs.items():
                case(group, label, lambda r=refs, run=run: run(references=r), "error", ["references", "kind"])
        case(
            group, "method misspelled", lambda: eu.interpret.attribute(model, X, method="deeplyft"), "error", ["method"]
        )
        case(
            group,
            "model=None",
            lambda method=method: eu.interpret.attribute(None, X, method=method),
            "error",
            ["model"],
        )
        case(
            group,
            "model=a function",
            lambda method=method: eu.interpret.attribute(lambda x: x.sum(), X, method=method),
            "error",
            ["model"],
        )
        case(group, "hypothetical='yes'", lambda run=run: run(hypothetical="yes"), "error", ["hypothetical"])

    # predict
    base = eu.interpret.predict(model, X)
    add_x_variants("predict", lambda v: eu.interpret.predict(model, v), base)
    add_common_args("predict", lambda **kw: eu.interpret.predict(model, X, **kw))

    # ism, every fast mode
    for fast in (True, False, "taylor", "auto"):
        group = f"ism[fast={fast!r}]"
        base = eu.interpret.ism(model, X, fast=fast)
        add_x_variants(group, lambda v, fast=fast: eu.interpret.ism(model, v, fast=fast), base)
        add_common_args(group, lambda fast=fast, **kw: eu.interpret.ism(model, X, fast=fast, **kw))
        for start, end in ((10, 5), (L, L), (2.5, None), ("1", None)):
            case(
                group,
                f"start={start!r}, end={end!r}",
                lambda s=start, e=end, fast=fast: eu.interpret.ism(model, X, fast=fast, start=s, end=e),
                "error",
                ["start", "end"],
            )
        full = _np(eu.interpret.ism(model, X, fast=fast))
        for start, end in ((5, 15), (-5, None), (0, L + 5)):
            window = np.zeros_like(full)
            window[:, :, slice(start, end)] = full[:, :, slice(start, end)]
            case(
                group,
                f"start={start}, end={end} (slice semantics) equals the full run inside, 0 outside",
                lambda s_=start, e=end, fast=fast: eu.interpret.ism(model, X, fast=fast, start=s_, end=e),
                "ok",
                ["start", "end"],
                same_as(window),
            )
    case("ism", "fast='bad'", lambda: eu.interpret.ism(model, X, fast="bad"), "error", ["fast"])
    case("ism", "centre='yes'", lambda: eu.interpret.ism(model, X, centre="yes"), "error", ["centre"])
    case("ism", "log_ratio='yes'", lambda: eu.interpret.ism(model, X, log_ratio="yes"), "error", ["log_ratio"])

    # variant_effect
    good = [(0, 3, "A"), (1, 10, "G")]
    ve = eu.interpret.variant_effect

    def ve_check(n):
        return frame(n, n, ["ref_pred", "alt_pred", "diff"], ["ref_pred", "alt_pred", "diff"])

    base = ve(model, X, good)
    case(
        "variant_effect",
        "float64 X",
        lambda: ve(model, X.astype(np.float64), good),
        "ok",
        ["X"],
        lambda t: None if np.allclose(t["diff"], base["diff"], atol=1e-5) else "differs from float32",
    )
    case(
        "variant_effect",
        "torch requires_grad X",
        lambda: ve(model, torch.from_numpy(X.copy()).requires_grad_(True), good),
        "ok",
        ["X"],
        ve_check(2),
    )
    case("variant_effect", "N=0 X and no variants", lambda: ve(model, X[:0], []), "any", ["X", "variants"], frame(0, 0))
    case("variant_effect", "no variants", lambda: ve(model, X, []), "any", ["variants"], frame(0, 0))
    bad_variants = {
        "seq out of range": [(5, 3, "A")],
        "negative seq": [(-1, 3, "A")],
        "pos out of range": [(0, L + 3, "A")],
        "negative pos": [(0, -1, "A")],
        "alt not a letter": [(0, 3, "Z")],
        "alt lower-case junk": [(0, 3, "!")],
        "ref mismatch": [(0, 3, "Q", "A")],
        "float pos": [(0, 2.5, "A")],
        "tuple of 2": [(0, 3)],
        "a string": "chr1:3 A>G",
        "DataFrame without alt": pd.DataFrame({"seq": [0], "pos": [3]}),
        "DataFrame NaN pos": pd.DataFrame({"seq": [0], "pos": [np.nan], "alt": ["A"]}),
        "None": None,
    }
    for label, value in bad_variants.items():
        case(
            "variant_effect",
            f"variants {label}",
            lambda v=value: ve(model, X, v),
            "error",
            ["variants", "seq", "pos", "alt", "ref"],
        )
    case("variant_effect", "alphabet='XYZ'", lambda: ve(model, X, good, alphabet="XYZ"), "error", ["alphabet"])
    add_common_args("variant_effect", lambda **kw: ve(model, X, good, **kw))

    # evolve
    def evo_check(result):
        if not (isinstance(result, tuple) and len(result) == 2):
            return "not (X, table)"
        return shaped(X.shape, np.ndarray)(result[0]) or frame()(result[1])

    case("evolve", "plain", lambda: eu.interpret.evolve(model, X, rounds=2), "ok", (), evo_check)
    case(
        "evolve",
        "end beyond L (slice semantics)",
        lambda: eu.interpret.evolve(model, X, rounds=2, end=L + 10),
        "ok",
        ["end"],
        evo_check,
    )
    case(
        "evolve",
        "float64 X",
        lambda: eu.interpret.evolve(model, X.astype(np.float64), rounds=2),
        "ok",
        ["X"],
        evo_check,
    )
    case(
        "evolve",
        "N=0",
        lambda: eu.interpret.evolve(model, X[:0], rounds=2),
        "any",
        ["X"],
        lambda r: shaped((0, A, L))(r[0]),
    )
    for label, kw in {
        "rounds=-1": {"rounds": -1},
        "rounds=2.5": {"rounds": 2.5},
        "maximize='yes'": {"maximize": "yes"},
        "maximize=None": {"maximize": None},
        "min_gain=nan": {"min_gain": float("nan")},
        "start>end": {"start": 10, "end": 5},
        "fast='bad'": {"fast": "bad"},
    }.items():
        case("evolve", label, lambda kw=kw: eu.interpret.evolve(model, X, rounds=2, **kw), "error", [*kw, "rounds"])
    case(
        "evolve",
        "rounds=0 returns X unchanged",
        lambda: eu.interpret.evolve(model, X, rounds=0),
        "any",
        ["rounds"],
        lambda r: same_as(X)(r[0]),
    )
    add_x_variants(
        "evolve", lambda v: eu.interpret.evolve(model, v, rounds=1)[0], eu.interpret.evolve(model, X, rounds=1)[0]
    )
    add_common_args("evolve", lambda **kw: eu.interpret.evolve(model, X, rounds=1, **kw))

    # filter_pfms / layer_activations / filter_influence / embeddings
    pfms = eu.interpret.filter_pfms(model, X, layer="conv1")
    add_x_variants(
        "filter_pfms",
        lambda v: eu.interpret.filter_pfms(model, v, layer="conv1"),
        pfms,
        result_shape=lambda n: _np(pfms).shape,
        keeps_kind=False,
    )
    add_common_args(
        "filter_pfms", lambda **kw: eu.interpret.filter_pfms(model, X, layer="conv1", **kw), has_target=False
    )
    for label, kw in {
        "layer='nope'": {"layer": "nope"},
        "layer=3": {"layer": 3},
        "layer='fc1' (not a conv)": {"layer": "fc1"},
        "threshold=-1": {"threshold": -1.0},
        "threshold=nan": {"threshold": float("nan")},
        "threshold=2": {"threshold": 2.0},
        "threshold='x'": {"threshold": "x"},
        "rule='bad'": {"rule": "bad"},
        "top_k=0": {"top_k": 0},
        "top_k=-1": {"top_k": -1},
        "min_sites=-1": {"min_sites": -1},
        "alphabet='XYZ'": {"alphabet": "XYZ"},
        "weighted='yes'": {"weighted": "yes"},
    }.items():
        kw = {"layer": "conv", **kw}
        case(
            "filter_pfms",
            label,
            lambda kw=kw: eu.interpret.filter_pfms(model, X, **kw),
            "error",
            [k for k in kw if k != "layer" or "layer" in label] + ["layer"],
        )
    case(
        "filter_pfms",
        "reverse_complement=True",
        lambda: eu.interpret.filter_pfms(model, X, layer="conv1", reverse_complement=True),
        "ok",
        (),
        finite_array,
    )

    acts = eu.interpret.layer_activations(model, X, layer="conv1")
    add_x_variants("layer_activations", lambda v: eu.interpret.layer_activations(model, v, layer="conv1"), acts)
    add_common_args(
        "layer_activations",
        lambda **kw: eu.interpret.layer_activations(model, X, layer="conv1", **kw),
        has_target=False,
    )
    for label, kw in {
        "layer='nope'": {"layer": "nope"},
        "reduce='bad'": {"reduce": "bad"},
        "layer=nn.Linear not in model": {"layer": nn.Linear(2, 2)},
    }.items():
        case(
            "layer_activations",
            label,
            lambda kw=kw: eu.interpret.layer_activations(model, X, **{"layer": "conv", **kw}),
            "error",
            ["layer", "reduce"],
        )

    infl = eu.interpret.filter_influence(model, X, layer="conv1", target=0)
    add_x_variants(
        "filter_influence",
        lambda v: eu.interpret.filter_influence(model, v, layer="conv1", target=0),
        infl,
        result_shape=lambda n: _np(infl).shape,
    )
    add_common_args(
        "filter_influence", lambda **kw: eu.interpret.filter_influence(model, X, layer="conv1", **{"target": 0, **kw})
    )
    case(
        "filter_influence",
        "replace='bad'",
        lambda: eu.interpret.filter_influence(model, X, layer="conv1", replace="bad"),
        "error",
        ["replace"],
    )

    def emb(v=X, **kw):
        return eu.interpret.embeddings(model, v, layer="conv1", **kw)

    def emb_check(n):
        def check(result):
            coords = getattr(result, "coords", None)
            coords = coords if coords is not None else getattr(result, "embedding", result)
            return shaped((n, 2))(np.asarray(coords)) if not isinstance(coords, pd.DataFrame) else None

        return check

    case("embeddings", "plain", emb, "ok", (), emb_check(N))
    case("embeddings", "float64 X", lambda: emb(X.astype(np.float64)), "ok", ["X"], emb_check(N))
    case("embeddings", "N=0", lambda: emb(X[:0]), "any", ["X"], emb_check(0))
    case("embeddings", "N=1", lambda: emb(X[:1]), "any", ["X", "n_components"], emb_check(1))
    for label, kw in {
        "method='bad'": {"method": "bad"},
        "n_components=0": {"n_components": 0},
        "n_components=99": {"n_components": 99},
        "reduce='bad'": {"reduce": "bad"},
        "seed=-1": {"seed": -1},
    }.items():
        case("embeddings", label, lambda kw=kw: emb(**kw), "error", [*kw])


def build_gia_cases() -> None:
    model, X = MODEL, INPUTS["X"]
    gi = eu.interpret
    bg = eu.interpret.dinucleotide_backgrounds(X, n=1, seed=0)
    ppm = np.full((A, 5), 0.25, np.float32)
    motifs = {
        "NaN PPM": np.where(np.arange(5) == 2, np.nan, ppm),
        "negative PPM": ppm - 0.5,
        "all-zero PPM": np.zeros_like(ppm),
        "motif longer than L": "ACGT" * 12,
        "empty string": "",
        "letters not DNA": "ACGZZ",
        "3-row PPM": ppm[:3],
        "3-D array": ppm[None],
        "number": 7,
        "None": None,
    }
    curves = {
        "gia_implant": lambda m=None, **kw: gi.gia_implant(model, bg, m or "TGACTCA", **{"seed": 0, **kw}),
        "gia_positional": lambda m=None, **kw: gi.gia_positional(model, bg, m or "TGACTCA", **{"seed": 0, **kw}),
        "gia_sites": lambda m=None, **kw: gi.gia_sites(
            model, bg, m or "TGACTCA", **{"seed": 0, "n_sites": (1, 2), **kw}
        ),
        "gia_occlusion": lambda m=None, **kw: gi.gia_occlusion(model, X, m or "TGACTCA", **{"seed": 0, **kw}),
        "gia_spacing": lambda m=None, **kw: gi.gia_spacing(model, bg, m or "TGA", "TCA", **{"seed": 0, **kw}),
    }
    for name, fn in curves.items():
        case(name, "plain", fn, "ok" if name != "gia_occlusion" else "any", (), finite_or_table)
        for label, motif in motifs.items():
            call = lambda motif=motif, name=name: _gia_call(name, model, bg, X, motif)  # noqa: E731
            case(name, f"motif {label}", call, "error", ["motif", "motif_a", "ppm", "length", "letter", "alphabet"])
        add_common_args(name, fn, has_seed=True)
        case(
            name,
            "backgrounds N=0",
            lambda name=name: _gia_call(name, model, bg[:0], X[:0], "TGA"),
            "any",
            ["backgrounds", "X"],
            finite_or_table,
        )
        case(
            name,
            "backgrounds float64",
            lambda name=name: _gia_call(name, model, bg.astype(np.float64), X.astype(np.float64), "TGA"),
            "ok",
            ["backgrounds"],
            finite_or_table,
        )
        case(
            name,
            "backgrounds NaN",
            lambda name=name: _gia_call(name, model, bg * np.nan, X * np.nan, "TGA"),
            "error",
            ["backgrounds", "X"],
        )
        case(
            name,
            "backgrounds (N, L, A)",
            lambda name=name: _gia_call(name, model, bg.transpose(0, 2, 1), X.transpose(0, 2, 1), "TGA"),
            "error",
            ["backgrounds", "X"],
        )
    case("gia_implant", "position=-1", lambda: gi.gia_implant(model, bg, "TGA", position=-1), "error", ["position"])
    case("gia_implant", "position=L", lambda: gi.gia_implant(model, bg, "TGA", position=L), "error", ["position"])
    case("gia_implant", "strand='x'", lambda: gi.gia_implant(model, bg, "TGA", strand="x"), "error", ["strand"])
    case(
        "gia_positional",
        "positions beyond L",
        lambda: gi.gia_positional(model, bg, "TGA", positions=[L + 1]),
        "error",
        ["position"],
    )
    case(
        "gia_positional",
        "positions=[]",
        lambda: gi.gia_positional(model, bg, "TGA", positions=[]),
        "any",
        ["positions"],
        finite_or_table,
    )
    case("gia_positional", "step=0", lambda: gi.gia_positional(model, bg, "TGA", step=0), "error", ["step"])
    case(
        "gia_sites",
        "n_sites=[0]",
        lambda: gi.gia_sites(model, bg, "TGA", n_sites=[0]),
        "any",
        ["n_sites"],
        finite_or_table,
    )
    case("gia_sites", "n_sites=[-1]", lambda: gi.gia_sites(model, bg, "TGA", n_sites=[-1]), "error", ["n_sites"])
    case(
        "gia_sites",
        "n_sites=[100] (cannot fit)",
        lambda: gi.gia_sites(model, bg, "TGACTCA", n_sites=[100]),
        "error",
        ["n_sites", "fit"],
    )
    case(
        "gia_spacing",
        "distances=[-5]",
        lambda: gi.gia_spacing(model, bg, "TGA", "TCA", distances=[-5]),
        "error",
        ["distance"],
    )
    case(
        "gia_spacing",
        "distances=[L]",
        lambda: gi.gia_spacing(model, bg, "TGA", "TCA", distances=[L]),
        "error",
        ["distance"],
    )
    case(
        "gia_spacing",
        "orientations=['x']",
        lambda: gi.gia_spacing(model, bg, "TGA", "TCA", orientations=["x"]),
        "error",
        ["orientation"],
    )
    case(
        "gia_occlusion",
        "no matching site (threshold=1, random motif)",
        lambda: gi.gia_occlusion(model, X, "GGGGGGGGGGGG", threshold=1.0),
        "any",
        ["site", "motif"],
        frame(0, 0),
    )
    for value in (-0.1, 1.5, float("nan")):
        case(
            "gia_occlusion",
            f"threshold={value}",
            lambda v=value: gi.gia_occlusion(model, X, "TGA", threshold=v),
            "error",
            ["threshold"],
        )
    case("gia_occlusion", "n_samples=0", lambda: gi.gia_occlusion(model, X, "TGA", n_samples=0), "error", ["n_samples"])
    # implant_motif
    im = gi.implant_motif
    case("implant_motif", "plain", lambda: im(X, "TGA", 3), "ok", (), same_as(_implanted(X, "TGA", 3)))
    case(
        "implant_motif",
        "float64",
        lambda: im(X.astype(np.float64), "TGA", 3),
        "ok",
        ["X"],
        same_as(_implanted(X, "TGA", 3)),
    )
    case(
        "implant_motif",
        "torch",
        lambda: im(torch.from_numpy(X.copy()), "TGA", 3),
        "ok",
        ["X"],
        same_as(_implanted(X, "TGA", 3), torch.Tensor),
    )
    for label, kw in {
        "position=-1": (X, "TGA", -1),
        "position=L-1 (overflows)": (X, "TGA", L - 1),
        "NaN PPM": (X, np.full((A, 3), np.nan), 3),
        "longer than L": (X, "A" * (L + 1), 0),
        "positions list of wrong length": (X, "TGA", [1, 2]),
        "strand x": None,
    }.items():
        if kw is None:
            case("implant_motif", label, lambda: im(X, "TGA", 3, strand="x"), "error", ["strand"])
        else:
            case("implant_motif", label, lambda kw=kw: im(*kw), "error", ["position", "motif", "length"])

    # references and backgrounds
    for kind in ("dinucleotide_shuffle", "shuffle", "gc", "zero", "uniform"):
        group = f"make_references[{kind}]"
        try:
            ref = eu.interpret.make_references(X, kind=kind, n=2, seed=0)
        except Exception as error:  # noqa: BLE001 (an unknown kind is itself a finding)
            case(group, "plain", lambda e=error: (_ for _ in ()).throw(e), "ok", ["kind"])
            continue
        shape = _np(ref).shape
        case(
            group,
            "float64 X",
            lambda kind=kind: eu.interpret.make_references(X.astype(np.float64), kind=kind, n=2, seed=0),
            "ok",
            ["X"],
            shaped(shape, np.ndarray),
        )
        case(
            group,
            "torch X",
            lambda kind=kind: eu.interpret.make_references(torch.from_numpy(X.copy()), kind=kind, n=2, seed=0),
            "ok",
            ["X"],
            shaped(shape, torch.Tensor),
        )
        case(
            group,
            "N=0",
            lambda kind=kind: eu.interpret.make_references(X[:0], kind=kind, n=2, seed=0),
            "any",
            ["X"],
            shaped((0, *shape[1:]), np.ndarray),
        )
        for label, kw in {
            "n=0": {"n": 0},
            "n=-1": {"n": -1},
            "n=2.5": {"n": 2.5},
            "seed=-1": {"seed": -1},
            "seed='x'": {"seed": "x"},
        }.items():
            case(
                group,
                label,
                lambda kind=kind, kw=kw: eu.interpret.make_references(X, kind=kind, **{"n": 2, "seed": 0, **kw}),
                "error",
                [*kw],
            )
        case(
            group,
            "NaN X",
            lambda kind=kind: eu.interpret.make_references(X * np.nan, kind=kind, n=2, seed=0),
            "error",
            ["X"],
        )
    case("make_references", "kind='bad'", lambda: eu.interpret.make_references(X, kind="bad"), "error", ["kind"])
    case(
        "make_references",
        "kind=callable wrong shape",
        lambda: eu.interpret.make_references(X, kind=lambda x, n, rng=None: np.zeros(3)),
        "error",
        ["kind", "references"],
    )
    for fname in ("dinucleotide_backgrounds", "profile_backgrounds"):
        fn = getattr(eu.interpret, fname)
        case(
            fname,
            "plain",
            lambda fn=fn: fn(X, 2, seed=0),
            "ok",
            (),
            shaped((2 * N, A, L) if False else _np(fn(X, 2, seed=0)).shape),
        )
        for label, args in {
            "n=-1": (X, -1),
            "n=2.5": (X, 2.5),
            "X NaN": (X * np.nan, 1),
            "X (N, L, A)": (X.transpose(0, 2, 1), 1),
            "X None": (None, 1),
        }.items():
            case(fname, label, lambda fn=fn, a=args: fn(*a, seed=0), "error", ["n", "X"])
        case(fname, "seed=-1", lambda fn=fn: fn(X, 1, seed=-1), "error", ["seed"])
        case(fname, "N=0", lambda fn=fn: fn(X[:0], 1, seed=0), "any", ["X"], shaped((0, A, L)))
        case(fname, "float64", lambda fn=fn: fn(X.astype(np.float64), 1, seed=0), "ok", ["X"], finite_array)
    for label, args in {
        "n=-1": (-1, L),
        "length=0": (2, 0),
        "length=-1": (2, -1),
        "gc=nan": (2, L, float("nan")),
        "gc=1.5": (2, L, 1.5),
        "gc=-0.1": (2, L, -0.1),
        "n=2.5": (2.5, L),
    }.items():
        case(
            "gc_backgrounds",
            label,
            lambda a=args: eu.interpret.gc_backgrounds(*a, seed=0),
            "error",
            ["n", "length", "gc"],
        )
    case("gc_backgrounds", "n=0", lambda: eu.interpret.gc_backgrounds(0, L, seed=0), "any", ["n"], shaped((0, A, L)))
    case(
        "gc_backgrounds",
        "gc=1 all G/C",
        lambda: eu.interpret.gc_backgrounds(3, L, gc=1.0, seed=0),
        "ok",
        (),
        lambda r: None if np.allclose(r[:, [1, 2]].sum(1), 1) else "not all G/C",
    )


def _gia_call(name: str, model, bg, X, motif):
    gi = eu.interpret
    if name == "gia_implant":
        return gi.gia_implant(model, bg, motif, seed=0)
    if name == "gia_positional":
        return gi.gia_positional(model, bg, motif, seed=0)
    if name == "gia_sites":
        return gi.gia_sites(model, bg, motif, n_sites=(1, 2), seed=0)
    if name == "gia_occlusion":
        return gi.gia_occlusion(model, X, motif, seed=0)
    return gi.gia_spacing(model, bg, motif, "TCA", seed=0)


def _implanted(X: np.ndarray, letters: str, position: int) -> np.ndarray:
    out = X.copy()
    out[:, :, position : position + len(letters)] = eu.seq.one_hot(letters)[0]
    return out


def finite_or_table(result: Any) -> str | None:
    if isinstance(result, tuple):
        for part in result:
            problem = finite_or_table(part)
            if problem:
                return problem
        return None
    if isinstance(result, pd.DataFrame):
        return None
    return finite_array(result)


def build_sdata_cases() -> None:
    model, X = MODEL, INPUTS["X"]
    seqs = eu.seq.decode(X)
    good = xr.Dataset({"seq": ("_sequence", seqs)})
    case("onehot_sdata", "plain", lambda: eu.interpret.onehot_sdata(good), "ok", (), same_as(X))
    bad = {
        "no seq variable": xr.Dataset({"other": ("_sequence", seqs)}),
        "letters not DNA": xr.Dataset({"seq": ("_sequence", ["XYZ" * 13 + "A"] * N)}),
        "ragged lengths": xr.Dataset({"seq": ("_sequence", [s[: 10 + i] for i, s in enumerate(seqs)])}),
        "NaN ohe_seq": xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X * np.nan)}),
        "ohe_seq 5 letters": xr.Dataset(
            {"ohe_seq": (("_sequence", "_ohe", "length"), np.concatenate([X, X[:, :1]], 1))}
        ),
        "not a Dataset": X,
    }
    for label, sdata in bad.items():
        case(
            "onehot_sdata",
            label,
            lambda s=sdata: eu.interpret.onehot_sdata(s),
            "error",
            ["seq", "sdata", "ohe_seq", "letter"],
        )
    case(
        "onehot_sdata",
        "seq_key='nope'",
        lambda: eu.interpret.onehot_sdata(good, seq_key="nope"),
        "error",
        ["seq_key", "nope"],
    )
    case(
        "onehot_sdata",
        "empty dataset (0 sequences)",
        lambda: eu.interpret.onehot_sdata(xr.Dataset({"seq": ("_sequence", np.array([], dtype=str))})),
        "any",
        ["seq"],
        lambda r: None if _np(r).shape[0] == 0 else "not empty",
    )
    base = eu.interpret.attribute(model, X, method="saliency", verbose=False)
    case(
        "attribute_sdata",
        "saliency in memory",
        lambda: eu.interpret.attribute_sdata(model, good, "saliency", key="a")["a"].values,
        "ok",
        (),
        same_as(base),
    )
    case(
        "attribute_sdata", "method='bad'", lambda: eu.interpret.attribute_sdata(model, good, "bad"), "error", ["method"]
    )
    case(
        "attribute_sdata",
        "chunk_size=0",
        lambda: eu.interpret.attribute_sdata(model, good, "saliency", chunk_size=0),
        "error",
        ["chunk_size"],
    )
    case(
        "attribute_sdata",
        "key='seq' (the input)",
        lambda: eu.interpret.attribute_sdata(model, good, "saliency", key="seq", overwrite=True),
        "error",
        ["key", "seq"],
    )
    case(
        "attribute_sdata",
        "model=None",
        lambda: eu.interpret.attribute_sdata(None, good, "saliency"),
        "error",
        ["model"],
    )
    ism_base = eu.interpret.ism(model, X)
    case(
        "ism_sdata",
        "in memory",
        lambda: eu.interpret.ism_sdata(model, good)["ism_attrs"].values,
        "ok",
        (),
        same_as(ism_base),
    )
    case("ism_sdata", "sdata=X", lambda: eu.interpret.ism_sdata(model, X), "error", ["sdata"])
    case(
        "ism_sdata",
        "chunk_size=-1",
        lambda: eu.interpret.ism_sdata(model, good, chunk_size=-1),
        "error",
        ["chunk_size"],
    )
    case(
        "generate_pfms_sdata",
        "plain",
        lambda: eu.interpret.generate_pfms_sdata(model, good, layer="conv1"),
        "ok",
        (),
        lambda r: None if isinstance(r, xr.Dataset) else "not a Dataset",
    )
    case(
        "generate_pfms_sdata",
        "layer='nope'",
        lambda: eu.interpret.generate_pfms_sdata(model, good, layer="nope"),
        "error",
        ["layer"],
    )
    case(
        "gia_sdata",
        "experiment='bad'",
        lambda: eu.interpret.gia_sdata(model, good, "TGA", experiment="bad"),
        "error",
        ["experiment"],
    )
    case(
        "gia_sdata",
        "backgrounds='bad'",
        lambda: eu.interpret.gia_sdata(model, good, "TGA", backgrounds="bad"),
        "error",
        ["backgrounds"],
    )
    case(
        "gia_sdata",
        "plain",
        lambda: eu.interpret.gia_sdata(model, good, "TGA"),
        "ok",
        (),
        lambda r: None if isinstance(r, xr.Dataset) else "not a Dataset",
    )
    case(
        "filters_to_meme_sdata",
        "no pfms key",
        lambda: eu.interpret.filters_to_meme_sdata(xr.Dataset({"seq": ("_sequence", seqs)}), TMP / "f.meme"),
        "error",
        ["key", "conv1_pfms"],
    )


# ----------------------------------------------------------------------------------------------------- file inputs
def write(name: str, content: bytes | str) -> Path:
    path = TMP / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def truncated_gzip(text: str, name: str) -> Path:
    data = gzip.compress(text.encode())
    return write(name, data[: len(data) // 2])


MEME_GOOD = """MEME version 4

ALPHABET= ACGT

strands: + -

Background letter frequencies
A 0.25 C 0.25 G 0.25 T 0.25

MOTIF m1
letter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0
 0.1 0.2 0.3 0.4
 0.4 0.3 0.2 0.1
 0.25 0.25 0.25 0.25

MOTIF m2
letter-probability matrix: alength= 4 w= 2 nsites= 20 E= 0
 0.7 0.1 0.1 0.1
 0.1 0.1 0.1 0.7
"""

JASPAR_GOOD = """>MA0001.1 m1
A [ 1 2 3 ]
C [ 3 2 1 ]
G [ 0 1 0 ]
T [ 1 0 1 ]
>MA0002.1 m2
A [ 4 0 ]
C [ 0 4 ]
G [ 0 0 ]
T [ 0 0 ]
"""

TRANSFAC_GOOD = """AC m1
XX
P0 A C G T
01 1 2 3 4
02 4 3 2 1
XX
//
AC m2
XX
P0 A C G T
01 5 0 0 0
02 0 5 0 0
XX
//
"""

HOMER_GOOD = """>ACG\tm1\t5.0
0.1\t0.2\t0.3\t0.4
0.4\t0.3\t0.2\t0.1
>TT\tm2\t5.0
0.7\t0.1\t0.1\t0.1
0.1\t0.1\t0.1\t0.7
"""


def build_motif_file_cases() -> None:
    readers = {
        "read_meme": (eu.motifs.read_meme, MEME_GOOD, 2),
        "read_jaspar": (eu.motifs.read_jaspar, JASPAR_GOOD, 2),
        "read_transfac": (eu.motifs.read_transfac, TRANSFAC_GOOD, 2),
        "read_homer": (eu.motifs.read_homer, HOMER_GOOD, 2),
    }
    for name, (reader, good, n) in readers.items():
        path = write(f"good_{name}.txt", good)
        case(name, "well-formed", lambda r=reader, p=path: r(p), "ok", (), motif_set(n))
        case(
            name,
            "via read_motifs",
            lambda p=path, f=name[5:]: eu.motifs.read_motifs(p, format=f),
            "ok",
            (),
            motif_set(n),
        )
        common = {
            "missing file": TMP / f"missing_{name}.txt",
            "directory": TMP,
            "empty file": write(f"empty_{name}.txt", ""),
            "binary": write(f"bin_{name}.txt", bytes(range(256)) * 4),
            "UTF-8 BOM": write(f"bom_{name}.txt", "\ufeff" + good),
            "CRLF line ends": write(f"crlf_{name}.txt", good.replace("\n", "\r\n")),
            "truncated gzip": truncated_gzip(good, f"trunc_{name}.txt.gz"),
            "gzip": write(f"gz_{name}.txt.gz", gzip.compress(good.encode())),
            "NaN value": write(f"nan_{name}.txt", _replace_first_number(good, "nan")),
            "inf value": write(f"inf_{name}.txt", _replace_first_number(good, "inf")),
            "negative value": write(f"neg_{name}.txt", _replace_first_number(good, "-0.5")),
            "word for a number": write(f"word_{name}.txt", _replace_first_number(good, "abc")),
            "cut mid-matrix": write(f"cut_{name}.txt", good[: len(good) * 2 // 3].rsplit("\n", 1)[0] + "\n 0.1"),
        }
        for label, p in common.items():
            if label in ("UTF-8 BOM", "CRLF line ends", "gzip"):
                case(name, label, lambda r=reader, p=p: r(p), "ok", [p.name], motif_set(n))
            else:
                case(
                    name,
                    label,
                    lambda r=reader, p=p: r(p),
                    "error" if label != "empty file" else "any",
                    [p.name, "path"],
                    motif_set(0, 0) if label == "empty file" else None,
                )
        case(name, "path=None", lambda r=reader: r(None), "error", ["path"])
        case(name, "path=3", lambda r=reader: r(3), "error", ["path"])
    specific = {
        "read_meme": {
            "more rows than w=": MEME_GOOD.replace(
                " 0.25 0.25 0.25 0.25\n", " 0.25 0.25 0.25 0.25\n 0.1 0.2 0.3 0.4\n"
            ),
            "fewer rows than w=": MEME_GOOD.replace("w= 3", "w= 4"),
            "no letter-probability line": MEME_GOOD.replace(
                "letter-probability matrix: alength= 4 w= 3 nsites= 20 E= 0\n", ""
            ),
            "row of 3 columns": MEME_GOOD.replace(" 0.4 0.3 0.2 0.1", " 0.4 0.3 0.2"),
            "alength=5 with 4 columns": MEME_GOOD.replace("alength= 4 w= 3", "alength= 5 w= 3"),
            "unknown ALPHABET": MEME_GOOD.replace("ALPHABET= ACGT", "ALPHABET= WXYZ"),
            "rows not summing to 1": MEME_GOOD.replace(" 0.1 0.2 0.3 0.4", " 5 5 5 5"),
            "no MEME header": MEME_GOOD.replace("MEME version 4\n", ""),
        },
        "read_jaspar": {
            "row of other length": JASPAR_GOOD.replace("G [ 0 1 0 ]", "G [ 0 1 ]"),
            "missing row": JASPAR_GOOD.replace("T [ 1 0 1 ]\n", ""),
            "unknown letter row": JASPAR_GOOD.replace("T [ 1 0 1 ]", "X [ 1 0 1 ]"),
        },
        "read_transfac": {
            "missing // between motifs": TRANSFAC_GOOD.replace("XX\n//\nAC m2", "XX\nAC m2", 1),
            "row of 3 columns": TRANSFAC_GOOD.replace("01 1 2 3 4", "01 1 2 3"),
            "position numbers out of order": TRANSFAC_GOOD.replace("02 4 3 2 1", "05 4 3 2 1"),
            "no P0 line": TRANSFAC_GOOD.replace("P0 A C G T\n01 1 2 3 4", "01 1 2 3 4"),
        },
        "read_homer": {
            "row of 3 columns": HOMER_GOOD.replace("0.4\t0.3\t0.2\t0.1", "0.4\t0.3\t0.2"),
            "no header": HOMER_GOOD.split(">TT")[0].split("\n", 1)[1],
            "header with no matrix": HOMER_GOOD + ">AAA\tm3\t5.0\n",
        },
    }
    for name, files in specific.items():
        for label, text in files.items():
            path = write(f"{name}_{label.replace(' ', '_').replace('/', '')}.txt", text)
            case(name, label, lambda r=readers[name][0], p=path: r(p), "error", [path.name])
    headerless = write("headerless.jaspar", JASPAR_GOOD.split(">MA0002.1")[0].replace(">MA0001.1 m1\n", ""))
    case(  # documented: a single matrix without a '>' header is named by its file (JASPAR's old .pfm files)
        "read_jaspar",
        "no header (one matrix, named by the file)",
        lambda: eu.motifs.read_jaspar(headerless),
        "ok",
        (),
        lambda r: (
            None
            if r.names == ["headerless"] and np.array_equal(r[0].counts, [[1, 2, 3], [3, 2, 1], [0, 1, 0], [1, 0, 1]])
            else f"read {r.names}"
        ),
    )
    case(
        "read_jaspar",
        "alphabet='XY'",
        lambda: eu.motifs.read_jaspar(TMP / "good_read_jaspar.txt", alphabet="XY"),
        "error",
        ["alphabet", "good_read_jaspar.txt"],
    )
    case(
        "read_motifs",
        "format='bad'",
        lambda: eu.motifs.read_motifs(TMP / "good_read_meme.txt", format="bad"),
        "error",
        ["format"],
    )
    case(
        "read_motifs",
        "unknown content (auto)",
        lambda: eu.motifs.read_motifs(write("junk.txt", "hello\nworld\n")),
        "error",
        ["junk.txt", "format"],
    )


def _replace_first_number(text: str, by: str) -> str:
    for token in ("0.1", " 1 ", "1"):
        for line_no, line in enumerate(text.split("\n")):
            head = line.lstrip()
            if (
                head[:1] in "0123456789AaCcGgTt"
                and any(ch.isdigit() for ch in line)
                and not head.startswith(("MOTIF", "letter", "AC", "P0", "MEME", "A 0.25", "ALPHABET"))
            ):
                if token in line and not line.startswith(">"):
                    lines = text.split("\n")
                    lines[line_no] = line.replace(token.strip(), by, 1)
                    return "\n".join(lines)
    raise AssertionError("no number to replace")


def build_tomtom_scan_cases() -> None:
    motifs = eu.motifs.read_meme(TMP / "good_read_meme.txt")
    tt = eu.motifs.tomtom
    case("tomtom", "plain", lambda: tt(motifs, motifs, thresh=1.0), "ok", (), frame(1, None, (), ()))
    for label, kw in {
        "background NaN": {"background": [np.nan, 0.3, 0.3, 0.4]},
        "background zeros": {"background": [0, 0, 0, 0]},
        "background negative": {"background": [-0.1, 0.5, 0.3, 0.3]},
        "background 3 values": {"background": [0.3, 0.3, 0.4]},
        "background 'x'": {"background": "x"},
        "thresh=nan": {"thresh": float("nan")},
        "thresh=-1": {"thresh": -1.0},
        "thresh=2": {"thresh": 2.0},
        "dist='bad'": {"dist": "bad"},
        "min_overlap=0": {"min_overlap": 0},
        "min_overlap=-1": {"min_overlap": -1},
        "motif_pseudo=-1": {"motif_pseudo": -1.0},
        "motif_pseudo=nan": {"motif_pseudo": float("nan")},
        "evalue='yes'": {"evalue": "yes"},
    }.items():
        case("tomtom", label, lambda kw=kw: tt(motifs, motifs, **kw), "error", [*kw])
    case("tomtom", "query=None", lambda: tt(None, motifs), "error", ["query"])
    case("tomtom", "target missing file", lambda: tt(motifs, TMP / "nope.meme"), "error", ["nope.meme"])
    case("tomtom", "query NaN PPM", lambda: tt(np.full((4, 5), np.nan), motifs), "error", ["query", "motif"])
    case("tomtom", "query (W, A) layout", lambda: tt(np.full((5, 3), 0.33), motifs), "error", ["query", "motif"])
    case("tomtom", "empty query list", lambda: tt([], motifs), "any", ["query"], frame(0, 0))

    X = INPUTS["X"]
    sc = eu.motifs.scan
    case("scan", "plain", lambda: sc(X, motifs[0], threshold=0.0), "ok", (), frame(1))
    case("scan", "float64", lambda: sc(X.astype(np.float64), motifs[0], threshold=0.0), "ok", ["X"], frame(1))
    case("scan", "torch", lambda: sc(torch.from_numpy(X.copy()), motifs[0], threshold=0.0), "ok", ["X"], frame(1))
    case("scan", "N=0", lambda: sc(X[:0], motifs[0]), "any", ["X"], frame(0, 0))
    for label, kw in {
        "threshold=nan": {"threshold": float("nan")},
        "threshold=2": {"threshold": 2.0},
        "threshold=-1": {"threshold": -1.0},
        "background NaN": {"background": [np.nan] * 4},
        "background zeros": {"background": [0.0] * 4},
        "alphabet='XYZ'": {"alphabet": "XYZ"},
    }.items():
        case("scan", label, lambda kw=kw: sc(X, motifs[0], **kw), "error", [*kw])
    for label, motif in {
        "NaN PPM": np.full((4, 3), np.nan),
        "motif longer than L": "A" * (L + 5),
        "None": None,
        "(W, A) PPM": np.full((3, 4), 0.25)[:, :3],
    }.items():
        case(
            "scan",
            f"motif {label}",
            lambda m=motif: sc(X, m),
            "any" if "longer" in label else "error",
            ["motif", "length"],
            frame(0, 0),
        )
    case("scan", "X NaN", lambda: sc(X * np.nan, motifs[0]), "error", ["X"])
    case("scan", "X (N, L, A)", lambda: sc(X.transpose(0, 2, 1), motifs[0]), "error", ["X"])


FASTA_GOOD = ">s1\nACGTACGTAC\n>s2\nGGGGCCCCAA\n"


def build_seq_cases() -> None:
    files = {
        "missing file": (TMP / "missing.fa", "error"),
        "directory": (TMP, "error"),
        "empty file": (write("empty.fa", ""), "any"),
        "binary": (write("binary.fa", bytes(range(256)) * 8), "error"),
        "UTF-8 BOM": (write("bom.fa", "\ufeff" + FASTA_GOOD), "ok"),
        "CRLF": (write("crlf.fa", FASTA_GOOD.replace("\n", "\r\n")), "ok"),
        "truncated gzip": (truncated_gzip(FASTA_GOOD * 50, "trunc.fa.gz"), "error"),
        "gzip": (write("good.fa.gz", gzip.compress(FASTA_GOOD.encode())), "ok"),
        "lone >": (write("lone.fa", ">s1\nACGT\n>\n"), "error"),
        "header without sequence": (write("nohead.fa", ">s1\nACGT\n>s2\n>s3\nACGT\n"), "error"),
        "sequence before any header": (write("nohdr.fa", "ACGT\n>s1\nACGT\n"), "error"),
        "letters outside the alphabet": (write("badletters.fa", ">s1\nACGT!!QZ\n"), "error"),
        "latin-1 byte": (write("latin1.fa", b">s\xe91\nACGT\n"), "any"),
        "NUL bytes": (write("nul.fa", ">s1\nAC\x00GT\n"), "error"),
    }
    for label, (path, expect) in files.items():

        def reads(p=path):
            return eu.seq.read_sequences(p, format="fasta")

        def check_two(result, expect=expect):
            if expect == "ok" and len(result) != 2:
                return f"{len(result)} sequences, expected 2"
            return None

        case("read_sequences[fasta]", label, reads, expect, [path.name, "path"], check_two)
        case(
            "read_fasta",
            label,
            lambda p=path: list(eu.seq.read_fasta(p)),
            "any" if label == "letters outside the alphabet" else expect,  # a raw reader: no alphabet to check
            [path.name, "path"],
            lambda r, expect=expect: (
                None if expect != "ok" or [s for _, s in r] == ["ACGTACGTAC", "GGGGCCCCAA"] else f"got {r!r}"
            ),
        )
        case(
            "load_fasta",
            label,
            lambda p=path: eu.seq.load_fasta(p, one_hot=True),
            expect,
            [path.name, "path"],
            lambda r, expect=expect: None if expect != "ok" else shaped((2, 4, 10))(r[1]),
        )
    auto = {
        "auto: lines file": (write("lines.txt", "ACGT\nGGCC\n"), "ok"),
        "auto: binary": (write("auto.bin", bytes(range(256)) * 8), "error"),
        "auto: BOM lines": (write("bom_lines.txt", "\ufeffACGT\nGGCC\n"), "ok"),
        "auto: deepbind TSV bad header": (write("db.tsv", "a\tb\nACGT\t1\n"), "any"),
        "auto: truncated gzip": (truncated_gzip("ACGT\n" * 5000, "trunc_lines.txt.gz"), "error"),
    }
    for label, (path, expect) in auto.items():
        case(
            "read_sequences[auto]",
            label,
            lambda p=path: eu.seq.read_sequences(p),
            expect,
            [path.name, "path"],
            lambda r, expect=expect: None if expect != "ok" or list(r.seqs)[:2] == ["ACGT", "GGCC"] else f"got {r!r}",
        )
    case(
        "read_sequences",
        "format='bad'",
        lambda: eu.seq.read_sequences(TMP / "crlf.fa", format="bad"),
        "error",
        ["format"],
    )
    case(
        "read_sequences",
        "max_sequences=-1",
        lambda: eu.seq.read_sequences(TMP / "crlf.fa", max_sequences=-1),
        "error",
        ["max_sequences"],
    )
    case(
        "read_sequences",
        "alphabet='XYZ'",
        lambda: eu.seq.read_sequences(TMP / "crlf.fa", alphabet="XYZ"),
        "error",
        ["alphabet"],
    )
    case("read_deepbind_tsv", "binary", lambda: list(eu.seq.read_deepbind_tsv(TMP / "auto.bin")), "error", ["auto.bin"])
    case("read_clip_fasta", "binary", lambda: list(eu.seq.read_clip_fasta(TMP / "auto.bin")), "error", ["auto.bin"])
    case("read_clip_fasta", "lone >", lambda: list(eu.seq.read_clip_fasta(TMP / "lone.fa")), "error", ["lone.fa"])

    oh = eu.seq.one_hot
    case("one_hot", "plain", lambda: oh(["ACGT", "GGCC"]), "ok", (), shaped((2, 4, 4), np.ndarray))
    case("one_hot", "lower case", lambda: oh(["acgt"]), "ok", (), same_as(oh(["ACGT"])))
    case(
        "one_hot",
        "N letter zero column",
        lambda: oh(["ANGT"]),
        "ok",
        (),
        lambda r: None if r[0, :, 1].sum() == 0 else "N not all-zero",
    )
    for label, (args, kw) in {
        "ragged without pad": ((["ACGT", "AC"],), {}),
        "pad='bad'": ((["ACGT", "AC"],), {"pad": "bad"}),
        "length=-1": ((["ACGT"],), {"length": -1}),
        "length=0": ((["ACGT"],), {"length": 0}),
        "alphabet='XYZ'": ((["ACGT"],), {"alphabet": "XYZ"}),
        "on_ambiguous='bad'": ((["ACNT"],), {"on_ambiguous": "bad"}),
        "on_ambiguous='error' with N": ((["ACNT"],), {"on_ambiguous": "error"}),
        "int list": (([1, 2, 3],), {}),
        "None": ((None,), {}),
        "bytes": ((b"ACGT",), {}),
        "letters !?": ((["AC!?"],), {}),
        "numpy int array": ((np.zeros((2, 4), int),), {}),
    }.items():
        case(
            "one_hot",
            label,
            lambda a=args, kw=kw: oh(*a, **kw),
            "error",
            ["seqs", "pad", "length", "alphabet", "on_ambiguous", "letter", "sequence"],
        )
    case("one_hot", "empty list", lambda: oh([]), "any", ["seqs"], shaped((0, 4, 0)))
    case("one_hot", "empty string", lambda: oh([""]), "any", ["seqs", "length", "sequence"], shaped((1, 4, 0)))
    case("decode", "NaN", lambda: eu.seq.decode(INPUTS["X"] * np.nan), "error", ["X"])
    case("decode", "(N, L, A)", lambda: eu.seq.decode(INPUTS["X"].transpose(0, 2, 1)), "error", ["X"])
    case(
        "decode",
        "float64 roundtrip",
        lambda: eu.seq.one_hot(eu.seq.decode(INPUTS["X"].astype(np.float64))),
        "ok",
        (),
        same_as(INPUTS["X"]),
    )
    for fname in ("dinucleotide_shuffle", "shuffle"):
        fn = getattr(eu.seq, fname)
        case(fname, "seed=-1", lambda fn=fn: fn(INPUTS["X"], seed=-1), "error", ["seed"])
        case(fname, "X NaN", lambda fn=fn: fn(INPUTS["X"] * np.nan, seed=0), "error", ["X"])
        case(fname, "N=0", lambda fn=fn: fn(INPUTS["X"][:0], seed=0), "any", ["X"], shaped((0, 1, A, L)))
        case(
            fname,
            "float64 keeps counts (N, n, A, L)",
            lambda fn=fn: fn(INPUTS["X"].astype(np.float64), seed=0),
            "ok",
            ["X"],
            lambda r: None if np.allclose(_np(r).sum(-1), INPUTS["X"].sum(-1)[:, None]) else "letter counts changed",
        )


def build_genome_cases() -> None:
    fasta = write("genome.fa", ">chr1\n" + "ACGT" * 25 + "\n>chr2\n" + "GGCC" * 25 + "\n")
    genome_cases = {
        "BED start > end": ("chr1\t50\t10\n", "error"),
        "BED negative start": ("chr1\t-5\t10\n", "error"),
        "BED unknown chrom": ("chrZ\t5\t10\n", "error"),
        "BED beyond chrom end": ("chr1\t90\t200\n", "any"),
        "BED non-integer": ("chr1\tfive\t10\n", "error"),
        "BED one column": ("chr1\n", "error"),
        "BED empty": ("", "any"),
        "BED binary": (bytes(range(256)) * 4, "error"),
        "BED header + track lines": ("track name=x\n#c\nchr1\t5\t15\n", "ok"),
        "BED truncated gzip": (None, "error"),
    }
    for label, (content, expect) in genome_cases.items():
        path = (
            truncated_gzip("chr1\t5\t15\n" * 2000, "trunc.bed.gz")
            if content is None
            else write(f"{label.replace(' ', '_')}.bed", content)
        )
        case(
            "read_regions",
            label,
            lambda p=path: eu.genome.read_regions(p, fasta, length=10),
            expect,
            [path.name, "bed", "start", "end", "chrom"],
            lambda r: shaped((len(r.X), 4, 10))(r.X),
        )
    good_bed = write("good.bed", "chr1\t5\t15\nchr2\t20\t30\n")
    for label, kw in {
        "length=0": {"length": 0},
        "length=-1": {"length": -1},
        "centre='bad'": {"centre": "bad"},
        "strand='bad'": {"strand": "bad"},
        "alphabet='XYZ'": {"alphabet": "XYZ"},
    }.items():
        case(
            "read_regions",
            label,
            lambda kw=kw: eu.genome.read_regions(good_bed, fasta, **{"length": 10, **kw}),
            "error",
            [*kw],
        )
    for label, path in {
        "missing FASTA": TMP / "none.fa",
        "binary FASTA": write("bin_genome.fa", bytes(256) * 8),
        "FASTA with BOM": write("bom_genome.fa", "\ufeff>chr1\n" + "ACGT" * 25 + "\n"),
    }.items():
        case(
            "read_regions",
            label,
            lambda p=path: eu.genome.read_regions(good_bed, p, length=10),
            "any" if "BOM" in label else "error",
            [path.name, "genome"],
            lambda r: None if eu.seq.decode(r.X[:1])[0] == ("ACGT" * 25)[5:15] else "wrong bases",
        )
    vcf_head = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
    vcfs = {
        "no header": ("chr1\t10\t.\tA\tG\t.\t.\t.\n", "any"),
        "POS=0": (vcf_head + "chr1\t0\t.\tA\tG\t.\t.\t.\n", "error"),
        "POS not an int": (vcf_head + "chr1\tten\t.\tA\tG\t.\t.\t.\n", "error"),
        "too few columns": (vcf_head + "chr1\t10\t.\tA\n", "error"),
        "binary": (bytes(range(256)) * 4, "error"),
        "empty": ("", "any"),
        "REF letters junk": (vcf_head + "chr1\t10\t.\t!!\tG\t.\t.\t.\n", "error"),
    }
    for label, (content, expect) in vcfs.items():
        path = write(f"{label.replace(' ', '_')}.vcf", content)
        case(
            "read_vcf",
            label,
            lambda p=path: eu.genome.read_vcf(p),
            expect,
            [path.name, "vcf", "POS", "REF"],
            lambda r: None if isinstance(r, pd.DataFrame) else "not a DataFrame",
        )
    case("read_vcf", "missing file", lambda: eu.genome.read_vcf(TMP / "none.vcf"), "error", ["none.vcf"])
    ok_vcf = write("ok.vcf", vcf_head + "chr1\t10\t.\tC\tG\t.\t.\t.\n")
    mismatch_vcf = write("mismatch.vcf", vcf_head + "chr1\t10\t.\tT\tG\t.\t.\t.\n")
    case("variant_windows", "plain", lambda: eu.genome.variant_windows(ok_vcf, fasta, 10), "ok", (), lambda r: None)
    case(
        "variant_windows",
        "REF mismatch",
        lambda: eu.genome.variant_windows(mismatch_vcf, fasta, 10),
        "error",
        ["ref", "mismatch"],
    )
    case("variant_windows", "length=0", lambda: eu.genome.variant_windows(ok_vcf, fasta, 0), "error", ["length"])
    case(
        "variant_windows",
        "on_mismatch='bad'",
        lambda: eu.genome.variant_windows(ok_vcf, fasta, 10, on_mismatch="bad"),
        "error",
        ["on_mismatch"],
    )
    case(
        "variant_windows",
        "unknown chrom",
        lambda: eu.genome.variant_windows(write("chrz.vcf", vcf_head + "chrZ\t10\t.\tC\tG\t.\t.\t.\n"), fasta, 10),
        "error",
        ["chrz", "chrom"],
    )


# ------------------------------------------------------------------------ entry points added since the first probe
def build_newer_entry_cases() -> None:
    """read_bed / write_bed / merge_intervals, modisco h5 files, seqlets, trimming, k-mer shuffles, the one-hot
    sampler, motif transforms and verify_store: bad or unusual input against each."""
    good_bed = write("plain.bed", "chr1\t5\t15\tp1\nchr2\t20\t30\tp2\n")
    beds = {
        "well-formed": (good_bed, "ok"),
        "gzip": (write("plain.bed.gz", gzip.compress(good_bed.read_bytes())), "ok"),
        "UTF-8 name": (write("utf8.bed", "chr1\t5\t15\tp\u00b5\n"), "ok"),
        "binary": (write("bin.bed", bytes(range(256)) * 4), "error"),
        "latin-1 byte": (write("latin1.bed", "chr1\t5\t15\tcaf\u00e9\n".encode("latin-1")), "error"),
        "truncated gzip": (truncated_gzip("chr1\t5\t15\n" * 2000, "cut.bed.gz"), "error"),
        "start > end": (write("backwards.bed", "chr1\t50\t10\n"), "error"),
        "float coordinates": (write("float.bed", "chr1\t5.5\t10\n"), "error"),
        "bad strand": (write("strand.bed", "chr1\t5\t15\tp\t0\t*\n"), "error"),
        "missing file": (TMP / "none.bed", "error"),
        "directory": (TMP, "error"),
    }
    for label, (path, expect) in beds.items():
        case(
            "read_bed",
            label,
            lambda p=path: eu.genome.read_bed(p),
            expect,
            [path.name, "bed", "start", "strand"],
            frame(min_rows=1, columns=("chrom", "start", "end")),
        )
    case(
        "read_bed",
        "DataFrame without end",
        lambda: eu.genome.read_bed(pd.DataFrame({"chrom": ["c"], "start": [1]})),
        "error",
        ["end"],
    )
    case("read_bed", "bed=3", lambda: eu.genome.read_bed(3), "error", ["bed"])
    table = eu.genome.read_bed(good_bed)
    case(
        "write_bed",
        "round trip",
        lambda: eu.genome.read_bed(eu.genome.write_bed(TMP / "out.bed", table)),
        "ok",
        (),
        same_table(table),
    )
    case(
        "write_bed",
        "no chrom column",
        lambda: eu.genome.write_bed(TMP / "x.bed", table.drop(columns="chrom")),
        "error",
        ["chrom"],
    )
    scored = table.assign(score=[1.0, np.nan])
    case(
        "merge_intervals",
        "NaN score",
        lambda: eu.genome.merge_intervals(scored),
        "any",
        ["score"],
        frame(finite=("start", "end")),
    )
    case(
        "merge_intervals",
        "merge='bad'",
        lambda: eu.genome.merge_intervals(table.assign(score=1.0), "bad"),
        "error",
        ["merge"],
    )
    case("merge_intervals", "no score column", lambda: eu.genome.merge_intervals(table), "error", ["score"])

    # modisco h5 files
    plain = eu.motifs.MotifSet.from_counts(np.random.default_rng(0).integers(1, 9, (2, 4, 6)).astype(float))
    case(
        "write_modisco",
        "motifs without CWM",
        lambda: eu.motifs.write_modisco(plain, TMP / "p.h5"),
        "error",
        ["patterns", "ModiscoPattern"],
    )

    def empty_round_trip() -> Any:
        eu.motifs.write_modisco(eu.motifs.MotifSet([]), TMP / "empty_set.h5")
        return eu.motifs.read_modisco(TMP / "empty_set.h5")

    case("write_modisco", "empty MotifSet (read back)", empty_round_trip, "any", ["patterns"], motif_set(0, 0))
    for label, path in {
        "missing file": TMP / "none.h5",
        "text file": write("text.h5", "not hdf5\n"),
        "binary": write("bin.h5", bytes(range(256)) * 4),
        "empty file": write("empty.h5", ""),
    }.items():
        case("read_modisco", label, lambda p=path: eu.motifs.read_modisco(p), "error", [path.name, "h5", "modisco"])

    # seqlets
    X = INPUTS["X"]
    rng = np.random.default_rng(1)
    attr = X * rng.normal(size=(N, 1, L)).astype(np.float32)
    attr[:, :, 10:16] *= 10
    table_check = frame(columns=("example_idx", "start", "end"), finite=("start", "end"))
    case("seqlets", "plain", lambda: eu.interpret.seqlets(attr), "ok", (), table_check)
    case(
        "seqlets",
        "tfmodisco",
        lambda: eu.interpret.seqlets(attr, X, method="tfmodisco", window_size=5, flank=2),
        "ok",
        (),
        table_check,
    )
    for label, (args, kw) in {
        "NaN attributions": ((attr * np.nan,), {}),
        "inf attributions": ((np.where(attr > 0, np.inf, attr),), {}),
        "(N, L, A) attributions": ((attr.transpose(0, 2, 1).copy(),), {"method": "tfmodisco"}),
        "method='bad'": ((attr,), {"method": "bad"}),
        "threshold=-1": ((attr,), {"threshold": -1.0}),
        "target_fdr=2": ((attr, X), {"method": "tfmodisco", "target_fdr": 2.0}),
        "min_seqlet_len > L": ((attr,), {"min_seqlet_len": L + 5}),
        "X of another shape": ((attr, X[:, :, :10]), {"method": "tfmodisco"}),
        "attributions=None": ((None,), {}),
    }.items():
        names = ["attributions", "X", *kw] + (["sequence length"] if "(N, L, A)" in label else [])
        case("seqlets", label, lambda a=args, k=kw, n=names: eu.interpret.seqlets(*a, **k), "error", names)
    case("seqlets", "N=0", lambda: eu.interpret.seqlets(attr[:0]), "any", ["attributions"], frame(max_rows=0))
    scores = (attr * X).sum(axis=1)  # documented: (N, L) scores are used as they are
    case(
        "seqlets",
        "(N, L) scores",
        lambda: eu.interpret.seqlets(scores),
        "ok",
        (),
        same_table(eu.interpret.seqlets(attr, X), ("example_idx", "start", "end")),
    )

    # trimming, transforms
    motif = eu.motifs.Motif("m", np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7], [0.25] * 4]).T)
    for fn_name in ("trim", "trim_window"):
        fn = getattr(eu.motifs, fn_name)
        case(fn_name, "plain", lambda f=fn: f(motif), "ok", (), lambda r: None)
        for label, kw in {
            "threshold=nan": {"threshold": float("nan")},
            "threshold=-1": {"threshold": -1.0},
            "min_width=0": {"min_width": 0},
            "flank=-1": {"flank": -1},
            "by='bad'": {"by": "bad"},
            "background NaN": {"background": np.full(4, np.nan)},
            "background of 3": {"background": np.full(3, 1 / 3)},
        }.items():
            case(fn_name, label, lambda f=fn, k=kw: f(motif, **k), "error", [*kw])
        case(fn_name, "motif=array", lambda f=fn: f(np.full((4, 3), 0.25)), "error", ["motif"])
        case(  # documented: min_width is the fewest positions kept, so a narrower motif is kept whole
            fn_name,
            "min_width > width (kept whole)",
            lambda f=fn: f(motif, min_width=9),
            "ok",
            (),
            lambda r: None if (r == (0, 3) if isinstance(r, tuple) else r.width == 3) else f"got {r}",
        )
    for fn_name in ("to_ppm", "to_pwm", "information_content", "consensus"):
        fn = getattr(eu.motifs, fn_name)
        case(fn_name, "plain", lambda f=fn: f(motif), "ok", (), finite_array if fn_name != "consensus" else None)
        for label, matrix in {
            "NaN matrix": np.full((4, 3), np.nan),
            "negative matrix": -np.ones((4, 3)),
            "3-D matrix": np.ones((1, 4, 3)),
            "zero column": np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]),
        }.items():
            case(
                fn_name,
                label,
                lambda f=fn, m=matrix: f(m),
                "error",
                ["motif", "counts", "matrix", "column"],
                finite_array if fn_name != "consensus" else None,
            )

    # k-mer shuffles, the one-hot sampler
    for label, (args, kw) in {
        "k=0": ((X, 0), {}),
        "k > L": ((X, L + 1), {}),
        "n=0": ((X, 2), {"n": 0}),
        "seed=-1": ((X, 2), {"seed": -1}),
        "(N, L, A)": ((X.transpose(0, 2, 1).copy(), 2), {}),
        "NaN X": ((X * np.nan, 2), {}),
    }.items():
        case("kmer_shuffle", label, lambda a=args, k=kw: eu.seq.kmer_shuffle(*a, **k), "error", ["k", "n", "seed", "X"])
    case("kmer_shuffle", "k=2", lambda: eu.seq.kmer_shuffle(X, 2, n=2), "ok", (), shaped((N, 2, A, L)))
    probs = np.full((A, L), 1 / A)
    case("sample_onehot", "plain", lambda: eu.seq.sample_onehot(probs, 2), "ok", (), shaped((2, A, L)))
    # documented: each column is normalized first (counts work), and n=0 gives an empty (0, A, W) array
    case(
        "sample_onehot",
        "counts",
        lambda: eu.seq.sample_onehot(probs * 3, 2),
        "ok",
        (),
        same_as(eu.seq.sample_onehot(probs, 2)),
    )
    case("sample_onehot", "n=0", lambda: eu.seq.sample_onehot(probs, 0), "ok", (), shaped((0, A, L)))
    for label, (value, kw) in {
        "NaN probabilities": (probs * np.nan, {}),
        "negative probabilities": (probs - 1, {}),
        "1-D probabilities": (probs[:, 0], {}),
        "seed=-1": (probs, {"seed": -1}),
    }.items():
        case(
            "sample_onehot", label, lambda v=value, k=kw: eu.seq.sample_onehot(v, **k), "error", ["probs", "n", "seed"]
        )

    # verify_store
    case(
        "verify_store",
        "missing store",
        lambda: eu.interpret.verify_store(TMP / "none.zarr"),
        "error",
        ["none.zarr", "store"],
    )
    case("verify_store", "a plain file", lambda: eu.interpret.verify_store(good_bed), "error", ["plain.bed", "store"])
    case(
        "verify_store",
        "an empty folder",
        lambda: eu.interpret.verify_store(Path(tempfile.mkdtemp(dir=TMP))),
        "error",
        ["store", "zarr"],
    )


def same_table(reference: pd.DataFrame, columns: tuple[str, ...] = ("chrom", "start", "end")) -> Callable:
    def check(result: Any) -> str | None:
        want, got = (t[list(columns)].reset_index(drop=True) for t in (reference, result))
        return None if got.equals(want) else "the table differs from the reference"

    return check


class Evil:
    def __reduce__(self):
        return (os.system, ("true",))


def build_model_loading_cases() -> None:
    state = TMP / "state.pt"
    torch.save(MODEL.state_dict(), state)
    whole = TMP / "whole.pt"
    torch.save(MODEL, whole)
    evil = TMP / "evil.pt"
    torch.save({"x": Evil()}, evil)
    raw_pickle = write("raw.pkl", pickle.dumps(Evil()))
    lm = eu.models.load_model
    factory = "eugene.models:DeepBind"
    fk = {"seq_len": L, "n_outputs": 2}
    case(
        "load_model",
        "factory + state dict",
        lambda: lm(factory, state, factory_kwargs=fk),
        "ok",
        (),
        lambda m: same_as(eu.interpret.predict(MODEL, INPUTS["X"]))(eu.interpret.predict(m, INPUTS["X"])),
    )
    for label, (args, kw, names) in {
        "missing weights file": ((factory, TMP / "nope.pt"), {"factory_kwargs": fk}, ["nope.pt"]),
        "weights is a directory": ((factory, TMP), {"factory_kwargs": fk}, [TMP.name, "weights"]),
        "garbage weights": (
            (factory, write("garbage.pt", b"not a torch file" * 10)),
            {"factory_kwargs": fk},
            ["garbage.pt"],
        ),
        "truncated weights": (
            (factory, write("trunc.pt", state.read_bytes()[:100])),
            {"factory_kwargs": fk},
            ["trunc.pt"],
        ),
        "untrusted pickle (whole module)": ((whole,), {}, ["trust", "whole.pt"]),
        "untrusted pickle with os.system": ((factory, evil), {"factory_kwargs": fk}, ["trust", "evil.pt"]),
        "raw pickle of os.system": ((raw_pickle,), {}, ["trust", "raw.pkl"]),
        "module not found": (("no_such_module_xyz:f",), {}, ["no_such_module_xyz"]),
        "callable not found": (("eugene.models:nope",), {}, ["nope"]),
        "factory wrong kwargs": ((factory,), {"factory_kwargs": {"bogus": 1}}, ["bogus", "factory"]),
        "factory returns non-module": (("eugene.models:list_models",), {}, ["list_models", "module"]),
        "wrong shapes in state dict": (
            (factory, state),
            {"factory_kwargs": {"seq_len": L, "n_outputs": 5}},
            ["state", "size", "shape"],
        ),
        "source=None": ((None,), {}, ["source"]),
        "source=3": ((3,), {}, ["source"]),
        "device='nope'": ((factory, state), {"factory_kwargs": fk, "device": "nope"}, ["device"]),
        "prefix not found": ((factory, state), {"factory_kwargs": fk, "prefix": "zzz."}, ["prefix", "zzz"]),
        "empty string": (("",), {}, ["source"]),
        "missing path.py": ((str(TMP / "none.py") + ":f",), {}, ["none.py"]),
    }.items():
        case("load_model", label, lambda a=args, kw=kw: lm(*a, **kw), "error", names)
    case("summary", "seq_len=0", lambda: eu.models.summary(MODEL, seq_len=0), "error", ["seq_len"])
    case("summary", "model=None", lambda: eu.models.summary(None), "error", ["model"])
    case("summary", "plain", lambda: eu.models.summary(MODEL), "ok", (), frame(1))
    for name, kw in {
        "seq_len=0": {"seq_len": 0},
        "n_outputs=-1": {"n_outputs": -1},
        "dropout=1": {"dropout": 1.0},
        "dropout=nan": {"dropout": float("nan")},
        "alphabet_size=2.5": {"alphabet_size": 2.5},
        "bogus kwarg": {"bogus": 1},
    }.items():
        case("build", name, lambda kw=kw: eu.models.build("deepbind", **kw), "error", [*kw, "bogus"])
    case("build", "unknown name", lambda: eu.models.build("nope"), "error", ["nope", "name"])


def build_cli_cases() -> None:
    fasta = write("cli.fa", "".join(f">s{i}\n{s}\n" for i, s in enumerate(eu.seq.decode(INPUTS["X"]))))
    model = ["--model", "eugene.models:DeepBind", "--model-arg", f"seq_len={L}", "--model-arg", "n_outputs=2"]
    meme = TMP / "good_read_meme.txt"
    out = str(TMP / "cli_out.npz")
    argvs = {
        "no command": ([], ["usage", "command"]),
        "unknown command": (["nope"], ["nope", "command"]),
        "ism without --model": (["ism", "--sequences", str(fasta), "--out", out], ["--model"]),
        "ism --batch-size 0": (
            ["ism", *model, "--sequences", str(fasta), "--out", out, "--batch-size", "0"],
            ["batch"],
        ),
        "ism --batch-size abc": (
            ["ism", *model, "--sequences", str(fasta), "--out", out, "--batch-size", "abc"],
            ["batch"],
        ),
        "ism --seed -1": (["ism", *model, "--sequences", str(fasta), "--out", out, "--seed", "-1"], ["seed"]),
        "ism --target 9": (["ism", *model, "--sequences", str(fasta), "--out", out, "--target", "9"], ["target"]),
        "ism --target x": (["ism", *model, "--sequences", str(fasta), "--out", out, "--target", "x"], ["target"]),
        "ism missing sequences": (["ism", *model, "--sequences", str(TMP / "none.fa"), "--out", out], ["none.fa"]),
        "ism binary sequences": (["ism", *model, "--sequences", str(TMP / "binary.fa"), "--out", out], ["binary.fa"]),
        "ism --out a.txt": (
            ["ism", *model, "--sequences", str(fasta), "--out", str(TMP / "a.txt")],
            ["--out", "a.txt", "npz"],
        ),
        "ism --chunk-size 0 zarr": (
            ["ism", *model, "--sequences", str(fasta), "--out", str(TMP / "o.zarr"), "--chunk-size", "0"],
            ["chunk"],
        ),
        "ism --device nope": (["ism", *model, "--sequences", str(fasta), "--out", out, "--device", "nope"], ["device"]),
        "ism --model-arg bad": (
            [
                "ism",
                "--model",
                "eugene.models:DeepBind",
                "--model-arg",
                "seq_len",
                "--sequences",
                str(fasta),
                "--out",
                out,
            ],
            ["model-arg", "KEY=VALUE"],
        ),
        "ism --model nomodule:f": (
            ["ism", "--model", "no_such_mod_q:f", "--sequences", str(fasta), "--out", out],
            ["no_such_mod_q"],
        ),
        "ism --max-sequences -1": (
            ["ism", *model, "--sequences", str(fasta), "--out", out, "--max-sequences", "-1"],
            ["max-sequences", "max_sequences"],
        ),
        "ism --regions without --genome": (
            ["ism", *model, "--regions", str(TMP / "good.bed"), "--out", out],
            ["--genome", "genome"],
        ),
        "attribute --method bad": (
            ["attribute", *model, "--sequences", str(fasta), "--out", out, "--method", "bad"],
            ["method"],
        ),
        "attribute --n-references 0": (
            ["attribute", *model, "--sequences", str(fasta), "--out", out, "--n-references", "0"],
            ["references"],
        ),
        "attribute --seed -1": (
            ["attribute", *model, "--sequences", str(fasta), "--out", out, "--seed", "-1"],
            ["seed"],
        ),
        "tomtom missing query": (["tomtom", str(TMP / "none.meme"), "--out", str(TMP / "t.tsv")], ["none.meme"]),
        "tomtom --thresh nan": (["tomtom", str(meme), "--out", str(TMP / "t.tsv"), "--thresh", "nan"], ["thresh"]),
        "tomtom binary query": (
            ["tomtom", str(TMP / "bin_read_meme.txt"), "--out", str(TMP / "t.tsv")],
            ["bin_read_meme.txt"],
        ),
        "filters --layer nope": (
            ["filters", *model, "--sequences", str(fasta), "--out", str(TMP / "f.meme"), "--layer", "nope"],
            ["layer", "nope"],
        ),
        "gia --motif NaN-free junk": (
            ["gia", *model, "--sequences", str(fasta), "--motif", "ACGZZ", "--out", str(TMP / "g.tsv")],
            ["motif", "ACGZZ", "letter"],
        ),
        "verify missing store": (["verify", str(TMP / "none.zarr")], ["none.zarr"]),
        "verify a plain file": (["verify", str(fasta)], ["cli.fa"]),
        "report --out a dir that is a file": (
            ["report", *model, "--sequences", str(fasta), "--out", str(fasta)],
            ["cli.fa", "--out", "out"],
        ),
    }
    for label, (argv, names) in argvs.items():
        case("cli", label, lambda a=argv: _run_cli(a), "error", names)


class CommandFailed(ValueError):
    """The command exited non-zero; the message is what it printed."""


def _run_cli(argv: list[str]) -> Any:
    err, outp = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(outp):
            code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code
    text = (err.getvalue() + outp.getvalue()).strip()
    if "Traceback" in text:
        raise RuntimeError(f"traceback printed: {text[-300:]}")
    if code:
        raise CommandFailed(text.splitlines()[-1] if text else f"exit {code} with no message")
    return f"exit 0: {text[-200:]}"


# ---------------------------------------------------------------------------------------------------- running
def classify(c: Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = c.call()
        except CLEAR_TYPES as error:
            message = f"{type(error).__name__}: {error}"
            c.message = message.replace("\n", " ")[:400]
            named = not c.names or any(n.lower() in str(error).lower() for n in c.names)
            c.outcome = "clear error" if named and not isinstance(error, NOT_CLEAR) else "unclear error"
            return
        except Exception as error:  # noqa: BLE001
            c.outcome, c.message = "unclear error", f"{type(error).__name__}: {error}".replace("\n", " ")[:400]
            return
    if c.expect == "error":
        c.outcome, c.message = "silent wrong", f"accepted; returned {_short(result)}"
        return
    try:
        problem = c.check(result) if c.check is not None else None
    except Exception as error:  # noqa: BLE001 (a result the check cannot read is of the wrong kind)
        problem = f"result of an unexpected kind ({_short(result)}): {type(error).__name__}: {error}"
    c.outcome, c.message = ("silent wrong", problem) if problem else ("ok", "")


def _short(result: Any) -> str:
    if isinstance(result, (np.ndarray, torch.Tensor)):
        return f"{type(result).__name__}{tuple(result.shape)}"
    if isinstance(result, pd.DataFrame):
        return f"DataFrame with {len(result)} rows"
    if isinstance(result, tuple):
        return "(" + ", ".join(_short(r) for r in result) + ")"
    return repr(result)[:120]


def thread_probe() -> list[tuple[str, str]]:
    """fast ISM, DeepLiftShap and filter_pfms from 6 threads at once against the serial results."""
    model, X = tiny_model(1), INPUTS["X"]
    call, getattr_ = nn.Module.__call__, nn.Module.__getattr__
    jobs = {
        "ism(fast=True)": lambda: eu.interpret.ism(model, X, fast=True),
        "attribute deeplift_shap": lambda: eu.interpret.attribute(
            model, X, "deeplift_shap", n_references=3, seed=0, verbose=False
        ),
        "filter_pfms": lambda: eu.interpret.filter_pfms(model, X, layer="conv1"),
    }
    serial = {name: _np(job()) for name, job in jobs.items()}
    results: dict[str, list] = {name: [] for name in jobs}
    errors: list[str] = []

    def worker(i: int) -> None:
        for _ in range(3):
            for name, job in list(jobs.items())[i % 3 :] + list(jobs.items())[: i % 3]:
                try:
                    results[name].append(_np(job()))
                except Exception as error:  # noqa: BLE001
                    errors.append(f"{name}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = []
    for name in jobs:
        bad = sum(not np.allclose(r, serial[name], atol=1e-5) for r in results[name])
        rows.append((name, f"{len(results[name])} runs, {bad} differing from serial"))
    rows.append(("errors", "; ".join(errors[:3]) or "none"))
    rows.append(
        (
            "nn.Module.__call__ / __getattr__ unchanged",
            str(nn.Module.__call__ is call and nn.Module.__getattr__ is getattr_),
        )
    )
    rows.append(
        (
            "model training flag / requires_grad kept",
            str(not model.training and all(p.requires_grad for p in model.parameters())),
        )
    )
    return rows


BUILDERS = {
    "model": build_model_cases,
    "gia": build_gia_cases,
    "sdata": build_sdata_cases,
    "motif files": build_motif_file_cases,
    "tomtom/scan": build_tomtom_scan_cases,
    "seq": build_seq_cases,
    "genome": build_genome_cases,
    "models": build_model_loading_cases,
    "cli": build_cli_cases,
    "newer entry points": build_newer_entry_cases,
}


def main(argv: list[str] | None = None) -> int:
    global MODEL, INPUTS, TMP
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--all", action="store_true", help="list every case with its class")
    parser.add_argument("--only", default="", help="run only cases whose group contains this text")
    parser.add_argument("--no-threads", action="store_true", help="skip the thread-safety section")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    eu.settings.verbose = False  # the probe's report, without a progress bar per case
    MODEL, INPUTS = tiny_model(0), make_inputs(0)
    with tempfile.TemporaryDirectory(prefix="eugene-probe-") as tmp:
        TMP = Path(tmp)
        build_motif_file_cases_first = BUILDERS.pop("motif files")  # tomtom/scan and cli read its files
        build_motif_file_cases_first()
        for name, build in BUILDERS.items():
            try:
                build()
            except Exception as error:  # noqa: BLE001 (a reference call failing is itself a finding)
                case(name, "building the cases (reference call)", lambda e=error: (_ for _ in ()).throw(e), "ok")
        selected = [c for c in CASES if args.only in c.group]
        for c in selected:
            classify(c)
        thread_rows = [] if args.no_threads or args.only else thread_probe()
    counts = Counter(c.outcome for c in selected)
    width = max(len(f"{c.group}: {c.name}") for c in selected)
    print(
        f"\nreliability probe: {len(selected)} cases in {time.perf_counter() - start:.0f} s (torch {torch.__version__})"
    )
    print(f"{'cases':>8} {'ok':>6} {'clear errors':>13} {'unclear errors':>15} {'silent wrong':>13}")
    print(
        f"{len(selected):>8} {counts['ok']:>6} {counts['clear error']:>13} {counts['unclear error']:>15} "
        f"{counts['silent wrong']:>13}"
    )
    by_group = Counter(c.group.split("[")[0] for c in selected)
    bad_by_group = Counter(c.group.split("[")[0] for c in selected if c.outcome in ("unclear error", "silent wrong"))
    print(
        "\nper group (cases / not ok-or-clear): "
        + ", ".join(f"{g} {n}/{bad_by_group[g]}" for g, n in sorted(by_group.items()))
    )
    shown = selected if args.all else [c for c in selected if c.outcome in ("unclear error", "silent wrong")]
    if shown:
        print()
    for c in shown:
        print(f"{c.outcome:>13} | {f'{c.group}: {c.name}':<{width}} | {c.message}")
    if thread_rows:
        print("\nthread safety (6 threads x 3 rounds):")
        for name, value in thread_rows:
            print(f"  {name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
