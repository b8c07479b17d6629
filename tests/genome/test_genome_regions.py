"""read_regions / iter_regions / read_bed / Genome against windows cut base by base from a synthetic genome."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from synthetic_genome import brute_window, revcomp, write_fasta

from eugene.genome import Genome, iter_regions, read_bed, read_regions, regions_dataset
from eugene.genome import _fasta as fasta_module
from eugene.seq import decode, one_hot

pytest.importorskip("pyfaidx", reason="the genome extra (pyfaidx) is not installed")


def _random_bed(seqs: dict[str, str], n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    chroms = rng.choice(list(seqs), size=n)
    starts, ends = [], []
    for chrom in chroms:
        size = len(seqs[chrom])
        a, b = sorted(rng.integers(0, size + 1, size=2))
        starts.append(int(a))
        ends.append(int(b))
    return pd.DataFrame({"chrom": chroms, "start": starts, "end": ends})


def test_middle_windows_match_brute_force_with_n_off_the_ends(genome_seqs, genome_fasta):
    bed = _random_bed(genome_seqs, 60, seed=1)
    length = 51
    regions = read_regions(bed, genome_fasta, length=length, centre="middle")
    assert regions.X.shape == (60, 4, length) and regions.X.dtype == np.float32
    expected = []
    for chrom, start, end in bed[["chrom", "start", "end"]].itertuples(index=False):
        window_start = (start + end) // 2 - length // 2
        expected.append(brute_window(genome_seqs, chrom, window_start, length))
    assert decode(regions.X) == expected
    np.testing.assert_array_equal(regions.X, one_hot(expected))  # N (off the ends, in the genome): zero columns
    assert (regions.coords["end"] - regions.coords["start"] == length).all()
    assert regions.coords["region_start"].tolist() == bed["start"].tolist()
    assert regions.coords["name"][0] == f"{bed['chrom'][0]}:{bed['start'][0]}-{bed['end'][0]}"
    # the synthetic genome has windows that run off both ends and an N run: they are all-zero columns
    off = np.array(
        [not (0 <= s and e <= len(genome_seqs[c])) for c, s, e in regions.coords[["chrom", "start", "end"]].values]
    )
    assert off.any() and (regions.X.sum(axis=1) == 0).any()


def test_narrowpeak_summit_and_no_summit(genome_seqs, genome_fasta, tmp_path):
    rows = [
        ("chr1", 100, 200, "p1", 5, ".", 1.0, 2.0, 3.0, 30),  # summit at 130
        ("chr2", 10, 60, "p2", 5, ".", 1.0, 2.0, 3.0, -1),  # no summit: middle 35
        ("chr1", 495, 503, "p3", 5, ".", 1.0, 2.0, 3.0, 7),  # summit at the last base: runs off the end
    ]
    path = tmp_path / "peaks.narrowPeak.gz"
    with gzip.open(path, "wt") as handle:
        handle.write("track name=peaks\n")
        handle.writelines("\t".join(map(str, row)) + "\n" for row in rows)
    length = 20
    regions = read_regions(path, genome_fasta, length=length)
    centres = [130, 35, 502]
    expected = [brute_window(genome_seqs, r[0], c - length // 2, length) for r, c in zip(rows, centres)]
    assert decode(regions.X) == expected
    assert regions.coords["start"].tolist() == [c - 10 for c in centres]
    assert regions.coords["name"].tolist() == ["p1", "p2", "p3"]
    assert regions.coords["peak"].tolist() == [30, -1, 7] and "signalValue" in regions.coords
    middle = read_regions(path, genome_fasta, length=length, centre="middle")
    assert middle.coords["start"].tolist() == [(r[1] + r[2]) // 2 - 10 for r in rows]


def test_strand_respect_reverse_complements_minus_rows(genome_seqs, genome_fasta):
    bed = pd.DataFrame(
        {"chrom": ["chr1", "chr2", "chr2"], "start": [150, 20, 100], "end": [160, 40, 101], "strand": ["-", "+", "."]}
    )
    forward = [brute_window(genome_seqs, c, (s + e) // 2 - 8, 16) for c, s, e in bed[["chrom", "start", "end"]].values]
    respected = read_regions(bed, genome_fasta, length=16)
    assert decode(respected.X) == [revcomp(forward[0]), forward[1], forward[2]]
    assert respected.coords["reverse_complemented"].tolist() == [True, False, False]
    ignored = read_regions(bed, genome_fasta, length=16, strand="ignore")
    assert decode(ignored.X) == forward and not ignored.coords["reverse_complemented"].any()


def test_chromosome_naming_mismatch_names_both_sides_and_the_fix(genome_fasta):
    bed = pd.DataFrame({"chrom": ["1", "2", "1"], "start": [0, 0, 5], "end": [10, 10, 15]})
    with pytest.raises(ValueError, match=r"2 of 2 chromosome names of bed .*\['1', '2'\].*chr1.*add it") as info:
        read_regions(bed, genome_fasta, length=10)
    assert "'chrM'" in str(info.value)
    other = pd.DataFrame({"chrom": ["chrX"], "start": [0], "end": [1]})
    with pytest.raises(ValueError, match=r"\['chrX'\].*same assembly"):
        read_regions(other, genome_fasta, length=10)


def test_chr_prefix_in_bed_but_not_in_genome(tmp_path, genome_seqs):
    plain = write_fasta(tmp_path / "g.fa", {"1": genome_seqs["chr1"]})
    with pytest.raises(ValueError, match="remove it"):
        read_regions(pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [5]}), plain, length=5)


def test_bgzipped_genome_and_gzipped_bed_read_like_plain_files(tmp_path, genome_seqs, genome_fasta):
    bgzf = pytest.importorskip("Bio.bgzf", reason="bgzipped FASTA needs biopython")
    bgz = tmp_path / "genome.fa.gz"
    with bgzf.BgzfWriter(str(bgz), "wb") as handle:
        handle.write(genome_fasta.read_bytes())
    bed = _random_bed(genome_seqs, 25, seed=2)
    bed_path = tmp_path / "regions.bed.gz"
    with gzip.open(bed_path, "wt") as handle:
        bed.to_csv(handle, sep="\t", header=False, index=False)
    plain = read_regions(bed, genome_fasta, length=33)
    np.testing.assert_array_equal(read_regions(bed_path, bgz, length=33).X, plain.X)


def test_plain_gzip_genome_is_refused_with_the_fix(tmp_path, genome_fasta):
    gz = tmp_path / "genome.fa.gz"
    gz.write_bytes(gzip.compress(genome_fasta.read_bytes()))
    with pytest.raises(ValueError, match="not bgzip.*bgzip"):
        Genome(gz)


def test_read_only_folder_puts_the_index_in_the_cache(tmp_path, genome_seqs, genome_fasta, monkeypatch):
    folder = genome_fasta.parent
    monkeypatch.setattr(fasta_module, "_writable", lambda path: Path(path) != folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    genome = Genome(genome_fasta)
    assert not Path(f"{genome_fasta}.fai").exists()
    assert list((tmp_path / "cache" / "eugene" / "genome-index").glob("*/genome.fa.fai"))
    assert genome.sizes == {name: len(seq) for name, seq in genome_seqs.items()}
    assert genome.fetch("chr2", 295, 303) == genome_seqs["chr2"][295:] + "NNN"
    Genome(genome_fasta)  # the cached index is found again


def test_iter_regions_chunks_equal_read_regions(genome_seqs, genome_fasta):
    bed = _random_bed(genome_seqs, 23, seed=3)
    whole = read_regions(bed, genome_fasta, length=12)
    chunks = list(iter_regions(bed, genome_fasta, length=12, chunk_size=5))
    assert [len(c) for c in chunks] == [5, 5, 5, 5, 3]
    np.testing.assert_array_equal(np.concatenate([c.X for c in chunks]), whole.X)
    pd.testing.assert_frame_equal(pd.concat([c.coords for c in chunks]), whole.coords)


def test_to_dataset_has_seqdata_coordinates(genome_seqs, genome_fasta):
    bed = pd.DataFrame({"chrom": ["chr1", "chr2"], "start": [10, 20], "end": [30, 25], "name": ["a", "b"]})
    regions = read_regions(bed, genome_fasta, length=8)
    ds = regions.to_dataset()
    assert ds["ohe_seq"].dims == ("_sequence", "_ohe", "length")  # as eugene's file input: one layout for both
    np.testing.assert_array_equal(ds["ohe_seq"].values, regions.X)
    assert ds["chromStart"].values.tolist() == regions.coords["start"].tolist()
    assert ds["chromEnd"].values.tolist() == regions.coords["end"].tolist()
    assert ds["name"].values.tolist() == ["a", "b"] and ds["chrom"].dims == ("_sequence",)
    assert ds.attrs["length"] == "8" and ds.attrs["genome"] == str(genome_fasta)


@pytest.mark.parametrize(
    "index",
    [
        {"_sequence": [17, 3, 3, 0]},  # any order, repeats
        {"_sequence": slice(4, 11, 3)},
        {"_sequence": 5},
        {"_sequence": [2, 9], "length": slice(3, 9)},
        {"_ohe": 2, "length": [0, 11, 4]},
        {"_sequence": slice(None, None, -2)},
    ],
)
def test_regions_dataset_reads_what_read_regions_holds(genome_seqs, genome_fasta, index):
    bed = _random_bed(genome_seqs, 23, seed=7)
    bed["strand"] = np.random.default_rng(1).choice(["+", "-", "."], len(bed))
    whole = read_regions(bed, genome_fasta, length=12).to_dataset()
    lazy = regions_dataset(bed, genome_fasta, length=12)
    np.testing.assert_array_equal(lazy["ohe_seq"].isel(index).values, whole["ohe_seq"].isel(index).values)
    np.testing.assert_array_equal(
        lazy["ohe_seq"].isel(index).transpose(...).T.values, whole["ohe_seq"].isel(index).transpose(...).T.values
    )
    assert lazy.drop_vars("ohe_seq").identical(whole.drop_vars("ohe_seq"))


def test_regions_dataset_reads_only_the_rows_asked_for(genome_seqs, genome_fasta, monkeypatch):
    from eugene.genome import regions as regions_module

    encoded = []
    real = regions_module._encode
    monkeypatch.setattr(regions_module, "_encode", lambda coords, *a: encoded.append(len(coords)) or real(coords, *a))
    lazy = regions_dataset(_random_bed(genome_seqs, 40, seed=3), genome_fasta, length=10)
    assert encoded == []  # nothing read when the Dataset is made
    part = lazy.isel(_sequence=slice(10, 20))
    assert encoded == []  # nor when it is sliced
    assert part["ohe_seq"].values.shape == (10, 4, 10) and encoded == [10]


def test_regions_dataset_pickles_without_the_open_genome(genome_seqs, genome_fasta):
    import pickle

    bed = _random_bed(genome_seqs, 9, seed=4)
    part = regions_dataset(bed, genome_fasta, length=16).isel(_sequence=slice(2, 6))
    copy = pickle.loads(pickle.dumps(part))  # what a Dask worker receives
    np.testing.assert_array_equal(copy["ohe_seq"].values, read_regions(bed, genome_fasta, length=16).X[2:6])


@pytest.mark.parametrize(
    ("bed", "kwargs", "message"),
    [
        (pd.DataFrame({"chrom": ["chr2"], "start": [290], "end": [301]}), {}, "runs past the end .*length 300"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [10], "end": [20], "peak": [10]}), {}, "summit offset peak=10"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [10], "end": [5]}), {}, "0 <= start <= end"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [1.5], "end": [5]}), {}, "start must be an integer; got '1.5'"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [1], "end": [5], "strand": ["x"]}), {}, "strand must be"),
        (pd.DataFrame({"chrom": ["chr2"], "begin": [1], "end": [5]}), {}, r"lacks \['start'\]"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [1], "end": [5]}), {"centre": "peak"}, "centre must be"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [1], "end": [5]}), {"strand": "+"}, "strand must be"),
        (pd.DataFrame({"chrom": ["chr2"], "start": [1], "end": [5]}), {"length": 0}, "length must be a positive"),
    ],
)
def test_errors_name_the_argument_and_row(genome_fasta, bed, kwargs, message):
    kwargs = {"length": 10, **kwargs}
    with pytest.raises(ValueError, match=message):
        read_regions(bed, genome_fasta, **kwargs)


def test_read_bed_skips_headers_and_names_columns(tmp_path):
    path = tmp_path / "x.bed"
    path.write_text("# comment\nbrowser position chr1\nchr1\t5\t9\tr1\t0\t-\nchr2\t1\t3\tr2\t0\t+\n")
    table = read_bed(path)
    assert list(table.columns) == ["chrom", "start", "end", "name", "score", "strand"]
    assert table["strand"].tolist() == ["-", "+"] and table["start"].dtype == np.int64
    with pytest.raises(TypeError, match="bed must be a path .* or a pandas DataFrame; got list"):
        read_bed([1, 2])


def test_missing_extra_names_the_install_command(monkeypatch, genome_fasta):
    monkeypatch.setitem(sys.modules, "pyfaidx", None)
    with pytest.raises(ImportError, match=r'pip install "eugene-interpret\[genome\]"'):
        Genome(genome_fasta)


def _truncated_gzip(path: Path, text: str) -> Path:
    data = gzip.compress(text.encode())
    path.write_bytes(data[: len(data) // 2])
    return path


def test_bed_and_vcf_readers_name_the_file_of_binary_bad_bytes_and_cut_gzip(tmp_path):
    """Before, binary input raised UnicodeDecodeError and a cut gzip EOFError, naming neither file nor line."""
    from eugene.genome import read_vcf

    bed_text = "".join(f"chr1\t{i}\t{i + 5}\tp{i}\n" for i in range(2000))
    vcf_text = "##fileformat=VCFv4.2\n" + "".join(f"chr1\t{i + 1}\t.\tA\tG\t.\t.\t.\n" for i in range(2000))
    for reader, text, name in ((read_bed, bed_text, "peaks.bed"), (read_vcf, vcf_text, "calls.vcf")):
        binary = tmp_path / f"bin_{name}"
        binary.write_bytes(bytes(range(256)) * 4)  # a NUL first
        with pytest.raises(ValueError, match=rf"bin_{name}, line 1: byte 0x00 at column 1 is not UTF-8 text"):
            reader(binary)
        with pytest.raises(ValueError, match=rf"cut_{name}.gz, after line \d+: the gzip data is truncated"):
            reader(_truncated_gzip(tmp_path / f"cut_{name}.gz", text))
        latin1 = tmp_path / f"latin1_{name}"
        latin1.write_bytes(text.splitlines(keepends=True)[1].encode() + "chr1\t1\t2\tcaf\u00e9\n".encode("latin-1"))
        with pytest.raises(ValueError, match=rf"latin1_{name}, line 2: byte 0xe9"):
            reader(latin1)
        utf8 = tmp_path / f"utf8_{name}"  # names and INFO text may hold any UTF-8 character (VCF 4.3)
        utf8.write_text("\ufeff" + text.replace("p1\n", "p\u00b5\n").replace("\t.\n", "\tNOTE=caf\u00e9\n"))
        assert len(reader(utf8)) == 2000
    assert read_bed(tmp_path / "utf8_peaks.bed")["name"][1] == "p\u00b5"


def test_genome_that_is_not_fasta_text_is_a_value_error_naming_it(tmp_path):
    """Before, pyfaidx's FastaIndexingError came through (not a ValueError) with no hint for a BOM."""
    binary = tmp_path / "bin_genome.fa"
    binary.write_bytes(bytes(256) * 8)
    with pytest.raises(ValueError, match=r"genome .*bin_genome\.fa cannot be indexed as FASTA \(it does not start"):
        Genome(binary)
    bom = tmp_path / "bom_genome.fa"
    bom.write_text("\ufeff>chr1\n" + "ACGT" * 25 + "\n")
    with pytest.raises(ValueError, match=r"bom_genome\.fa cannot be indexed as FASTA \(it starts with a UTF-8 byte"):
        read_regions(pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [10]}), bom, length=10)
