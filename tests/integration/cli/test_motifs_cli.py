"""`eugene motifs` end to end on a model whose answer is known: a DeepBind whose filters are two JASPAR motifs (each
strand), outputs one per motif, on sequences with those motifs planted. Its patterns must be named by the planted
motifs, its seqlets must sit on the planted sites, its files must read back, a rerun must reuse the attributions, and
the same windows cut from a genome (--regions, half of them on the reverse strand) must give the same seqlets, placed
on the genome where their letters are."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from cli_helpers import stderr_line

import eugene as eu
from eugene.cli import main

pytest.importorskip("modiscolite", reason="eugene motifs runs TF-MoDISco (the modisco extra)")

PLANTED = ("MA0083.3", "MA0466.4")  # SRF, CEBPB
LENGTH, N = 100, 300
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def _revcomp(text: str) -> str:
    return text.translate(COMPLEMENT)[::-1]


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    """The model's weights and options, the planted sequences (FASTA) and their truth, and a genome holding them."""
    root = tmp_path_factory.mktemp("motifs")
    jaspar = eu.motifs.jaspar()
    motifs = eu.motifs.MotifSet([jaspar[m] for m in PLANTED])
    width = max(m.width for m in motifs)  # the shorter motif padded with zero columns
    options = dict(seq_len=LENGTH, n_outputs=2, n_filters=4, filter_size=width, hidden=2, pool="max")
    model = eu.models.build("deepbind", **options)
    weight = torch.zeros(4, 4, width)
    bias = torch.zeros(4)
    for k, motif in enumerate(motifs):  # filters 2k, 2k + 1: the motif's log-odds on each strand
        for j, m in enumerate((motif, motif.reverse_complement())):
            pwm = torch.as_tensor(np.log2((m.probs + 0.01) / 0.26), dtype=torch.float32)
            weight[2 * k + j, :, : m.width] = pwm
            bias[2 * k + j] = -0.6 * float(pwm.max(0).values.sum())
    with torch.no_grad():
        model.conv1.weight.copy_(weight)
        model.conv1.bias.copy_(bias)
        model.fc1.weight.copy_(torch.tensor([[1.0, 1, 0, 0], [0, 0, 1, 1]]))
        model.fc1.bias.zero_()
        model.out.weight.copy_(torch.eye(2))
        model.out.bias.zero_()
    torch.save(model.state_dict(), root / "weights.pt")
    data = eu.datasets.planted_motifs(N, LENGTH, motifs, n_motifs_p=[1.0], seed=0)
    texts = ["".join("ACGT"[i] for i in x.argmax(0)) for x in data.X]
    (root / "seqs.fa").write_text("".join(f">s{i}\n{t}\n" for i, t in enumerate(texts)))
    # the genome: the sequences one after another with 10 N between them, odd ones reverse-complemented; the BED
    # regions are their windows (odd ones on strand '-'), so reading them back gives the FASTA's sequences
    pieces, bed, position = [], [], 0
    for i, text in enumerate(texts):
        pieces.append(("N" * 10) + (_revcomp(text) if i % 2 else text))
        bed.append(f"chr1\t{position + 10}\t{position + 10 + LENGTH}\tr{i}\t0\t{'-+'[i % 2 == 0]}\n")
        position += 10 + LENGTH
    chrom = "".join(pieces)
    (root / "genome.fa").write_text(f">chr1\n{chrom}\n")
    (root / "peaks.bed").write_text("".join(bed))
    model_args = ["--model", "eugene.models.zoo:deepbind", "--weights", str(root / "weights.pt")]
    for key, value in options.items():
        model_args += ["--model-arg", f"{key}={value}"]
    return {"root": root, "model": model_args, "data": data, "texts": texts, "chrom": chrom}


def _run(task, out, *inputs: str) -> None:
    argv = ["motifs", *task["model"], *inputs, "--target", "0,1", "--pool-targets", "--chunk-size", "150"]
    argv += ["--sliding-window-size", "15", "--flank-size", "5", "--n-references", "5"]
    assert main([*argv, "--n-matches", "5", "--out", str(out), "--quiet"]) == 0


@pytest.fixture(scope="module")
def fasta_run(task):
    out = task["root"] / "fasta_run"
    _run(task, out, "--sequences", str(task["root"] / "seqs.fa"))
    return out


