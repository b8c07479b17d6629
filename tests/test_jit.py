"""eugene's compiled kernels: all made by eugene._jit, cached once per machine (also from a read-only install), and a
one-line notice only while a kernel is really compiled.

The subprocess tests use a probe module of two tiny kernels made by ``eugene._jit.kernel`` (compiling eugene's own
kernels takes minutes on the shared machine); the real kernels are checked to be made the same way.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core import caching
from numba.core.registry import CPUDispatcher

from eugene import _jit

KERNEL_MODULES = [
    "eugene.seq.shuffle",
    "eugene.motifs.tomtom.kernel",
    "eugene.motifs.tomtom.pvalues",
    "eugene.motifs.tomtom.qvalues",
    "eugene.motifs.tomtom.ranking",
    "eugene.motifs.tomtom.scores",
    "eugene.interpret._onehot_conv",
    "eugene.interpret.seqlet_calling",
]

PROBE = """
from eugene._jit import kernel


@kernel()
def twice(x):
    return 2 * x


@kernel(nogil=True)
def thrice(x):
    return 3 * x
"""

# runs the probe's kernels in two blocks of one family; prints numba's cache statistics of the probe's kernels as JSON
CHILD = """
import json, sys
from eugene._jit import compiling
import probe
verbose = sys.argv[1] == "1"
with compiling("probe", verbose):
    probe.twice(1)
with compiling("probe", verbose):
    probe.thrice(1)
stats = [probe.twice.stats, probe.thrice.stats]
print(json.dumps({
    "hits": sum(sum(s.cache_hits.values()) for s in stats),
    "misses": sum(sum(s.cache_misses.values()) for s in stats),
    "cache_path": stats[0].cache_path,
}))
"""

SRC = Path(_jit.__file__).resolve().parents[1]


def _probe_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "probe"
    folder.mkdir(parents=True)
    (folder / "probe.py").write_text(textwrap.dedent(PROBE))
    return folder


def _run(folder: Path, verbose: bool, *, prefix: tuple[str, ...] = (), **env: str) -> tuple[dict, list[str]]:
    """Run the child on the probe in ``folder``; its statistics and its stderr lines from eugene."""
    environ = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"}
    environ.update(env, PYTHONPATH=os.pathsep.join([str(folder), str(SRC)]))
    done = subprocess.run(
        [*prefix, sys.executable, "-c", CHILD, "1" if verbose else "0"],
        env=environ,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    notices = [line for line in done.stderr.splitlines() if line.startswith("eugene:")]
    return json.loads(done.stdout.strip().splitlines()[-1]), notices


def test_every_numba_kernel_is_made_by_eugene_jit():
    found = 0
    for name in KERNEL_MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, CPUDispatcher) and value.py_func.__module__ == name:
                found += 1
                assert value.py_func in _jit._kernels, f"{name}.{attr} is jitted outside eugene._jit.kernel"
                assert value._cache.__class__.__name__ == "FunctionCache", f"{name}.{attr} is not cached"
    assert found >= 20


def test_compiled_once_per_machine_with_one_notice_then_loaded_silently(tmp_path):
    folder = _probe_dir(tmp_path)
    cold, notices = _run(folder, verbose=True)
    assert cold["misses"] == 2 and cold["hits"] == 0
    assert notices == ["eugene: compiling the probe kernels once for this machine; later runs start at once"]
    assert Path(cold["cache_path"]) == folder / "__pycache__"  # in the module's own folder when it is writable

    warm, notices = _run(folder, verbose=True)  # a new process: loaded from the cache, nothing compiled or said
    assert warm["misses"] == 0 and warm["hits"] == 2
    assert notices == []


def test_notice_only_while_compiling_eugene_kernels_once_per_family_and_only_when_verbose(monkeypatch, capsys):
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])  # no cache: every new signature compiles
    family = "test-notice"

    def plus_one(x):
        return x + 1

    def plus_two(x):
        return x + 2

    one, two = _jit.kernel()(plus_one), _jit.kernel()(plus_two)
    try:
        with _jit.compiling(family, verbose=False):
            one(1)  # compiled, but verbose=False silences the notice
        with _jit.compiling(family, verbose=True):
            numba.njit(lambda x: x)(1)  # compiled, but not one of eugene's kernels
            one(2)  # eugene's, but already compiled in this process
        assert capsys.readouterr().err == ""
        with _jit.compiling(family, verbose=True):
            one(1.5)
            two(1)
        with _jit.compiling(family, verbose=True):
            two(2.5)  # compiled again, but the family has had its notice in this process
        assert capsys.readouterr().err.splitlines() == [_jit._message(family, cached=False)]
        assert one.stats.cache_misses and two.stats.cache_misses
    finally:
        _jit._noticed.discard(family)
        _jit._kernels.difference_update({plus_one, plus_two})
        _jit._uncached.difference_update({plus_one, plus_two})


def test_notice_names_the_family_and_its_time():
    assert _jit._message("TOMTOM", cached=True) == (
        f"eugene: compiling the TOMTOM kernels once for this machine (about {_jit.FAMILIES['TOMTOM']}); "
        "later runs start at once"
    )
    assert "set NUMBA_CACHE_DIR to a writable folder" in _jit._message("TOMTOM", cached=False)


def _read_only_prefix() -> tuple[str, ...]:
    """A command prefix that takes away root's power to write where permissions forbid it, or a skip."""
    if os.geteuid() != 0:
        return ()
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: read-only folders would still be writable")
    return (setpriv, "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--")


