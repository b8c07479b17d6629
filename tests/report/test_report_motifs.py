"""The report's motifs section: TF-MoDISco patterns of hypothetical DeepLiftShap attributions, by seqlet count, named
by TOMTOM with the report's q threshold, non-significant ones apart; the ground-truth section lists them per planted
motif. TF-MoDISco itself is stood in for by known patterns (its own run is tested in tests/interpret/test_modisco.py
and through `eugene motifs` in tests/integration/cli/test_motifs_cli.py)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import eugene as eu
from eugene.report import build_report
from eugene.report.sections import FDR

pytest.importorskip("modiscolite", reason="the motifs section runs TF-MoDISco (the modisco extra)")


def _pattern(name: str, probs: np.ndarray, n_seqlets: int) -> eu.motifs.ModiscoPattern:
    seqlets = pd.DataFrame({"example_idx": np.arange(n_seqlets), "start": 0, "end": probs.shape[1], "strand": "+"})
    return eu.motifs.ModiscoPattern(name, probs, probs - 0.25, probs - 0.25, seqlets)


@pytest.fixture
def stand_in(monkeypatch):
    """TF-MoDISco replaced by three patterns: SRF's and CEBPB's JASPAR matrices and a flat one (no match), with 5, 7
    and 9 seqlets; records the arrays it was given."""
    jaspar = eu.motifs.jaspar()
    flat = np.full((4, 10), 0.25) + np.random.default_rng(0).uniform(0, 0.02, (4, 10))
    patterns = eu.motifs.MotifSet(
        [
            _pattern("pos_patterns.pattern_0", jaspar["MA0083.3"].probs, 5),
            _pattern("pos_patterns.pattern_1", flat / flat.sum(0), 9),
            _pattern("pos_patterns.pattern_2", jaspar["MA0466.4"].probs, 7),
        ]
    )
    calls = []

    def modisco(X, hypothetical, **options):
        calls.append((X, hypothetical, options))
        return patterns

    monkeypatch.setattr(eu.interpret, "modisco", modisco)
    return patterns, calls


def test_patterns_by_seqlet_count_with_their_best_match(tiny_inputs, tmp_path, stand_in):
    patterns, calls = stand_in
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(1).integers(0, 4, (6, 40))].transpose(0, 2, 1)
    html = build_report(tiny_inputs.model, X, tmp_path, target=1, sections=["motifs"]).read_text()
    ((given_X, hypothetical, _),) = calls
    np.testing.assert_array_equal(given_X, X)
    expected = eu.interpret.attribute(tiny_inputs.model, X, "deeplift_shap", target=1, hypothetical=True, seed=0)
    np.testing.assert_allclose(hypothetical, expected, rtol=1e-5, atol=1e-7)
    table = pd.read_csv(tmp_path / "pattern_matches.tsv", sep="\t")
    assert table["n_seqlets"].tolist() == [9, 7, 5]  # most seqlets first
    matches = eu.interpret.annotate_patterns(patterns, eu.motifs.jaspar())
    best = matches[matches["rank"] == 1].set_index("pattern")
    for row in table.itertuples():
        assert row.best_match == best.loc[row.pattern, "Target_ID"]
        assert row.significant == (best.loc[row.pattern, "q-value"] <= FDR)
    assert table["significant"].tolist() == [False, True, True]  # the flat pattern matches nothing
    assert set(table.loc[table["significant"], "best_match"]) == {"MA0083.3", "MA0466.4"}
    # shown: significant ones first (in seqlet order), then the others below the divider
    body = html.split("Patterns by seqlet count", 1)[1]
    order = [m for m in re.findall(r"pos_patterns\.pattern_\d", body)]
    assert list(dict.fromkeys(order)) == ["pos_patterns.pattern_2", "pos_patterns.pattern_0", "pos_patterns.pattern_1"]
    assert "not significant (q &gt; 0.05)" in body or "not significant (q > 0.05)" in body
    assert html.count("<img") == 1
    written = eu.motifs.read_modisco(tmp_path / "patterns.h5")
    assert written.names == patterns.names
    assert eu.motifs.read_motifs(tmp_path / "patterns.meme").names == patterns.names


def test_motif_tasks_pool_each_tasks_output_and_ground_truth_names_the_patterns(tiny_inputs, tmp_path, stand_in):
    from eugene.datasets import PlantedMotifs

    patterns, calls = stand_in
    jaspar = eu.motifs.jaspar()
    X = np.eye(4, dtype=np.float32)[np.random.default_rng(2).integers(0, 4, (5, 40))].transpose(0, 2, 1)
    planted = eu.motifs.MotifSet([jaspar["MA0083.3"], jaspar["MA0058.4"]])
    data = PlantedMotifs(X, np.zeros((5, 2), np.float32), np.full((5, 40), -1), pd.DataFrame(), planted)

    def no_filters(ctx):
        ctx.results.matches = pd.DataFrame({"filter": [], "best_match": [], "q-value": []})
        ctx.results.significant = pd.DataFrame({"Query_ID": [], "Target_ID": [], "q-value": []})
        return eu.report.Section("No filters")

    tasks = {"MA0083.3": 1, "MA0058.4": 0}
    sections = [("filters", no_filters), "motifs", "ground-truth"]
    build_report(tiny_inputs.model, X, tmp_path, motif_tasks=tasks, planted=data, sections=sections)
    ((given_X, hypothetical, _),) = calls
    np.testing.assert_array_equal(given_X, np.concatenate([X, X]))  # every sequence once per task output: 0, 1
    for k, output in enumerate((0, 1)):
        expected = eu.interpret.attribute(tiny_inputs.model, X, target=output, hypothetical=True, seed=0)
        np.testing.assert_allclose(hypothetical[5 * k : 5 * (k + 1)], expected, rtol=1e-5, atol=1e-7)
    truth = pd.read_csv(tmp_path / "planted_motifs.tsv", sep="\t", keep_default_na=False)
    named = eu.interpret.annotate_patterns(patterns, jaspar, n_matches=len(jaspar))  # every significant match
    named = named[named["q-value"] <= FDR]
    for row in truth.itertuples():
        assert row.patterns.split() == list(dict.fromkeys(named.loc[named["Target_ID"] == row.motif, "pattern"]))
    assert truth.loc[truth["motif"] == "MA0083.3", "patterns"].item() == "pos_patterns.pattern_0"


def test_eugene_report_from_regions_of_a_genome_equals_the_report_of_their_windows(tiny_inputs, tmp_path):
    """`eugene report --regions --genome --length` (issue 14): the windows of a genome, named by the BED, give the
    report the same windows as a FASTA file give (predictions and filter motifs), with the motifs section asked for."""
    pytest.importorskip("pyfaidx", reason="--regions reads the genome with pyfaidx (the genome extra)")
    from eugene.cli import main

    texts = [line for line in tiny_inputs.fasta.read_text().splitlines() if not line.startswith(">")]
    chrom = "".join("N" * 5 + text for text in texts)
    (tmp_path / "genome.fa").write_text(f">chr1\n{chrom}\n")
    bed = "".join(f"chr1\t{45 * i + 5}\t{45 * i + 45}\tpeak{i}\n" for i in range(len(texts)))
    (tmp_path / "peaks.bed").write_text(bed)
    model = ["--model", tiny_inputs.factory, "--weights", str(tiny_inputs.weights), "--model-arg", "n_outputs=2"]
    shown = ["--db", str(tiny_inputs.db), "--target", "1", "--sections", "model,filters,motifs", "--quiet"]
    regions = ["--regions", str(tmp_path / "peaks.bed"), "--genome", str(tmp_path / "genome.fa"), "--length", "40"]
    assert main(["report", *model, *regions, *shown, "--out", str(tmp_path / "a")]) == 0
    assert main(["report", *model, "--sequences", str(tiny_inputs.fasta), *shown, "--out", str(tmp_path / "b")]) == 0
    a, b = (pd.read_csv(tmp_path / d / "predictions.tsv", sep="\t") for d in "ab")
    assert a["sequence"].tolist() == [f"peak{i}" for i in range(len(texts))]
    np.testing.assert_allclose(a["prediction"], b["prediction"], rtol=1e-6)
    assert (tmp_path / "a" / "filters.meme").read_text() == (tmp_path / "b" / "filters.meme").read_text()
    assert "Motifs from attributions" in (tmp_path / "a" / "report.html").read_text()