def test_patterns_are_named_by_the_planted_motifs(task, fasta_run):
    matches = pd.read_csv(fasta_run / "matches.tsv", sep="\t")
    significant = matches[matches["q-value"] <= 0.05]
    assert set(PLANTED) <= set(significant["Target_ID"]), matches
    patterns = eu.motifs.read_modisco(fasta_run / "patterns.h5")
    assert patterns.window_size == LENGTH
    assert matches["pattern"].unique().tolist() == patterns.names
    assert (matches["n_seqlets"] == [patterns[p].nsites for p in matches["pattern"]]).all()
    # patterns.meme: each pattern trimmed by its CWM (modisco-lite's 0.3), as the matches' trim columns say
    written = eu.motifs.read_motifs(fasta_run / "patterns.meme")
    assert written.names == patterns.names
    first = matches.drop_duplicates("pattern")
    for row in first.itertuples():
        np.testing.assert_allclose(
            written[row.pattern].probs, patterns[row.pattern].probs[:, row.trim_start : row.trim_end], atol=1e-5
        )


def test_seqlets_sit_on_the_planted_sites(task, fasta_run):
    seqlets = pd.read_csv(fasta_run / "seqlets.tsv", sep="\t")
    assert set(seqlets["target"].astype(str)) <= {"0", "1"}
    assert seqlets["sequence"].tolist() == [f"s{i}" for i in seqlets["example_idx"]]
    sites = task["data"].sites
    hit = [
        ((sites["sequence"] == s.example_idx) & (sites["start"] < s.end) & (sites["end"] > s.start)).any()
        for s in seqlets.itertuples()
    ]
    assert np.mean(hit) > 0.9
    bed = pd.read_csv(fasta_run / "seqlets.bed", sep="\t", header=None)
    assert (
        len(bed) == len(seqlets) and set(bed[0]) <= set(seqlets["sequence"]) and set(bed[3]) <= set(seqlets["pattern"])
    )


def test_a_rerun_reuses_the_attributions(task, fasta_run, tmp_path):
    import shutil

    out = tmp_path / "again"
    shutil.copytree(fasta_run, out)
    (out / "matches.tsv").unlink()
    markers = sorted((out / "attributions.zarr.progress").rglob("*-*"))
    assert len(markers) == 2 * 2  # two targets, chunks 0-150, 150-300
    stamps = [m.stat().st_mtime_ns for m in markers]
    _run(task, out, "--sequences", str(task["root"] / "seqs.fa"))
    assert [m.stat().st_mtime_ns for m in markers] == stamps  # no chunk recomputed
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "matches.tsv", sep="\t"), pd.read_csv(fasta_run / "matches.tsv", sep="\t")
    )


def test_regions_of_a_genome_give_the_same_seqlets_placed_on_the_genome(task, fasta_run):
    pytest.importorskip("pyfaidx", reason="--regions reads the genome with pyfaidx (the genome extra)")
    out = task["root"] / "regions_run"
    root = task["root"]
    _run(task, out, "--regions", str(root / "peaks.bed"), "--genome", str(root / "genome.fa"), "--length", str(LENGTH))
    seqlets = pd.read_csv(out / "seqlets.tsv", sep="\t")
    plain = pd.read_csv(fasta_run / "seqlets.tsv", sep="\t")
    columns = ["pattern", "example_idx", "target", "start", "end", "strand"]
    pd.testing.assert_frame_equal(seqlets[columns], plain[columns])
    assert seqlets["sequence"].tolist() == [f"r{i}" for i in seqlets["example_idx"]]
    for s in seqlets.itertuples():
        letters = task["texts"][s.example_idx][s.start : s.end]
        on_genome = task["chrom"][s.chromStart : s.chromEnd]
        assert (letters if s.strand == "+" else _revcomp(letters)) == (
            on_genome if s.genome_strand == "+" else _revcomp(on_genome)
        )
    bed = pd.read_csv(out / "seqlets.bed", sep="\t", header=None, names=["chrom", "start", "end", "name", "score", "s"])
    expected = seqlets.sort_values(["chrom", "chromStart", "chromEnd"], kind="stable")
    assert bed["start"].tolist() == expected["chromStart"].tolist()
    assert bed["s"].tolist() == expected["genome_strand"].tolist()


def test_pool_targets_needs_several_targets(task, tmp_path, capsys):
    argv = ["motifs", *task["model"], "--sequences", str(task["root"] / "seqs.fa"), "--pool-targets"]
    assert main([*argv, "--out", str(tmp_path), "--quiet"]) == 1
    assert "--pool-targets needs --target with several outputs" in stderr_line(capsys)
