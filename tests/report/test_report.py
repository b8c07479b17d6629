"""The report: end to end through `eugene report`, self-contained HTML, TSVs, sections chosen by name."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from eugene.cli import main
from eugene.report import SECTIONS, ReportResults, Section, build_report
from eugene.report.sections import ON_REQUEST

URL_ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def test_report_writes_html_and_every_table_as_tsv(built, tiny_inputs):
    html = (built / "report.html").read_text()
    tables = sorted(p.stem for p in built.glob("*.tsv"))
    assert {"model_layers", "predictions", "filter_matches", "filter_influence"} <= set(tables)
    for name in tables:  # each table written beside the report is linked from it
        assert f'href="{name}.tsv"' in html
    predictions = pd.read_csv(built / "predictions.tsv", sep="\t")
    names = [line[1:].strip() for line in tiny_inputs.fasta.read_text().splitlines() if line.startswith(">")]
    assert predictions["sequence"].tolist() == names
    # the predictions are the model's, for the chosen target (1), not recomputed differently
    from eugene.seq import load_fasta

    _, X = load_fasta(tiny_inputs.fasta, one_hot=True)
    import torch

    with torch.no_grad():
        expected = tiny_inputs.model(torch.as_tensor(X))[:, 1].numpy()
    np.testing.assert_allclose(predictions["prediction"], expected, rtol=1e-5, atol=1e-6)


def test_report_is_self_contained(built):
    html = (built / "report.html").read_text()
    targets = URL_ATTRIBUTE.findall(html)
    assert targets, "the report should link its tables and embed its figures"
    for target in targets:
        assert not re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", target, re.IGNORECASE) or target.startswith("data:"), target
        assert target.startswith(("data:", "#")) or (built / target).is_file(), f"{target} is not beside the report"
    assert "<img" in html and 'src="data:image/png;base64,' in html
    assert "@import" not in html and "url(" not in html


def test_report_lists_every_default_section_in_order(built):
    html = (built / "report.html").read_text()
    titles = re.findall(r"<h2>(.*?)</h2>", html)
    assert titles == [
        "Model",
        "First-layer filters",
        "Filter influence",
        "Attributions",
        "In silico mutagenesis",
        "Global importance analysis",
    ]
    ids = re.findall(r'<section id="(.*?)">', html)
    # no planted motifs: no ground truth; the motifs section (TF-MoDISco on every sequence) only when asked for
    assert ids == [key for key in SECTIONS if key not in ("ground-truth", *ON_REQUEST)]


def test_filter_matches_agree_with_tomtom(built, tiny_inputs):
    from eugene.motifs import read_meme, tomtom

    matches = pd.read_csv(built / "filter_matches.tsv", sep="\t")
    hits = tomtom(read_meme(built / "filters.meme"), tiny_inputs.db, thresh=None)
    best = hits.sort_values(["q-value", "p-value"]).drop_duplicates("Query_ID").set_index("Query_ID")
    for row in matches.itertuples():
        assert row.best_match == best.loc[row.filter, "Target_ID"]
        assert row[matches.columns.get_loc("q-value") + 1] == pytest.approx(best.loc[row.filter, "q-value"])


def test_sections_chosen_by_name_run_in_the_order_given_with_custom_ones(tiny_inputs, tmp_path):
    def fine(ctx):
        return Section("Fine", "<p>ok</p>", {"fine_table": pd.DataFrame({"a": [1, 2]})})

    X = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (5, 20))].transpose(0, 2, 1)
    path = build_report(tiny_inputs.model, X, tmp_path, sections=["filter-influence", ("fine", fine), "model"])
    html = path.read_text()
    assert re.findall(r'<section id="(.*?)">', html) == ["filter-influence", "fine", "model"]
    assert "<p>ok</p>" in html
    assert pd.read_csv(tmp_path / "fine_table.tsv", sep="\t")["a"].tolist() == [1, 2]
    assert {p.stem for p in tmp_path.glob("*.tsv")} == {"filter_influence", "fine_table", "model_layers", "predictions"}


def test_unknown_or_unusable_section_names_are_refused_before_any_work(tiny_inputs, tmp_path):
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (5, 20))].transpose(0, 2, 1)
    with pytest.raises(ValueError, match="unknown section 'logos'; expected one of model, filters, filter-influence"):
        build_report(tiny_inputs.model, X, tmp_path / "a", sections=["model", "logos"])
    with pytest.raises(ValueError, match="'ground-truth' needs planted=<PlantedMotifs>; got planted=None"):
        build_report(tiny_inputs.model, X, tmp_path / "b", sections=["model", "ground-truth"])
    with pytest.raises(TypeError, match="sections must hold section names .* or \\(key, function\\) pairs; got"):
        build_report(tiny_inputs.model, X, tmp_path / "c", sections=[("model",)])
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    one = build_report(tiny_inputs.model, X, tmp_path / "d", sections="model").read_text()  # a name alone, and
    assert re.findall(r'<section id="(.*?)">', one) == ["model"]
    two = build_report(tiny_inputs.model, X, tmp_path / "e", sections=("model", "filter-influence")).read_text()
    assert re.findall(r'<section id="(.*?)">', two) == ["model", "filter-influence"]  # a tuple of names


def test_real_errors_in_a_section_are_not_hidden(tiny_inputs, tmp_path):
    def broken(ctx):
        raise AttributeError("'NoneType' object has no attribute 'probs'")

    X = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (5, 20))].transpose(0, 2, 1)
    with pytest.raises(AttributeError, match="NoneType"):
        build_report(tiny_inputs.model, X, tmp_path, sections=[("broken", broken)])


def test_build_report_checks_its_arguments(tiny_inputs, tmp_path):
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (3, 20))].transpose(0, 2, 1)
    with pytest.raises(ValueError, match="names must have one entry per sequence"):
        build_report(tiny_inputs.model, X, tmp_path, names=["a"])
    with pytest.raises(ValueError, match="X must have shape"):
        build_report(tiny_inputs.model, X[0], tmp_path)
    for target in (-1, [], [0, -2], "0"):
        with pytest.raises(ValueError, match="target must be a non-negative"):
            build_report(tiny_inputs.model, X, tmp_path, target=target)


def test_section_warnings_are_shown_and_still_raised(tiny_inputs, tmp_path):
    import warnings

    def warns(ctx):
        warnings.warn("the model looks odd", UserWarning, stacklevel=2)
        return Section("Warns", "<p>done</p>")

    X = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (3, 20))].transpose(0, 2, 1)
    with pytest.warns(UserWarning, match="the model looks odd"):
        path = build_report(tiny_inputs.model, X, tmp_path, sections=[("warns", warns)])
    assert '<p class="warning">warning: UserWarning: the model looks odd</p>' in path.read_text()


@pytest.mark.filterwarnings("ignore:`torch.jit.(script|save)` is deprecated:DeprecationWarning")
def test_torchscript_model_gets_a_report_with_filter_sections_explained(tiny_inputs, report_argv, tmp_path):
    import torch

    scripted = tmp_path / "model.torchscript.pt"
    torch.jit.save(torch.jit.script(tiny_inputs.model), scripted)
    argv = report_argv(tmp_path / "out")
    argv[argv.index("--model") + 1] = str(scripted)
    for option in ("--weights", "--model-arg"):
        del argv[argv.index(option) : argv.index(option) + 2]
    assert main(argv) == 0  # warnings (e.g. TorchScript's deprecation) are printed by the command, one line each
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.count("Not available for TorchScript models") == 2
    assert "TorchScript model: its layers cannot be listed" in html
    assert "Integrated gradients (Sundararajan et al. 2017) from an all-zero baseline" in html


def test_gia_section_draws_a_curve_per_best_matched_motif(tiny_inputs, tmp_path):
    from eugene.motifs import read_meme

    database = read_meme(tiny_inputs.db)

    def fake_filters(ctx):  # what the filter section leaves: matches of three filters, two to the same motif
        ctx.results.database = database
        ctx.results.matches = pd.DataFrame(
            {
                "filter": ["filter_0", "filter_1", "filter_2", "filter_3"],
                "best_match": ["m1", "m1", "m4", "m7"],
                "name": ["", "", "", ""],
                "q-value": [0.01, 0.001, 0.04, 0.2],
            }
        )
        return Section("Fake filters")

    X = np.eye(4, dtype=np.float32)[np.random.default_rng(2).integers(0, 4, (8, 40))].transpose(0, 2, 1)
    path = build_report(tiny_inputs.model, X, tmp_path, n_gia=3, sections=[("filters", fake_filters), "gia"])
    table = pd.read_csv(tmp_path / "gia_positional.tsv", sep="\t")
    assert list(dict.fromkeys(table["motif"])) == ["m1", "m4"]  # q <= 0.05 only, each motif once, best first
    assert table.groupby("motif")["position"].max().tolist() == [40 - 8, 40 - 8]  # every position where it fits
    assert path.read_text().count("<img") == 1


def test_ground_truth_section_lists_the_filters_matching_each_planted_motif(tiny_inputs, tmp_path):
    from eugene.datasets import PlantedMotifs
    from eugene.motifs import read_meme

    planted = read_meme(tiny_inputs.db)[["m0", "m1", "m2"]]
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(3).integers(0, 4, (6, 40))].transpose(0, 2, 1)
    mask = np.full((6, 40), -1)
    mask[:, 10:18] = 0

    def fake_filters(ctx):
        ctx.results.matches = pd.DataFrame(
            {
                "filter": ["filter_0", "filter_1", "filter_3"],
                "best_match": ["m1", "m9", "m1"],
                "q-value": [0.01, 0, 0.2],
            }
        )
        query = pd.Categorical(["filter_10", "filter_2", "filter_1"], categories=["filter_1", "filter_2", "filter_10"])
        ctx.results.significant = pd.DataFrame(  # as TOMTOM gives it: IDs categorical, in natural order
            {"Query_ID": query, "Target_ID": ["m1", "m1", "m1"], "q-value": [0.01] * 3}
        )
        ctx.results.top = np.array([0, 1])
        ctx.results.attributions = X[[0, 1]] * (mask[[0, 1]] >= 0)[:, None]
        return Section("Fake filters")

    data = PlantedMotifs(X, np.zeros((6, 3), np.float32), mask, pd.DataFrame(), planted)
    build_report(tiny_inputs.model, X, tmp_path, sections=[("f", fake_filters), "ground-truth"], planted=data)
    table = pd.read_csv(tmp_path / "planted_motifs.tsv", sep="\t", keep_default_na=False)
    assert table["motif"].tolist() == ["m0", "m1", "m2"]
    assert table["n_filters"].tolist() == [0, 3, 0]
    assert table["filters"].tolist() == ["", "filter_1 filter_2 filter_10", ""]
    assert table["best_match_of"].tolist() == ["", "filter_0", ""]
    auroc = pd.read_csv(tmp_path / "attribution_auroc.tsv", sep="\t")
    np.testing.assert_allclose(auroc["attribution_auroc"], 1.0)  # attributions exactly on the planted sites


def test_planted_motifs_add_the_ground_truth_section_after_the_attributions(tiny_inputs, tmp_path, monkeypatch):
    from eugene.datasets import planted_motifs
    from eugene.motifs import read_meme

    data = planted_motifs(n=12, length=40, motifs=read_meme(tiny_inputs.db)[["m3", "m5"]], seed=1)
    for key in SECTIONS:  # the default choice and order only: each section writes its name
        monkeypatch.setitem(SECTIONS, key, lambda ctx, key=key: Section(key, f"<p>ran {key}</p>"))
    with_truth = build_report(tiny_inputs.model, data.X, tmp_path / "a", planted=data).read_text()
    assert re.findall(r"<p>ran (.*?)</p>", with_truth) == [key for key in SECTIONS if key not in ON_REQUEST]
    assert list(SECTIONS).index("ground-truth") == list(SECTIONS).index("attributions") + 1
    without = build_report(tiny_inputs.model, data.X, tmp_path / "b").read_text()
    assert re.findall(r"<p>ran (.*?)</p>", without) == [
        key for key in SECTIONS if key not in ("ground-truth", *ON_REQUEST)
    ]
    every = build_report(tiny_inputs.model, data.X, tmp_path / "c", planted=data, sections=list(SECTIONS))
    assert re.findall(r"<p>ran (.*?)</p>", every.read_text()) == list(SECTIONS)  # "motifs" runs when named
    with pytest.raises(ValueError, match="planted must be the PlantedMotifs of X's sequences"):
        build_report(tiny_inputs.model, data.X[:5], tmp_path, planted=data)


def test_ground_truth_scores_the_attributions_the_attribution_section_wrote(tiny_inputs, tmp_path):
    from eugene.datasets import planted_motifs
    from eugene.evaluate import attribution_auroc
    from eugene.motifs import read_meme

    data = planted_motifs(n=12, length=40, motifs=read_meme(tiny_inputs.db)[["m3", "m5"]], seed=1)

    def no_matches(ctx):  # the filter section finding nothing significant
        ctx.results.matches = pd.DataFrame({"filter": [], "best_match": [], "q-value": []})
        ctx.results.significant = pd.DataFrame({"Query_ID": [], "Target_ID": [], "q-value": []})
        return Section("No matches")

    chosen = ["model", ("filters", no_matches), "attributions", "ground-truth"]
    build_report(tiny_inputs.model, data.X, tmp_path, n_top=3, sections=chosen, planted=data)
    shown = np.load(tmp_path / "attributions.npz")
    top = [int(name.removeprefix("seq_")) for name in shown["names"]]
    auroc = pd.read_csv(tmp_path / "attribution_auroc.tsv", sep="\t")
    assert auroc["sequence"].tolist() == shown["names"].tolist()
    expected = attribution_auroc(shown["attributions"], data.X[top], data.mask[top] >= 0)
    np.testing.assert_allclose(auroc["attribution_auroc"], expected, rtol=1e-6)
    planted = pd.read_csv(tmp_path / "planted_motifs.tsv", sep="\t", keep_default_na=False)
    assert planted["motif"].tolist() == ["m3", "m5"] and planted["n_filters"].tolist() == [0, 0]


def test_results_start_empty_and_are_typed():
    results = ReportResults()
    assert all(value is None for value in vars(results).values())
    with pytest.raises(TypeError):
        ReportResults(scorez=np.zeros(3))  # a misspelt result is an error, not a silently unused dict key


def test_sections_without_the_results_they_build_on_say_so(tiny_inputs, tmp_path):
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(4).integers(0, 4, (4, 30))].transpose(0, 2, 1)
    html = build_report(tiny_inputs.model, X, tmp_path, sections=["attributions", "ism", "gia"]).read_text()
    assert html.count("Needs the results of") == 3


def test_report_from_a_zarr_store_equals_the_report_from_fasta(built, tiny_inputs, report_argv, tmp_path):
    """SeqData input: the same sequences as a zarr store (names as the _sequence coordinate) give the same tables."""
    import xarray as xr

    from eugene.seq import load_fasta

    names, X = load_fasta(tiny_inputs.fasta, one_hot=True)
    store = tmp_path / "seqs.zarr"
    xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X)}, coords={"_sequence": names}).to_zarr(store)
    argv = report_argv(tmp_path / "out")
    argv[argv.index("--sequences") + 1] = str(store)
    assert main(argv) == 0
    for table in ("predictions", "filter_matches", "filter_influence"):
        pd.testing.assert_frame_equal(
            pd.read_csv(tmp_path / "out" / f"{table}.tsv", sep="\t"), pd.read_csv(built / f"{table}.tsv", sep="\t")
        )
