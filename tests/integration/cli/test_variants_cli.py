"""eugene variants on a synthetic genome and a VCF with SNVs, an insertion, a deletion, a multi-allelic record and a
REF mismatch: every score equals the model run on ref / alt windows cut from the genome string by hand, the VCF's
INFO fields and the BED read back to the same numbers, and the mismatch is an error naming the record or a skipped
row listed with its reason."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from cli_helpers import stderr_line

from eugene.cli import main

pytest.importorskip("pyfaidx", reason="--genome reads the genome with pyfaidx (the genome extra)")

LENGTH, K = 30, 15
MODEL = ["--model", "eugene.models.zoo:deepbind"] + [
    arg for kv in ("seq_len=30", "n_filters=4", "n_outputs=2") for arg in ("--model-arg", kv)
]


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """Genome, VCF (records written from the genome string), model weights, and each valid variant's windows."""
    from eugene.models import build

    root = tmp_path_factory.mktemp("variants")
    rng = np.random.default_rng(5)
    chroms = {"chr1": "".join(rng.choice(list("ACGT"), 400)), "chr2": "".join(rng.choice(list("ACGT"), 200))}
    (root / "genome.fa").write_text("".join(f">{c}\n{s}\n" for c, s in chroms.items()))

    def other(base):
        return "ACGT"[("ACGT".index(base) + 1) % 4]

    c1, c2 = chroms["chr1"], chroms["chr2"]
    records = [  # (chrom, 0-based p, id, REF, ALTs)
        ("chr1", 100, "snv1", c1[100], [other(c1[100])]),
        ("chr1", 5, "snv_edge", c1[5], [other(c1[5])]),  # its window runs off the chromosome start
        ("chr2", 50, "ins", c2[50], [c2[50] + "GATTACA"]),
        ("chr1", 200, "del", c1[200:206], [c1[200]]),
        ("chr2", 120, "multi", c2[120], [other(c2[120]), c2[120] + "CC"]),
        ("chr1", 300, "bad", other(c1[300]), ["T"]),  # REF differs from the genome
    ]
    lines = ["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"{c}\t{p + 1}\t{i}\t{r}\t{','.join(a)}\t.\tPASS\tDP=7" for c, p, i, r, a in records]
    (root / "calls.vcf").write_text("\n".join(lines) + "\n")
    torch.manual_seed(1)
    model = build("deepbind", seq_len=LENGTH, n_filters=4, n_outputs=2).eval()
    torch.save(model.state_dict(), root / "w.pt")
    windows = []
    for chrom, p, vid, ref, alts in records[:-1]:
        seq = chroms[chrom]

        def base(q, seq=seq):
            return seq[q] if 0 <= q < len(seq) else "N"

        ref_window = "".join(base(q) for q in range(p - K, p - K + LENGTH))
        right = "".join(base(q) for q in range(p + len(ref), p + len(ref) + LENGTH))
        for alt in alts:
            windows.append((vid, alt, ref_window, (ref_window[:K] + alt + right)[:LENGTH]))
    return {"root": root, "model": model, "windows": windows}


def _argv(case, out, *extra):
    root = case["root"]
    return ["variants", *MODEL, "--weights", str(root / "w.pt"), "--vcf", str(root / "calls.vcf")] + [
        "--genome",
        str(root / "genome.fa"),
        "--out",
        str(out),
        "--quiet",
        *extra,
    ]


def _predict(model, windows):
    from eugene.seq import one_hot

    with torch.no_grad():
        return model(torch.from_numpy(one_hot(windows))).double().numpy()


def test_scores_vcf_and_bed_equal_the_model_on_hand_cut_windows(case, tmp_path, capsys):
    from eugene.genome import read_bed, read_vcf

    out = tmp_path / "scored"
    assert main(_argv(case, out, "--on-mismatch", "skip")) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(out)
    assert "1 of 7 variants skipped" in captured.err and "chr1:301" in captured.err and "does not match" in captured.err
    ref = _predict(case["model"], [w[2] for w in case["windows"]])
    alt = _predict(case["model"], [w[3] for w in case["windows"]])

    scores = pd.read_csv(out / "scores.tsv", sep="\t")
    valid = scores[scores["skipped"].isna()]
    assert valid["id"].tolist() == [w[0] for w in case["windows"] for _ in range(2)]  # variant x output
    assert valid["alt"].tolist() == [w[1] for w in case["windows"] for _ in range(2)]
    np.testing.assert_allclose(valid["ref_pred"], ref.ravel(), rtol=1e-5)
    np.testing.assert_allclose(valid["alt_pred"], alt.ravel(), rtol=1e-5)
    np.testing.assert_allclose(valid["diff"], (alt - ref).ravel(), rtol=1e-5, atol=1e-7)
    assert scores.loc[scores["id"] == "bad", "ref_pred"].isna().all()

    vcf = read_vcf(out / "variants.vcf")
    assert vcf["id"].tolist() == ["snv1", "snv_edge", "ins", "del", "multi", "multi", "bad"]
    for i, info in enumerate(vcf["info"]):
        fields = dict(item.split("=") for item in info.split(";"))
        assert fields["DP"] == "7"
        if vcf["id"][i] == "bad":
            assert not any(key.startswith("EU_") for key in fields)
            continue
        for t in range(2):
            assert float(fields[f"EU_DIFF_{t}"]) == pytest.approx(alt[i, t] - ref[i, t], rel=1e-5, abs=1e-6)
            assert float(fields[f"EU_REF_{t}"]) == pytest.approx(ref[i, t], rel=1e-5)

    bed = read_bed(out / "variants.bed")
    assert len(bed) == 2 * len(case["windows"]) and "bad" not in set(bed["name"])
    skipped = pd.read_csv(out / "skipped.tsv", sep="\t")
    assert skipped["id"].tolist() == ["bad"] and skipped["line"].tolist() == [8]
    for w, (vid, alt_allele, _, _) in enumerate(case["windows"]):
        name = f"{vid}:{alt_allele}" if vid == "multi" else vid
        rows = bed[bed["name"] == name]  # targets 0, 1 in order (write_bed sorts stably)
        np.testing.assert_allclose(rows["score"].astype(float), alt[w] - ref[w], rtol=1e-5, atol=1e-6)
        assert (rows["end"] - rows["start"] == len(scores.loc[scores["id"] == vid, "ref"].iloc[0])).all()


def test_ref_mismatch_is_an_error_naming_the_record(case, tmp_path, capsys):
    assert main(_argv(case, tmp_path / "x")) == 1
    line = stderr_line(capsys)
    assert "variant chr1:301" in line and "(line 8): REF" in line and "does not match the genome" in line
    assert "--on-mismatch skip" in line and not (tmp_path / "x" / "scores.tsv").exists()


@pytest.mark.parametrize("fmt", ["npz", "zarr"])
def test_attributions_of_ref_and_alt(case, tmp_path, fmt):
    from eugene.interpret import attribute
    from eugene.seq import one_hot

    out = tmp_path / "attr"
    argv = _argv(case, out, "--on-mismatch", "skip", "--target", "1", "--attributions", "saliency")
    assert main([*argv, "--attributions-format", fmt]) == 0
    if fmt == "npz":
        stored = dict(np.load(out / "attributions.npz"))
    else:
        import xarray as xr

        dataset = xr.open_zarr(out / "attributions.zarr")
        stored = {k: dataset[k].values for k in ("ref", "alt", "diff", "X_ref")} | {"names": dataset["variant"].values}
    kept = slice(0, len(case["windows"]))  # the mismatch is the VCF's last record: the last row, NaN
    for key, column in (("ref", 2), ("alt", 3)):
        X = one_hot([w[column] for w in case["windows"]])
        expected = attribute(case["model"], X, "saliency", target=1, verbose=False)
        np.testing.assert_allclose(stored[key][kept], expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(stored["diff"], stored["alt"] - stored["ref"])
    assert np.isnan(stored["ref"][-1]).all() and stored["names"][-1] == "bad"
    scores = pd.read_csv(out / "scores.tsv", sep="\t")
    assert "target" not in scores and len(scores) == len(case["windows"]) + 1  # one output: one row per variant
    assert "EU_DIFF_1=" in (out / "variants.vcf").read_text()


def test_help_and_usage_errors(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["variants", "--help"])
    assert exit_info.value.code == 0
    assert "example:\n  eugene variants" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        main(["variants", *MODEL, "--vcf", "x.vcf", "--genome", "g.fa", "--out", "d", "--on-mismatch", "warn"])
    assert exit_info.value.code == 2 and "invalid choice: 'warn'" in stderr_line(capsys)
