"""One switch for progress bars and compile notices (issue 15): bars on by default for every long operation, silenced
by ``eugene.settings`` (process), ``eugene.settings.progress`` (one block of one thread) or ``EUGENE_VERBOSE``."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import eugene
from eugene import interpret, motifs, seq
from eugene._settings import ENVIRONMENT, show_progress

SEQ_LEN = 30


@pytest.fixture
def switch(monkeypatch):
    """eugene.settings with no process-wide value and no environment variable: on by default; set back after."""
    monkeypatch.delenv(ENVIRONMENT, raising=False)
    eugene.settings.verbose = None
    yield eugene.settings
    eugene.settings.verbose = None


def test_on_by_default_and_each_way_of_switching_it_off(switch, monkeypatch):
    assert show_progress(None) is True
    for value in ("0", "false", "No", " off "):
        monkeypatch.setenv(ENVIRONMENT, value)
        assert show_progress(None) is False, value
    monkeypatch.setenv(ENVIRONMENT, "1")
    assert show_progress(None) is True
    switch.verbose = False  # the process-wide value comes before the environment
    assert show_progress(None) is False and switch.verbose is False
    with switch.progress(True):  # the block comes before both
        assert show_progress(None) is True
    assert show_progress(None) is False
    switch.verbose = None  # back to the environment
    assert show_progress(None) is True


def test_an_explicit_verbose_wins_over_the_switch(switch):
    switch.verbose = False
    assert show_progress(True) is True and show_progress(np.bool_(True)) is True
    switch.verbose = True
    assert show_progress(False) is False


def test_a_block_switches_its_own_thread_only_and_is_undone_on_error(switch):
    seen = {}
    started, checked = threading.Event(), threading.Event()

    def other() -> None:
        started.wait()
        seen["other"] = show_progress(None)
        checked.set()

    thread = threading.Thread(target=other)
    thread.start()
    with pytest.raises(RuntimeError), switch.progress(False):
        started.set()
        checked.wait()
        seen["this"] = show_progress(None)
        raise RuntimeError("leaves the block")
    thread.join()
    assert seen == {"this": False, "other": True}
    assert show_progress(None) is True


@pytest.mark.parametrize("value", ["yes", 1, 0.0])
def test_values_other_than_true_false_none_are_refused(switch, value):
    with pytest.raises(TypeError, match="verbose must be True, False or None"):
        show_progress(value)
    with pytest.raises(TypeError, match="eugene.settings.verbose must be True or False"):
        switch.verbose = value
    with pytest.raises(TypeError, match="verbose must be True or False"):
        with switch.progress(value):
            pass


def _model() -> nn.Module:
    generator = torch.Generator().manual_seed(0)
    model = nn.Sequential(nn.Conv1d(4, 4, 5), nn.ReLU(), nn.Flatten(), nn.Linear(4 * (SEQ_LEN - 4), 1))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(0.3 * torch.randn(parameter.shape, generator=generator))
    return model.eval()


MODEL = _model()
X = seq.one_hot(["".join(np.random.default_rng(i).choice(list("ACGT"), SEQ_LEN)) for i in range(6)])
PFMS = motifs.MotifSet(
    [motifs.Motif(f"m{i}", np.random.default_rng(i).dirichlet(np.ones(4), size=6).T) for i in range(50)]
)

# every long operation: a bar by default
LONG: dict[str, Callable[[], Any]] = {
    "attribute": lambda: interpret.attribute(MODEL, X, "saliency", batch_size=2),
    "ism": lambda: interpret.ism(MODEL, X, batch_size=2),
    "filter_pfms": lambda: interpret.filter_pfms(MODEL, X, batch_size=2),
    "gia_positional": lambda: interpret.gia_positional(MODEL, X, "ACGT", step=10),
    "gia_implant": lambda: interpret.gia_implant(MODEL, X, "ACGT", batch_size=2),
    "predict": lambda: interpret.predict(MODEL, X, batch_size=2),
    "tomtom": lambda: motifs.tomtom(PFMS, PFMS, thresh=None),
    "attribute_sdata": lambda: interpret.attribute_sdata(
        MODEL, __import__("xarray").Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X)}), "saliency",
        chunk_size=2,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", LONG)
def test_every_long_operation_shows_a_bar_on_stderr_by_default_and_the_switch_silences_it(switch, name, capsys):
    LONG[name]()
    out, err = capsys.readouterr()
    assert out == "" and re.search(r"\d+/\d+ \[", err), err  # tqdm's "3/3 [00:00<00:00, ...]", on stderr only
    switch.verbose = False
    LONG[name]()
    assert capsys.readouterr() == ("", "")


def test_the_compile_notice_follows_the_switch(switch, monkeypatch, capsys):
    from numba.core import caching

    from eugene import _jit

    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])  # no cache: every new signature compiles
    family = "test-settings-notice"

    def plus_three(x):
        return x + 3

    kernel = _jit.kernel()(plus_three)
    try:
        switch.verbose = False
        with _jit.compiling(family):
            kernel(1)  # compiled, silently
        assert capsys.readouterr().err == ""
        switch.verbose = True
        with _jit.compiling(family):
            kernel(1.5)  # compiled again for floats: the notice
        assert capsys.readouterr().err.splitlines() == [_jit._message(family, cached=False)]
    finally:
        _jit._noticed.discard(family)
        _jit._kernels.discard(plus_three)
        _jit._uncached.discard(plus_three)
