"""read_vcf / variant_windows against ref and alt windows written out by hand on a 20-base genome."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from synthetic_genome import write_fasta

from eugene.genome import read_vcf, variant_windows, write_vcf
from eugene.seq import decode, one_hot

pytest.importorskip("pyfaidx", reason="the genome extra (pyfaidx) is not installed")

#            0         1
#            01234567890123456789
CHR1 = "ACGTTGCAAGCTTACGATCG"
HEADER = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
RECORDS = [
    ("chr1", 10, "snv", "G", "A"),  # line 3
    ("chr1", 10, "ins", "G", "GTT"),  # line 4
    ("chr1", 10, "del", "GCT", "G"),  # line 5
    ("chr1", 4, "multi", "T", "C,TA"),  # line 6: two rows
    ("chr1", 18, "del_end", "TCG", "T"),  # line 7: runs off the chromosome end
    ("chr1", 15, "bad", "A", "G"),  # line 8: the genome has C
]
# length 8, so the first REF base is column 4; windows written out base by base from CHR1 above
EXPECTED = [
    ("snv", "GCAAGCTT", "GCAAACTT"),
    ("ins", "GCAAGCTT", "GCAAGTTC"),
    ("del", "GCAAGCTT", "GCAAGTAC"),
    ("multi", "NACGTTGC", "NACGCTGC"),
    ("multi", "NACGTTGC", "NACGTATG"),
    ("del_end", "ACGATCGN", "ACGATNNN"),
]


@pytest.fixture
def small(tmp_path):
    genome = write_fasta(tmp_path / "small.fa", {"chr1": CHR1, "chr2": "ACGT" * 5})
    vcf = tmp_path / "calls.vcf.gz"
    with gzip.open(vcf, "wt") as handle:
        handle.write(HEADER)
        handle.writelines(f"{c}\t{p}\t{i}\t{r}\t{a}\t50\tPASS\tDP=3\n" for c, p, i, r, a in RECORDS)
    return genome, vcf


def test_read_vcf_splits_multiallelic_records(small):
    table = read_vcf(small[1])
    assert table["id"].tolist() == ["snv", "ins", "del", "multi", "multi", "del_end", "bad"]
    assert table["alt"].tolist() == ["A", "GTT", "G", "C", "TA", "T", "G"]
    assert table["allele"].tolist() == [1, 1, 1, 1, 2, 1, 1]
    assert table["line"].tolist() == [3, 4, 5, 6, 6, 7, 8]
    assert table["kind"].tolist() == ["SNV", "insertion", "deletion", "SNV", "insertion", "deletion", "SNV"]
    assert table["info"][0] == "DP=3" and table["pos"].dtype == np.int64


def test_ref_mismatch_error_names_the_record(small):
    with pytest.raises(ValueError, match=r"chr1:15 A>G \(line 8\): REF 'A' does not match the genome, which has 'C'"):
        variant_windows(small[1], small[0], 8)


def test_windows_equal_hand_built_sequences_and_mismatch_is_skipped_with_report(small):
    windows = variant_windows(small[1], small[0], 8, on_mismatch="skip")
    assert windows.variants["id"].tolist() == [e[0] for e in EXPECTED]
    assert decode(windows.ref) == [e[1] for e in EXPECTED]
    assert decode(windows.alt) == [e[2] for e in EXPECTED]
    np.testing.assert_array_equal(windows.alt, one_hot([e[2] for e in EXPECTED]))  # N: zero columns
    assert windows.ref.shape == windows.alt.shape == (6, 4, 8)
    assert windows.skipped["id"].tolist() == ["bad"] and "does not match" in windows.skipped["reason"].iloc[0]
    assert windows.variants["start"].tolist() == [5, 5, 5, -1, -1, 13]
    assert (windows.variants["end"] - windows.variants["start"] == 8).all()


def test_snv_windows_differ_only_at_the_centre_on_random_positions(tmp_path):
    rng = np.random.default_rng(7)
    seq = "".join(rng.choice(list("ACGT"), size=300))
    genome = write_fasta(tmp_path / "r.fa", {"chr5": seq})
    positions = rng.integers(1, 301, size=30)
    alts = ["ACGT"[("ACGT".index(seq[p - 1]) + 1) % 4] for p in positions]
    table = pd.DataFrame({"chrom": "chr5", "pos": positions, "ref": [seq[p - 1] for p in positions], "alt": alts})
    windows = variant_windows(table, genome, 21)
    refs, alts_decoded = decode(windows.ref), decode(windows.alt)
    for p, alt, ref_window, alt_window in zip(positions, alts, refs, alts_decoded):
        expected = "".join(seq[q] if 0 <= q < 300 else "N" for q in range(p - 1 - 10, p - 1 + 11))
        assert ref_window == expected
        assert alt_window == expected[:10] + alt + expected[11:]


def test_symbolic_alt_and_chromosome_names(small, tmp_path):
    table = pd.DataFrame({"chrom": ["chr1", "chr1"], "pos": [10, 2], "ref": ["G", "C"], "alt": ["<DEL>", "T"]})
    with pytest.raises(ValueError, match=r"chr1:10 G><DEL> has a symbolic ALT"):
        variant_windows(table, small[0], 8)
    windows = variant_windows(table, small[0], 8, on_mismatch="skip")
    assert len(windows) == 1 and "symbolic" in windows.skipped["reason"].iloc[0]
    with pytest.raises(ValueError, match=r"chromosome names of variants .*\['1'\].*add it"):
        variant_windows(table.assign(chrom="1"), small[0], 8)
    everything_skipped = variant_windows(table.iloc[:1], small[0], 8, on_mismatch="skip")
    assert everything_skipped.ref.shape == (0, 4, 8)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("chr1\t10\t.\tG\tA\t.\tPASS\n", "a VCF record needs 8 tab-separated columns"),
        ("chr1\tten\t.\tG\tA\t.\tPASS\t.\n", "POS must be a positive integer; got 'ten'"),
        ("chr1\t10\t.\tG-\tA\t.\tPASS\t.\n", "REF must be bases"),
    ],
)
def test_read_vcf_is_strict_and_names_the_line(tmp_path, line, message):
    path = tmp_path / "broken.vcf"
    path.write_text(HEADER + "chr1\t1\t.\tA\tG\t.\tPASS\t.\n" + line)
    with pytest.raises(ValueError, match=f"broken.vcf, line 4: {message}"):
        read_vcf(path)


def test_variant_windows_argument_errors(small):
    with pytest.raises(ValueError, match="on_mismatch must be 'error' or 'skip'; got 'warn'"):
        variant_windows(small[1], small[0], 8, on_mismatch="warn")
    with pytest.raises(ValueError, match=r"lacks \['ref'\]"):
        variant_windows(pd.DataFrame({"chrom": ["chr1"], "pos": [1], "alt": ["A"]}), small[0], 8)
    with pytest.raises(TypeError, match="variants must be a VCF path or a DataFrame"):
        variant_windows([("chr1", 1, "A", "G")], small[0], 8)


def test_write_vcf_adds_info_fields_and_reads_back(small, tmp_path):
    windows = variant_windows(small[1], small[0], 8, on_mismatch="skip")
    scores = pd.DataFrame(
        {"effect": np.linspace(-1, 1, len(windows)), "rank": np.arange(len(windows)), "label": list("abcdef")}
    )
    scores.loc[2, "effect"] = np.nan
    path = write_vcf(tmp_path / "scored.vcf.gz", windows.variants, scores)
    back = read_vcf(path)
    for column in ("chrom", "pos", "id", "ref", "alt", "qual", "filter"):
        assert back[column].tolist() == windows.variants[column].tolist()
    expected_effect = [f"{v:.6g}" for v in scores["effect"]]
    for i, info in enumerate(back["info"]):
        fields = dict(item.split("=") for item in info.split(";"))
        assert fields["DP"] == "3" and fields["rank"] == str(i) and fields["label"] == "abcdef"[i]
        assert ("effect" not in fields) if i == 2 else fields["effect"] == expected_effect[i]
    text = gzip.open(path, "rt").read()
    assert '##INFO=<ID=effect,Number=1,Type=Float,Description="added by eugene">' in text
    assert "##INFO=<ID=rank,Number=1,Type=Integer" in text and "##INFO=<ID=label,Number=1,Type=String" in text
    with pytest.raises(ValueError, match="info column '1x' is not a VCF INFO key"):
        write_vcf(tmp_path / "x.vcf", windows.variants, pd.DataFrame({"1x": np.zeros(len(windows))}))
    with pytest.raises(ValueError, match=r"info must be a DataFrame with one row per variant \(6\)"):
        write_vcf(tmp_path / "x.vcf", windows.variants, scores.iloc[:2])


# ---- variant_effect from a VCF and a genome (issue 14 item 3) -------------------------------------------------------
def _model(seq_len=None):
    import torch

    generator = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv1d(4, 3, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(18, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
    if seq_len is not None:
        model.seq_len = seq_len
    return model.eval()


def _direct(model, windows):
    import torch

    with torch.no_grad():
        return model(torch.from_numpy(one_hot(windows))).double().numpy()


def test_variant_effect_from_a_vcf_scores_the_hand_built_windows_and_reports_the_mismatch(small):
    from eugene.interpret import variant_effect

    model = _model(seq_len=8)  # the window length comes from the model's seq_len
    with pytest.raises(ValueError, match=r"chr1:15 A>G \(line 8\): REF 'A' does not match the genome"):
        variant_effect(model, variants=small[1], genome=small[0])
    table = variant_effect(model, variants=small[1], genome=small[0], target=None, on_mismatch="skip")
    ref, alt = _direct(model, [e[1] for e in EXPECTED]), _direct(model, [e[2] for e in EXPECTED])
    scored = table[table["skipped"].isna()]
    assert scored["id"].tolist() == [e[0] for e in EXPECTED for _ in range(2)]  # one row per variant and output
    np.testing.assert_allclose(scored["ref_pred"], ref.ravel(), rtol=1e-5)
    np.testing.assert_allclose(scored["alt_pred"], alt.ravel(), rtol=1e-5)
    np.testing.assert_allclose(scored["diff"], (alt - ref).ravel(), rtol=1e-5, atol=1e-6)
    bad = table[table["skipped"].notna()]
    assert bad["id"].tolist() == ["bad", "bad"] and bad[["ref_pred", "alt_pred", "diff"]].isna().all().all()
    assert "REF 'A' does not match the genome, which has 'C'" in bad["skipped"].iloc[0]
    assert table["line"].tolist() == [3, 3, 4, 4, 5, 5, 6, 6, 6, 6, 7, 7, 8, 8]  # VCF order, skipped ones kept
    assert (table["start"] == table["pos"] - 1 - 4).all() and (table["end"] - table["start"] == 8).all()


def test_variant_effect_from_a_vcf_with_attributions(small):
    from eugene.interpret import attribute, variant_effect

    model = _model()
    with pytest.raises(ValueError, match="length .* is needed with genome: the model .Sequential. has no"):
        variant_effect(model, variants=small[1], genome=small[0], on_mismatch="skip")
    result = variant_effect(
        model, variants=small[1], genome=small[0], length=8, target=1, on_mismatch="skip", attributions="saliency"
    )
    kept = result.table["skipped"].isna().to_numpy()
    assert kept.tolist() == [True] * 6 + [False]
    for arrays, column in ((result.ref, 1), (result.alt, 2)):
        expected = attribute(model, one_hot([e[column] for e in EXPECTED]), "saliency", target=1, verbose=False)
        np.testing.assert_allclose(arrays[kept], expected, rtol=1e-6)
        assert np.isnan(arrays[~kept]).all()
    np.testing.assert_array_equal(result.X_alt[kept], one_hot([e[2] for e in EXPECTED]))
    assert not result.X_ref[~kept].any()
    np.testing.assert_array_equal(result.diff, result.alt - result.ref)


def test_variant_intervals_cover_ref_and_name_each_allele(small, tmp_path):
    from eugene.genome import read_bed, variant_intervals, write_bed
    from eugene.interpret import variant_effect

    table = variant_effect(_model(seq_len=8), variants=small[1], genome=small[0], target=None, on_mismatch="skip")
    intervals = variant_intervals(table)
    scored = table[table["diff"].notna()].reset_index(drop=True)
    assert len(intervals) == len(scored) == 12  # six variants x two outputs; the mismatch left out
    np.testing.assert_array_equal(intervals["start"], scored["pos"] - 1)
    np.testing.assert_array_equal(intervals["end"] - intervals["start"], scored["ref"].str.len())
    assert intervals["name"].tolist()[::2] == ["snv", "ins", "del", "multi:C", "multi:TA", "del_end"]
    back = read_bed(write_bed(tmp_path / "v.bed", intervals, sort=False))
    assert (
        back[["chrom", "start", "end", "name"]].values.tolist()
        == intervals[["chrom", "start", "end", "name"]].values.tolist()
    )
    np.testing.assert_allclose(back["score"].astype(float), scored["diff"], rtol=1e-12)
    anonymous = variant_intervals(scored.drop(columns="id"), score="alt_pred")
    assert anonymous["name"].iloc[0] == "chr1:10:G>A" and anonymous["score"].tolist() == scored["alt_pred"].tolist()
