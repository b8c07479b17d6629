"""Every API option reachable from the CLI (issue 15): for each subcommand, every keyword of the functions it calls is
an option of the same name, or is listed in docs/cli.md with the option that sets it or why there is none.

The two tables of docs/cli.md's section "API keywords without an option of their own" are the declaration: which
functions each command calls, and the keywords left out. A subcommand added to ``eugene.cli.SUBCOMMANDS`` without a
row, a keyword added to a function without an option or a row, and a row that names an option the command does not
have or a keyword no function of the command takes, all fail here.
"""

from __future__ import annotations

import argparse
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import ZOO

import eugene
from eugene.cli import SUBCOMMANDS, _common, build_parser, main

DOC = Path(__file__).resolve().parents[3] / "docs" / "cli.md"
SECTION = "### API keywords without an option of their own"
_CODE = re.compile(r"`([^`]+)`")


def _tables() -> tuple[dict[str, list[str]], dict[tuple[str, str], str]]:
    """(command -> the functions it calls, (command, keyword) -> the row's text) from docs/cli.md."""
    text = DOC.read_text()
    assert SECTION in text, f"docs/cli.md has no section {SECTION!r}"
    body = text.split(SECTION, 1)[1].split("\n#", 1)[0]
    calls: dict[str, list[str]] = {}
    rows: dict[tuple[str, str], str] = {}
    for line in body.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if len(cells) == 2 and cells[0].startswith("`"):
            calls[cells[0].strip("`")] = _CODE.findall(cells[1])
        elif len(cells) == 3 and cells[0].startswith("`"):
            for command in _CODE.findall(cells[0]):
                for keyword in _CODE.findall(cells[1]):
                    assert (command, keyword) not in rows, f"docs/cli.md lists {command} {keyword} twice"
                    rows[command, keyword] = cells[2]
    return calls, rows


CALLS, ROWS = _tables()


def _function(path: str):
    """``eu.interpret.attribute`` -> the function (through the public namespaces, as users reach it)."""
    namespace, _, name = path.removeprefix("eu.").partition(".")
    return getattr(getattr(eugene, namespace), name)