def _make_read_only(path: Path) -> None:
    for p in [path, *path.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def test_read_only_install_caches_in_the_user_cache_folder_once(tmp_path):
    prefix = _read_only_prefix()
    folder = _probe_dir(tmp_path)
    _make_read_only(folder)
    user_cache = tmp_path / "user-cache"
    user_cache.mkdir()
    try:
        cold, notices = _run(folder, verbose=True, prefix=prefix, XDG_CACHE_HOME=str(user_cache))
        assert cold["misses"] == 2
        assert Path(cold["cache_path"]).is_relative_to(user_cache / "numba")
        assert len(notices) == 1 and "once for this machine" in notices[0]
        assert not (folder / "__pycache__").exists()
        warm, notices = _run(folder, verbose=True, prefix=prefix, XDG_CACHE_HOME=str(user_cache))
        assert warm["misses"] == 0 and warm["hits"] == 2 and notices == []
    finally:
        folder.chmod(0o755)


def test_no_writable_cache_folder_compiles_per_process_and_says_so(tmp_path):
    prefix = _read_only_prefix()
    folder = _probe_dir(tmp_path)
    user_cache = tmp_path / "user-cache"
    user_cache.mkdir()
    _make_read_only(folder)
    _make_read_only(user_cache)
    try:
        stats, notices = _run(folder, verbose=True, prefix=prefix, XDG_CACHE_HOME=str(user_cache))
        assert stats["misses"] == 2 and stats["cache_path"] is None  # compiled in this process, kept nowhere
        assert notices == [
            "eugene: compiling the probe kernels; no cache folder is writable, so every new process "
            "compiles them again (set NUMBA_CACHE_DIR to a writable folder to keep them)"
        ]
    finally:
        folder.chmod(0o755)
        user_cache.chmod(0o755)


def test_kernel_without_a_cache_locator_still_compiles(monkeypatch):
    monkeypatch.setattr(caching.CacheImpl, "_locator_classes", [])
    with pytest.raises(RuntimeError, match="no locator available"):  # what numba.njit(cache=True) alone does
        numba.njit(cache=True)(lambda x: x)

    def add_one(x):
        return x + 1

    made = _jit.kernel()(add_one)
    assert made(41) == 42
    assert add_one in _jit._uncached and add_one in _jit._kernels
    _jit._kernels.discard(add_one)
    _jit._uncached.discard(add_one)


@pytest.mark.parametrize("verbose", [True, False])
def test_tomtom_and_the_filter_kernels_open_the_notice_with_their_verbose(monkeypatch, verbose):
    import torch

    import eugene.motifs as em
    from eugene.interpret import _onehot_conv
    from eugene.interpret.filters import filter_counts
    from eugene.motifs.tomtom import api

    opened = []

    def recording(family, verbose=True):
        opened.append((family, verbose))
        return _jit.compiling(family, verbose)

    monkeypatch.setattr(api, "compiling", recording)
    monkeypatch.setattr(_onehot_conv, "compiling", recording)
    rng = np.random.default_rng(0)
    motifs = em.MotifSet([em.Motif(f"m{i}", rng.dirichlet(np.ones(4), 6).T) for i in range(3)])
    with pytest.warns(UserWarning, match="only 3 target motifs"):
        em.tomtom(motifs, motifs, verbose=verbose)
    assert set(opened) == {("TOMTOM", verbose)}

    opened.clear()
    model = torch.nn.Sequential(torch.nn.Conv1d(4, 3, 5), torch.nn.ReLU())
    X = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (8, 30))].transpose(0, 2, 1).copy()
    filter_counts(model, X, verbose=verbose)
    assert set(opened) == {("filter table-lookup", verbose)}
