"""A report a scientist trusts at a glance (issue 15): one test per rule.

Signs read naturally, each readout explains the chosen task, tables put significance first and keep the rest apart,
counts are integers, p and q are in scientific notation, the report and eu.pl share one threshold, and the planted
sites are marked. (Axis labels, legends and zoomed logos are eu.pl's rules: tests/plot/test_figure_rules.py.)
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import torch

from eugene.cli import main
from eugene.report import Section, build_report


def _onehot(n: int, length: int, seed: int) -> np.ndarray:
    return np.eye(4, dtype=np.float32)[np.random.default_rng(seed).integers(0, 4, (n, length))].transpose(0, 2, 1)


def test_filter_influence_is_positive_when_the_filter_supports_the_output(tiny_inputs, tmp_path):
    model, X = tiny_inputs.model, _onehot(10, 40, 7)
    build_report(model, X, tmp_path, target=1, sections=["filter-influence"])
    table = pd.read_csv(tmp_path / "filter_influence.tsv", sep="\t").set_index("filter")
    Xt = torch.as_tensor(X)
    with torch.no_grad():  # by hand: intact minus the filter's channel replaced by its mean (Basset's knock-out)
        conv = model[0](Xt)
        intact = model(Xt)[:, 1]
        for f in range(conv.shape[1]):
            knocked = conv.clone()
            knocked[:, f] = conv[:, f].mean()
            expected = (intact - model[1:](knocked)[:, 1]).mean().item()
            assert table.loc[f"filter_{f}", "influence"] == pytest.approx(expected, rel=1e-4, abs=1e-6)
    assert "positive: the filter supports the output" in (tmp_path / "report.html").read_text()


def _fake_filters(database):
    def filters(ctx):  # what the filter section leaves: filters matched to m1 and m4 (with tasks) and m7 (without)
        ctx.results.database = database
        ctx.results.matches = pd.DataFrame(
            {
                "filter": ["filter_5", "filter_2", "filter_0"],
                "best_match": ["m7", "m1", "m4"],
                "name": ["", "", ""],
                "q-value": [1e-5, 0.001, 0.01],
            }
        )
        ctx.results.significant = pd.DataFrame(
            {
                "Query_ID": ["filter_5", "filter_2", "filter_0", "filter_3"],
                "Target_ID": ["m7", "m1", "m4", "m1"],
                "Target_Name": ["", "", "", ""],
                "q-value": [1e-5, 0.001, 0.01, 0.02],
            }
        )
        return Section("Fake filters")

    return filters


def test_each_readout_explains_the_motifs_own_task(tiny_inputs, tmp_path):
    from eugene.interpret import dinucleotide_backgrounds, filter_influence, gia_positional
    from eugene.motifs import read_meme

    database = read_meme(tiny_inputs.db)
    X = _onehot(8, 40, 2)
    chosen = [("filters", _fake_filters(database)), "filter-influence", "gia"]
    build_report(tiny_inputs.model, X, tmp_path, target=0, motif_tasks={"m1": 1, "m4": 0}, sections=chosen)
    gia = pd.read_csv(tmp_path / "gia_positional.tsv", sep="\t")
    assert list(dict.fromkeys(gia["motif"])) == ["m1 on output 1", "m4 on output 0"]  # m7 has no task of its own
    background = dinucleotide_backgrounds(X, n=1, seed=0)  # 8 sequences: all of them are backgrounds
    for motif, output in (("m1", 1), ("m4", 0)):
        _, want = gia_positional(tiny_inputs.model, background, database[motif], target=output, step=1, seed=0)
        got = gia[gia["motif"] == f"{motif} on output {output}"]
        np.testing.assert_allclose(got["importance"], want["importance"], rtol=1e-5, atol=1e-7)
        assert set(got["output"]) == {f"output {output}"}
    assert "Mean change of each motif's own output (its task) when" in (tmp_path / "report.html").read_text()
    influence = pd.read_csv(tmp_path / "filter_influence.tsv", sep="\t").set_index("filter").sort_index()
    every = filter_influence(tiny_inputs.model, X)  # (F, T): each output on its own
    assert [c for c in influence.columns if c.startswith("influence")] == [
        "influence on m4 (output 0)",
        "influence on m1 (output 1)",
    ]
    np.testing.assert_allclose(influence["influence on m4 (output 0)"], every[:, 0], rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(influence["influence on m1 (output 1)"], every[:, 1], rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="motif_tasks names output 5, but the model has 2 outputs"):
        build_report(tiny_inputs.model, X, tmp_path / "b", motif_tasks={"m1": 5}, sections=["filter-influence"])
    for bad in ({"m1": -1}, {"m1": "0"}, ["m1"], {3: 0}):
        with pytest.raises(ValueError, match=r"motif_tasks must map motif IDs \(str\) to output indices"):
            build_report(tiny_inputs.model, X, tmp_path / "c", motif_tasks=bad, sections=["model"])


def test_the_demo_explains_each_planted_motif_on_its_own_output(monkeypatch, tmp_path):
    import eugene.report
    from eugene.models import demo_sequences
    from eugene.models.demo import demo_model_card

    seen = {}
    monkeypatch.setattr(eugene.report, "build_report", lambda *args, **kwargs: seen.update(kwargs) or tmp_path)
    assert main(["demo", "--out", str(tmp_path), "--quiet"]) == 0
    card, planted = demo_model_card(), demo_sequences().motifs
    assert seen["motif_tasks"] == {motif: card["motif_ids"].index(motif) for motif in planted.names}
    for motif, output in seen["motif_tasks"].items():  # the output is the one trained on that motif
        assert card["tasks"][output] == planted[motif].alt_name


def test_best_matches_sorted_by_significance_with_the_rest_apart(built):
    from eugene.report.sections import FDR

    table = pd.read_csv(built / "filter_matches.tsv", sep="\t")
    q = table["q-value"].to_numpy()
    matched = q[~np.isnan(q)]
    assert (np.diff(matched) >= 0).all() and not np.isnan(q[: len(matched)]).any()  # by q, unmatched last
    assert (table["significant"] == (table["q-value"] <= FDR)).all()
    html = (built / "report.html").read_text()
    body = html[html.index('href="filter_matches.tsv"') :].split("</table>")[0]
    rows = re.findall(r"<tr( class=\"[a-z]+\")?>(.*?)</tr>", body)
    kinds = [kind for kind, _ in rows[1:]]  # after the header
    n_significant = int(table["significant"].sum())
    n_apart = len(table) - n_significant
    assert kinds == [""] * n_significant + ([' class="divider"'] + [' class="ns"'] * n_apart if n_apart else [])


def test_table_html_keeps_rows_apart_below_a_divider():
    from eugene.report._html import table_html

    table = pd.DataFrame({"filter": ["f3", "f1", "f2"], "q-value": [0.001, 0.2, 0.04]})
    html = table_html(table, "t.tsv", apart=table["q-value"] > 0.05, apart_label="not significant (q > 0.05)")
    rows = re.findall(r"<tr(?: class=\"([a-z]+)\")?><td[^>]*>(.*?)</td>", html)
    assert rows == [("", "f3"), ("", "f2"), ("divider", "not significant (q &gt; 0.05)"), ("ns", "f1")]


def test_counts_are_integers_and_p_q_in_scientific_notation(built):
    from eugene.report._html import format_cell

    text = (built / "filter_matches.tsv").read_text().splitlines()
    header = text[0].split("\t")
    for line in text[1:]:
        cells = dict(zip(header, line.split("\t")))
        assert re.fullmatch(r"\d+", cells["n_sites"]), cells["n_sites"]
        assert re.fullmatch(r"-?\d*", cells["offset"]), cells["offset"]
    html = (built / "report.html").read_text()
    body = html[html.index('href="filter_matches.tsv"') :].split("</table>")[0]
    columns = re.findall(r"<th>(.*?)</th>", body)
    for row in re.findall(r"<tr(?: class=\"ns\")?>(<td>.*?)</tr>", body):
        cells = dict(zip(columns, re.findall(r"<td>(.*?)</td>", row)))
        assert re.fullmatch(r"\d+", cells["n_sites"])
        for column in ("p-value", "E-value", "q-value"):
            assert re.fullmatch(r"(\d\.\d\de[+-]\d\d|0|1|)", cells[column]), (column, cells[column])
    assert format_cell(0.9999998807907104, "q-value") == "1.00e+00"
    assert format_cell(1.569536769762146e-14, "best_q-value") == "1.57e-14"
    assert format_cell(np.int64(1011), "n_sites") == "1011" and format_cell(pd.NA, "offset") == ""
    assert format_cell(0.123456, "influence") == "0.1235"


def test_the_report_and_eu_pl_share_one_significance_threshold():
    import inspect

    from eugene.plot import MATCH_FDR, filter_logos
    from eugene.report import sections

    assert sections.FDR is MATCH_FDR
    assert inspect.signature(filter_logos).parameters["q_threshold"].default is MATCH_FDR


def test_planted_sites_are_marked_on_the_figures_of_each_shown_sequence(tiny_inputs, tmp_path, monkeypatch):
    import eugene.plot
    from eugene.datasets import planted_motifs
    from eugene.motifs import read_meme

    data = planted_motifs(n=8, length=60, motifs=read_meme(tiny_inputs.db)[["m3", "m5"]], seed=4)
    marked = {"attribution_overview": [], "ism_heatmap": []}
    for name, calls in marked.items():
        original = getattr(eugene.plot, name)

        def spy(*args, _original=original, _calls=calls, **kwargs):
            _calls.append(kwargs["sites"])
            return _original(*args, **kwargs)

        monkeypatch.setattr(eugene.plot, name, spy)
    build_report(tiny_inputs.model, data.X, tmp_path, n_top=2, planted=data, sections=["model", "attributions", "ism"])
    shown = np.load(tmp_path / "attributions.npz")["names"]
    for calls in marked.values():
        assert len(calls) == 2
        for sites, name in zip(calls, shown):
            truth = data.sites[data.sites["sequence"] == int(name.removeprefix("seq_"))]
            assert sites[["start", "end", "name"]].values.tolist() == truth[["start", "end", "name"]].values.tolist()
    html = (tmp_path / "report.html").read_text()
    assert "Shaded: the planted motifs." in html and "boxes: the planted motifs" in html


def test_eugene_report_takes_each_motifs_task(report_argv, tmp_path, monkeypatch, capsys):
    import eugene.report

    seen = {}
    monkeypatch.setattr(eugene.report, "build_report", lambda *args, **kwargs: seen.update(kwargs) or tmp_path)
    assert main(report_argv(tmp_path, "--motif-task", "MA0083.3=9", "--motif-task", "m1=0")) == 0
    assert seen["motif_tasks"] == {"MA0083.3": 9, "m1": 0} and seen["target"] == 1
    assert main(report_argv(tmp_path)) == 0 and seen["motif_tasks"] is None
    for bad in ("m1", "m1=-1", "=3", "m1=x"):
        with pytest.raises(SystemExit) as exit_info:
            main(report_argv(tmp_path, "--motif-task", bad))
        assert exit_info.value.code == 2
        assert (
            f"expected ID=OUTPUT with OUTPUT an output index >= 0 (MA0083.3=9); got '{bad}'" in capsys.readouterr().err
        )