def _keywords(command: str) -> set[str]:
    keywords = set()
    for path in CALLS[command]:
        parameters = inspect.signature(_function(path)).parameters.values()
        keywords |= {p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    return keywords


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


SUBPARSERS = _subparsers()
# the sequence options read the input; only --alphabet is also a keyword (the one-hot's alphabet): --centre, --strand,
# --length, --genome of --regions say where windows are cut, not a keyword of the function called
_INPUT_ONLY = {a.dest for a in _common.sequence_options()._actions} - {"alphabet", "help"}


def _options(command: str) -> tuple[set[str], set[str]]:
    """(the dests that stand for a keyword, every option string) of a subcommand."""
    actions = SUBPARSERS[command]._actions
    inputs = _INPUT_ONLY if "sequences" in {a.dest for a in actions} else set()
    return {a.dest for a in actions} - inputs, {s for a in actions for s in a.option_strings}


def _row(command: str, keyword: str) -> tuple[str, str] | None:
    for key in ((command, keyword), ("*", keyword)):
        if key in ROWS:
            return key[0], ROWS[key]
    return None


def test_every_subcommand_declares_the_functions_it_calls():
    missing = sorted(set(SUBCOMMANDS) - set(CALLS))
    assert not missing, (
        f"docs/cli.md, {SECTION!r}: no row for {missing} in the table 'command | calls' (name the eu.* functions "
        "the command calls, then give each keyword without an option a row in the second table)"
    )
    for command, paths in CALLS.items():  # (a row may come before its command lands)
        assert paths, f"docs/cli.md: {command} calls no eu.* function"
        for path in paths:
            assert inspect.isfunction(_function(path)), f"docs/cli.md: {command} calls {path}, which is no function"


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_every_keyword_is_an_option_or_documented(command):
    if command not in CALLS:
        pytest.fail(f"docs/cli.md: add {command} to the table 'command | calls'")
    dests, _ = _options(command)
    missing = sorted(k for k in _keywords(command) - dests if _row(command, k) is None)
    assert not missing, (
        f"eugene {command}: keywords of {CALLS[command]} with neither an option of their name nor a row in "
        f"docs/cli.md ({SECTION!r}): {missing}; add the option (--{missing[0].replace('_', '-')}) or the row with "
        "the reason"
    )


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_each_row_names_a_keyword_of_the_command_and_options_it_has(command):
    if command not in CALLS:
        pytest.skip("no declaration yet (the test above fails)")
    keywords = _keywords(command)
    _, strings = _options(command)
    own = [(keyword, text) for (c, keyword), text in ROWS.items() if c == command]
    stale = [keyword for keyword, _ in own if keyword not in keywords]
    assert not stale, f"docs/cli.md: {command} rows for keywords none of {CALLS[command]} takes: {stale}"
    used = [(k, _row(command, k)) for k in keywords]
    for keyword, row in used:
        if row is None:
            continue
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", row[1]))
        assert named <= strings, f"docs/cli.md: {command} {keyword}: {sorted(named - strings)} are not its options"


def test_every_option_is_documented_in_cli_md():
    """Each command's own options (not the shared groups) appear in docs/cli.md."""
    text = DOC.read_text()
    shared = {s for parent in (_common.model_options(), _common.sequence_options(), _common.compute_options(),
                               _common.run_options()) for a in parent._actions for s in a.option_strings}  # fmt: skip
    undocumented = {
        command: sorted(s for s in _options(command)[1] - shared - {"-h", "--help"} if f"`{s}" not in text)
        for command in SUBCOMMANDS
    }
    assert not {c: o for c, o in undocumented.items() if o} and "--motif-task" in text


# --- the options reach the API: the same numbers --------------------------------------------------------------------


def test_attribute_options_and_aliases_give_what_the_api_gives(inputs, tmp_path):
    from eugene.interpret import attribute
    from eugene.seq import one_hot

    X = one_hot(inputs["seqs"])
    base = ["attribute", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    cases = {
        # no --seed, no seed=: the defaults agree (0)
        "default": ([], {"method": "deeplift_shap"}),
        "alias": (["--method", "DeepLiftShap", "--n-references", "3"], {"method": "deeplift_shap", "n_references": 3}),
        "options": (
            ["--method", "IntegratedGradients", "--references", "shuffle", "--n-references", "2", "--n-steps", "5",
             "--hypothetical", "--gradient-correction", "--seed", "3"],
            {"method": "integrated_gradients", "references": "shuffle", "n_references": 2, "n_steps": 5,
             "hypothetical": True, "gradient_correction": True, "seed": 3},
        ),
        "smoothgrad": (
            ["--method", "SmoothGrad", "--n-samples", "4", "--noise", "0.3"],
            {"method": "smoothgrad", "n_samples": 4, "noise": 0.3},
        ),
    }  # fmt: skip
    for name, (argv, api) in cases.items():
        out = tmp_path / f"{name}.npz"
        assert main([*base, *argv, "--out", str(out), "--quiet"]) == 0, name
        expected = attribute(inputs["model"], X, **api, verbose=False)
        np.testing.assert_allclose(np.load(out)["attributions"], expected, rtol=1e-5, atol=1e-7, err_msg=name)


def test_an_alias_stores_under_its_methods_name(inputs, tmp_path):
    import xarray as xr

    store = tmp_path / "a.zarr"
    argv = ["attribute", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    assert main([*argv, "--method", "InputXGradient", "--out", str(store), "--quiet"]) == 0
    assert list(xr.open_zarr(store, consolidated=False).data_vars) == ["input_x_gradient_attrs"]


def test_filters_options_give_what_the_api_gives(inputs, tmp_path):
    from eugene.interpret import filter_pfms
    from eugene.motifs import read_motifs
    from eugene.seq import one_hot

    out = tmp_path / "f.meme"
    argv = ["filters", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    options = ["--rule", "basset", "--threshold", "0.3", "--top-k", "5", "--weighted", "--reverse-complement"]
    assert main([*argv, *options, "--out", str(out), "--quiet"]) == 0
    expected = filter_pfms(
        inputs["model"], one_hot(inputs["seqs"]), None, 0.3, "basset", top_k=5, weighted=True,
        reverse_complement=True, min_sites=1, verbose=False,
    )  # fmt: skip
    got = read_motifs(out)
    assert got.names == expected.names
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a.probs, b.probs, atol=1e-5)


def test_a_bad_option_value_is_a_usage_error(inputs, capsys):
    argv = ["attribute", *ZOO, "--sequences", "s.fa", "--out", "a.npz"]
    for bad in (["--noise", "-1"], ["--n-steps", "0"], ["--references", "zeros"], ["--method", "GradientShap"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, *bad])
        assert exit_info.value.code == 2, bad
        capsys.readouterr()


def test_gia_positions_give_what_the_api_gives(inputs, tmp_path):
    import pandas as pd

    from eugene.interpret import dinucleotide_backgrounds, gia_positional
    from eugene.seq import one_hot

    out = tmp_path / "gia.tsv"
    argv = ["gia", *ZOO, "--weights", inputs["weights"], "--sequences", str(inputs["root"] / "seqs.fa")]
    assert main([*argv, "--motif", "TGACTCA", "--backgrounds", "3", "--positions", "0,7,20", "--out", str(out),
                 "--quiet"]) == 0  # fmt: skip
    got = pd.read_csv(out, sep="\t")
    pick = np.sort(np.random.default_rng(0).choice(10, size=3, replace=False))  # --seed 0, as seed=0 below
    backgrounds = dinucleotide_backgrounds(one_hot(inputs["seqs"])[pick], n=1)
    _, want = gia_positional(inputs["model"], backgrounds, "TGACTCA", [0, 7, 20], verbose=False)
    assert got["position"].tolist() == [0, 7, 20]
    np.testing.assert_allclose(got["importance"], want["importance"], rtol=1e-5, atol=1e-7)


def test_tomtom_options_give_what_the_api_gives(tmp_path):
    import pandas as pd

    from eugene.motifs import Motif, MotifSet, tomtom, write_meme

    rng = np.random.default_rng(0)
    database = MotifSet([Motif(f"t{i}", rng.dirichlet(np.full(4, 0.5), size=int(rng.integers(6, 12))).T)
                         for i in range(60)])  # fmt: skip
    query, target = tmp_path / "q.meme", tmp_path / "db.meme"
    write_meme(database[:3], query)
    write_meme(database, target)
    out = tmp_path / "m.tsv"
    options = ["--evalue", "--thresh", "100", "--min-overlap", "4", "--motif-pseudo", "0.5", "--single-strand",
               "--background", "0.3,0.2,0.2,0.3"]  # fmt: skip
    assert main(["tomtom", str(query), "--db", str(target), *options, "--out", str(out), "--quiet"]) == 0
    want = tomtom(str(query), [str(target)], evalue=True, thresh=100, min_overlap=4, motif_pseudo=0.5,
                  both_strands=False, background=[0.3, 0.2, 0.2, 0.3], verbose=False)  # fmt: skip
    got = pd.read_csv(out, sep="\t")
    assert len(got) == len(want) and set(got["Orientation"]) == {"+"}
    np.testing.assert_allclose(got["p-value"], want["p-value"].to_numpy(), rtol=1e-6)
