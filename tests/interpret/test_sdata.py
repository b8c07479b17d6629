"""The EUGENe API layer: layouts in and out, chunked zarr writes, resumption, Dask, equality with the plain API."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import xarray as xr
from torch import nn

from eugene.interpret import sdata as sd
from eugene.seq import one_hot


def _sequences(n: int, length: int = 12, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]


def _fn(X: np.ndarray, verbose: bool = False) -> np.ndarray:
    """A position- and letter-dependent stand-in for a per-sequence method."""
    return X * np.arange(X.shape[2])[None, None, :] + X.sum(axis=(1, 2), keepdims=True)


def _run(sdata: xr.Dataset, **kwargs) -> xr.Dataset:
    options = {"seq_key": None, "alphabet": "DNA", "chunk_size": None, "store": None, "dask": False}
    options.update({"overwrite": False, "copy": True, **kwargs})
    return sd._run_per_sequence(_fn, sdata, "out", {"m": "fn"}, **options)


@pytest.mark.parametrize("layout", ["text", "chars", "ohe_last", "ohe_first"])
def test_layouts_in_and_out(layout):
    seqs = _sequences(5)
    X = one_hot(seqs)
    if layout == "text":
        sdata = xr.Dataset({"seq": ("_sequence", np.array(seqs))})
    elif layout == "chars":
        chars = np.array([list(s) for s in seqs], dtype="S1")
        sdata = xr.Dataset({"seq": (("_sequence", "_length"), chars)})
    elif layout == "ohe_last":
        sdata = xr.Dataset({"ohe_seq": (("_sequence", "length", "_ohe"), X.transpose(0, 2, 1))})
    else:
        sdata = xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X)})
    out = _run(sdata, chunk_size=2)
    result = out["out"].transpose("_sequence", "_ohe", ...).values
    np.testing.assert_allclose(result, _fn(X))
    if layout == "ohe_last":
        assert out["out"].dims == ("_sequence", "length", "_ohe")
    assert out["out"].attrs == {"m": "fn"} and "out" not in sdata


def test_store_resumes_after_interruption(tmp_path):
    seqs = _sequences(10)
    sdata = xr.Dataset({"seq": ("_sequence", np.array(seqs))})
    calls = []

    def flaky(X, verbose):
        calls.append(len(X))
        if len(calls) == 3:
            raise KeyboardInterrupt
        return _fn(X)

    options = {"seq_key": None, "alphabet": "DNA", "chunk_size": 3, "dask": False, "overwrite": False, "copy": True}
    with pytest.raises(KeyboardInterrupt):
        sd._run_per_sequence(flaky, sdata, "out", {"m": "fn"}, store=tmp_path / "s.zarr", **options)
    calls.clear()
    out = sd._run_per_sequence(flaky, sdata, "out", {"m": "fn"}, store=tmp_path / "s.zarr", **options)
    assert calls == [3, 1]  # only the two unfinished chunks were computed
    np.testing.assert_allclose(out["out"].values, _fn(one_hot(seqs)))
    with pytest.raises(ValueError, match="computed differently"):
        sd._run_per_sequence(_fn, sdata, "out", {"m": "other"}, store=tmp_path / "s.zarr", **options)


def test_dask_local_cluster_equals_single_process(tmp_path):
    distributed = pytest.importorskip("distributed")
    seqs = _sequences(9)
    sdata = xr.Dataset({"seq": ("_sequence", np.array(seqs))})
    single = _run(sdata, chunk_size=4)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        with distributed.Client(c):
            out = _run(sdata, chunk_size=4, store=tmp_path / "d.zarr", dask=True)
    np.testing.assert_allclose(out["out"].values, single["out"].values)


def test_attribute_sdata_equals_attribute(tmp_path):
    from eugene.interpret import attribute

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    seqs = _sequences(6)
    sdata = xr.Dataset({"ohe_seq": (("_sequence", "length", "_ohe"), one_hot(seqs).transpose(0, 2, 1))})
    out = sd.attribute_sdata(model, sdata, "saliency", target=1, chunk_size=4, store=tmp_path / "a.zarr")
    expected = attribute(model, one_hot(seqs), "saliency", target=1, verbose=False)
    np.testing.assert_allclose(out["saliency_attrs"].transpose("_sequence", "_ohe", "length").values, expected)
    assert out["saliency_attrs"].attrs["method"] == "'saliency'"


def test_bad_input_names_the_argument():
    sdata = xr.Dataset({"x": ("_sequence", np.array(["ACGT"]))})
    with pytest.raises(ValueError, match="neither 'ohe_seq' nor 'seq'"):
        _run(sdata)
    with pytest.raises(ValueError, match="seq_key must name a variable"):
        _run(sdata, seq_key="seq")
    with pytest.raises(TypeError, match="sdata must be an xarray.Dataset"):
        _run({"seq": ["ACGT"]})
    with pytest.raises(ValueError, match="dask=True needs store"):
        _run(xr.Dataset({"seq": ("_sequence", np.array(["ACGT"]))}), dask=True)


def test_ism_and_pfms_sdata_equal_the_plain_api(tmp_path):
    from eugene.interpret import filter_pfms, ism
    from eugene.motifs import read_meme

    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    seqs = _sequences(5)
    sdata = xr.Dataset({"seq": ("_sequence", np.array(seqs))})
    out = sd.ism_sdata(model, sdata, target=0, chunk_size=2, copy=True)
    np.testing.assert_allclose(out["ism_attrs"].values, ism(model, one_hot(seqs), target=0), rtol=1e-5, atol=1e-6)
    out = sd.generate_pfms_sdata(model, sdata, copy=True)
    motifs = filter_pfms(model, one_hot(seqs))
    np.testing.assert_array_equal(out["0_pfms"].values, motifs.counts)
    np.testing.assert_array_equal(out["0_pfms_n_sites"].values, motifs.n_sites)
    path = sd.filters_to_meme_sdata(out, tmp_path / "f.meme", key="0_pfms")
    assert len(read_meme(path)) == 3
    with pytest.raises(ValueError, match="key must name PFMs"):
        sd.filters_to_meme_sdata(out, tmp_path / "g.meme", key="conv1_pfms")


def test_gia_sdata_equals_gia_on_the_same_backgrounds():
    from eugene.interpret import dinucleotide_backgrounds, gia_implant, gia_positional

    torch.manual_seed(2)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    seqs = _sequences(6)
    sdata = xr.Dataset({"seq": ("_sequence", np.array(seqs))})
    out = sd.gia_sdata(model, sdata, "ACGTA", target=1, copy=True)
    backgrounds = dinucleotide_backgrounds(one_hot(seqs), n=1, seed=0)
    effects, _ = gia_implant(model, backgrounds, "ACGTA", target=1, seed=0)
    np.testing.assert_allclose(out["gia_implant_ACGTA"].values, effects, rtol=1e-6)
    out = sd.gia_sdata(model, sdata, "ACGTA", experiment="positional", backgrounds=None, step=3)
    effects, table = gia_positional(model, one_hot(seqs), "ACGTA", step=3, seed=0)
    np.testing.assert_allclose(out["gia_positional_ACGTA"].values, effects.T, rtol=1e-6)
    np.testing.assert_array_equal(out["gia_positional_ACGTA"]["_gia_position"].values, table["position"])
    with pytest.raises(ValueError, match="experiment must be"):
        sd.gia_sdata(model, sdata, "ACGTA", experiment="spacing")


def test_resume_may_change_batch_size_device_and_verbosity(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    sdata = xr.Dataset({"seq": ("_sequence", np.array(_sequences(6)))})
    store = tmp_path / "r.zarr"
    first = sd.attribute_sdata(model, sdata, "saliency", chunk_size=4, store=store, batch_size=2, copy=True)
    again = sd.attribute_sdata(model, sdata, "saliency", chunk_size=4, store=store, batch_size=5, verbose=True)
    np.testing.assert_array_equal(again["saliency_attrs"].values, first["saliency_attrs"].values)
    assert "batch_size" not in again["saliency_attrs"].attrs
    assert again["saliency_attrs"].attrs["target"] == "0"
    with pytest.raises(ValueError, match="differs in \\[.target.\\]"):
        sd.attribute_sdata(model, sdata, "saliency", chunk_size=4, store=store, target=1)


def test_attribute_sdata_on_worker_processes_equals_single_process(tmp_path):
    """Chunks run in separate worker processes (the model and data travel by pickling) give the same values."""
    distributed = pytest.importorskip("distributed")
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    sdata = xr.Dataset({"seq": ("_sequence", np.array(_sequences(8)))})
    single = sd.attribute_sdata(model, sdata, "deeplift_shap", n_references=3, seed=0, chunk_size=3, copy=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        with distributed.Client(c):
            out = sd.attribute_sdata(
                model,
                sdata,
                "deeplift_shap",
                n_references=3,
                seed=0,
                chunk_size=3,
                store=tmp_path / "p.zarr",
                dask=True,
            )
    np.testing.assert_allclose(out["deeplift_shap_attrs"].values, single["deeplift_shap_attrs"].values, rtol=1e-6)


def test_onehot_sdata_reads_every_layout_and_names_a_bad_key():
    seqs = _sequences(4, length=9, seed=3)
    X = one_hot(seqs)
    layouts = [
        xr.Dataset({"seq": ("_sequence", np.array(seqs))}),
        xr.Dataset({"seq": (("_sequence", "_length"), np.array([list(s) for s in seqs], dtype="S1"))}),
        xr.Dataset({"ohe_seq": (("_sequence", "length", "_ohe"), X.transpose(0, 2, 1))}),
        xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X)}),
    ]
    for sdata in layouts:
        got = sd.onehot_sdata(sdata)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, X)
    with pytest.raises(ValueError, match="seq_key must name a variable of sdata; got 'sequence'"):
        sd.onehot_sdata(layouts[0], seq_key="sequence")


def test_pfms_sdata_keep_the_alphabet_and_name_the_filters(tmp_path):
    """RNA PFMs are stored and written with RNA letters; with min_sites, the _filter coordinate says which filters
    are left (rows alone would not)."""
    from eugene.interpret import filter_pfms
    from eugene.motifs import read_meme

    torch.manual_seed(4)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))
    rna = [s.replace("T", "U") for s in _sequences(30)]
    sdata = xr.Dataset({"seq": ("_sequence", np.array(rna))})
    X = one_hot(rna, "RNA")
    n_sites = filter_pfms(model, X, alphabet="RNA").n_sites
    assert len(set(n_sites)) > 1  # so that min_sites below leaves some filter out
    motifs = filter_pfms(model, X, alphabet="RNA", min_sites=int(n_sites.max()))
    out = sd.generate_pfms_sdata(model, sdata, alphabet="RNA", min_sites=int(n_sites.max()), copy=True)
    assert out["0_pfms"].attrs["alphabet"] == motifs.alphabet == "ACGU"
    assert out["0_pfms"]["_filter"].values.tolist() == motifs.names
    assert out["0_pfms_n_sites"]["_filter"].values.tolist() == motifs.names
    np.testing.assert_array_equal(out["0_pfms"].values, motifs.counts)
    back = read_meme(sd.filters_to_meme_sdata(out, tmp_path / "rna.meme", key="0_pfms"))
    assert back.alphabet == "ACGU" and back.names == motifs.names
    np.testing.assert_allclose(back.probs, motifs.probs, atol=1e-6)
    with pytest.raises(ValueError, match="sdata already holds PFMs of other filters"):
        sd.generate_pfms_sdata(model, out, key="again", alphabet="RNA")  # all 3 filters: would align to NaN rows


def test_no_sequences_give_an_empty_result_in_memory_and_in_a_store(tmp_path):
    from eugene.interpret import verify_store

    model = nn.Sequential(nn.Conv1d(4, 2, 3), nn.Flatten(), nn.Linear(2 * 8, 1))
    sdata = xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), np.zeros((0, 4, 10), np.float32))})
    for store in (None, tmp_path / "empty.zarr"):
        out = sd.attribute_sdata(model, sdata, "saliency", chunk_size=4, store=store, copy=True)
        assert out["saliency_attrs"].shape == (0, 4, 10) and out["saliency_attrs"].dtype == np.float32
    assert len(verify_store(tmp_path / "empty.zarr")) == 0


# ---- windows streamed from a genome (eu.genome.regions_dataset) ---------------------------------------------------


def _genome_and_bed(tmp_path, seed: int = 0, n: int = 14):
    """A two-chromosome FASTA and a BED of ``n`` regions (some on strand -, one running off chr2's start)."""
    pytest.importorskip("pyfaidx", reason="reading a genome needs the genome extra (pyfaidx)")
    rng = np.random.default_rng(seed)
    chroms = {"chr1": "".join(rng.choice(list("ACGT"), 300)), "chr2": "".join(rng.choice(list("ACGT"), 200))}
    fasta = tmp_path / f"genome{seed}.fa"
    fasta.write_text("".join(f">{name}\n{seq}\n" for name, seq in chroms.items()))
    bed = tmp_path / "peaks.bed"
    rows = [
        (str(rng.choice(["chr1", "chr2"])), int(s), int(s) + 20, f"p{i}", 0, str(rng.choice(["+", "-"])))
        for i, s in enumerate(rng.integers(0, 150, n))
    ]
    rows[-1] = ("chr2", 0, 4, f"p{n - 1}", 0, "+")
    bed.write_text("".join("\t".join(map(str, row)) + "\n" for row in rows))
    return fasta, bed


def test_regions_stream_from_the_genome_chunk_by_chunk_and_resume_only_on_the_same_windows(tmp_path, monkeypatch):
    from eugene.genome import read_regions, regions_dataset
    from eugene.genome import regions as regions_module

    fasta, bed = _genome_and_bed(tmp_path)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 12, 2))
    regions = read_regions(bed, fasta, length=16)
    expected = sd.attribute_sdata(model, regions.to_dataset(), "saliency", target=1)["saliency_attrs"].values
    read, real = [], regions_module._encode
    monkeypatch.setattr(regions_module, "_encode", lambda coords, *a: read.append(len(coords)) or real(coords, *a))
    store = tmp_path / "attr.zarr"
    options = {"target": 1, "chunk_size": 4, "store": store}
    out = sd.attribute_sdata(model, regions_dataset(bed, fasta, length=16), "saliency", **options)
    np.testing.assert_allclose(out["saliency_attrs"].values, expected, rtol=1e-6)
    # O(chunk): the first window (for the result's shape), the fingerprint's pass, then the chunks computed
    assert max(read) <= 4 and sum(read) == 1 + 2 * 14
    assert out["saliency_attrs"].dims == ("_sequence", "_ohe", "length")
    assert out["chromStart"].values.tolist() == regions.coords["start"].tolist()  # coordinates kept,
    in_store = xr.open_zarr(store, consolidated=False)  # in the store too
    assert in_store["chromStart"].values.tolist() == regions.coords["start"].tolist()
    assert in_store["name"].values.tolist() == [f"p{i}" for i in range(14)]

    read.clear()
    sd.attribute_sdata(model, regions_dataset(bed, fasta, length=16), "saliency", **options)
    assert sum(read) == 1 + 14  # a rerun checks the windows and computes nothing
    other_bed = tmp_path / "other.bed"  # the same windows under other names: another computation
    other_bed.write_text(bed.read_text().replace("\tp", "\tq"))
    with pytest.raises(ValueError, match=r"computed differently: it was made with eugene_coordinates=sha256 \w+; "):
        sd.attribute_sdata(model, regions_dataset(other_bed, fasta, length=16), "saliency", **options)
    (tmp_path / "other").mkdir()
    other_genome, _ = _genome_and_bed(tmp_path / "other", seed=1)  # same chromosome names and sizes, other bases
    with pytest.raises(ValueError, match=r"differs in \['eugene_sequences'\]"):
        sd.attribute_sdata(model, regions_dataset(bed, other_genome, length=16), "saliency", **options)
    # recomputed for the other BED: the store's coordinates are replaced
    sd.attribute_sdata(model, regions_dataset(other_bed, fasta, length=16), "saliency", overwrite=True, **options)
    assert xr.open_zarr(store, consolidated=False)["name"].values.tolist() == [f"q{i}" for i in range(14)]


def test_regions_on_dask_worker_processes_read_their_own_chunks(tmp_path):
    """The lazy windows travel to worker processes by pickling (the genome reopened there by path)."""
    distributed = pytest.importorskip("distributed")
    from eugene.genome import read_regions, regions_dataset

    fasta, bed = _genome_and_bed(tmp_path, n=9)
    torch.manual_seed(3)
    model = nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 12, 2))
    single = sd.attribute_sdata(model, read_regions(bed, fasta, length=16).to_dataset(), "saliency")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True, dashboard_address=None) as c:
        with distributed.Client(c):
            out = sd.attribute_sdata(
                model,
                regions_dataset(bed, fasta, length=16),
                "saliency",
                chunk_size=4,
                store=tmp_path / "d.zarr",
                dask=True,
            )
    np.testing.assert_allclose(out["saliency_attrs"].values, single["saliency_attrs"].values, rtol=1e-6)


def _small_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv1d(4, 3, 5), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 8, 2))


def test_onehot_input_must_be_finite_with_one_channel_per_letter():
    X = one_hot(_sequences(3))
    ohe = ("_sequence", "_ohe", "length")
    with pytest.raises(ValueError, match=r"sdata\['ohe_seq'\] must be finite"):
        sd.onehot_sdata(xr.Dataset({"ohe_seq": (ohe, X * np.nan)}))
    five = xr.Dataset({"ohe_seq": (ohe, np.concatenate([X, np.zeros_like(X[:, :1])], 1))})
    with pytest.raises(ValueError, match=r"sdata\['ohe_seq'\] has 5 channels along '_ohe'.*alphabet must be given"):
        sd.onehot_sdata(five)
    with pytest.raises(ValueError, match=r"has 5 channels along '_ohe'.*alphabet must have 5 letters"):
        sd.onehot_sdata(five, alphabet="DNA")
    np.testing.assert_array_equal(sd.onehot_sdata(five, alphabet="ACGTN"), five["ohe_seq"].values)
    protein = np.eye(20, dtype=np.float32)[None]  # 20 channels: protein by default, as filter_pfms reads them
    np.testing.assert_array_equal(sd.onehot_sdata(xr.Dataset({"ohe_seq": (ohe, protein)})), protein)
    with pytest.raises(ValueError, match=r"ohe_seq"):  # the runner reads one-hot the same way
        sd.attribute_sdata(_small_model(0), xr.Dataset({"ohe_seq": (ohe, X * np.nan)}), "saliency")


@pytest.mark.parametrize("shape", ["(N, A, L)", "(N, R, A, L)"])
def test_per_sequence_references_follow_their_sequences_chunk_by_chunk(tmp_path, shape):
    """Each sequence keeps its own references whatever the chunking, in memory and in a store; before, a second
    chunk got the whole array and failed."""
    from eugene.interpret import attribute

    model, seqs = _small_model(2), _sequences(7, seed=5)
    X = one_hot(seqs)
    rng = np.random.default_rng(0)
    refs = one_hot(_sequences(7 * 3, seed=6)).reshape(7, 3, 4, 12) if "R" in shape else one_hot(_sequences(7, seed=6))
    sdata = xr.Dataset({"ohe_seq": (("_sequence", "_ohe", "length"), X)})
    whole = attribute(model, X, "deeplift_shap", target=1, references=refs, verbose=False)
    one_by_one = np.concatenate(
        [
            attribute(model, X[i : i + 1], "deeplift_shap", target=1, references=refs[i : i + 1], verbose=False)
            for i in range(7)
        ]
    )
    np.testing.assert_allclose(whole, one_by_one, rtol=1e-5, atol=1e-6)
    for chunk_size, store in ((3, None), (2, tmp_path / "r.zarr")):
        out = sd.attribute_sdata(
            model, sdata, "deeplift_shap", target=1, references=refs, chunk_size=chunk_size, store=store, copy=True
        )
        np.testing.assert_allclose(out["deeplift_shap_attrs"].values, whole, rtol=1e-5, atol=1e-6)
    other = refs[rng.permutation(7)]  # other references: another computation, so the store refuses to resume
    with pytest.raises(ValueError, match=r"differs in \[.references.\]"):
        sd.attribute_sdata(
            model, sdata, "deeplift_shap", target=1, references=other, chunk_size=2, store=tmp_path / "r.zarr"
        )


def test_eugene_keyword_names_mean_ours():
    """EUGENe's seq_var, layer_name, activation_threshold, num_seqlets, kernel_size, reference_type, prefix / suffix
    and filters_var give what eugene's own names give."""
    from eugene.interpret import filter_pfms

    model, seqs = _small_model(3), _sequences(20, seed=7)
    X = one_hot(seqs)
    sdata = xr.Dataset({"onehot": (("_sequence", "_ohe", "length"), X)})
    out = sd.generate_pfms_sdata(
        model, sdata, seq_var="onehot", layer_name="0", activation_threshold=0.3, kernel_size=5, prefix="p_", copy=True
    )
    np.testing.assert_array_equal(out["p_0_pfms"].values, filter_pfms(model, X, layer="0", threshold=0.3).counts)
    out = sd.generate_pfms_sdata(
        model, sdata, seq_var="onehot", layer_name="0", num_seqlets=4, suffix="_top", copy=True
    )
    top = filter_pfms(model, X, layer="0", threshold=0.0, top_k=4)
    np.testing.assert_array_equal(out["0_pfms_top"].values, top.counts)
    assert (out["0_pfms_top_n_sites"].values == 4).all()
    with pytest.raises(ValueError, match="kernel_size .* receptive field of layer '0', 5 positions"):
        sd.generate_pfms_sdata(model, sdata, seq_var="onehot", kernel_size=7)
    torch.manual_seed(0)
    mine = sd.attribute_sdata(
        model, sdata, "deeplift_shap", seq_key="onehot", references="zero", n_references=1, copy=True
    )
    theirs = sd.attribute_sdata(
        model, sdata, "deeplift_shap", seq_var="onehot", reference_type="zeros", n_references=1, copy=True
    )
    np.testing.assert_array_equal(theirs["deeplift_shap_attrs"].values, mine["deeplift_shap_attrs"].values)
    assert theirs["deeplift_shap_attrs"].attrs["references"] == "'zero'"
    ism = sd.ism_sdata(model, sdata, seq_var="onehot", target=0, prefix="a_", suffix="_b", copy=True)
    np.testing.assert_array_equal(
        ism["a_ism_attrs_b"].values,
        sd.ism_sdata(model, sdata, seq_key="onehot", target=0, copy=True)["ism_attrs"].values,
    )
    gia = sd.gia_sdata(model, sdata, "ACG", seq_var="onehot", prefix="x_", copy=True)
    assert "x_gia_implant_ACG" in gia


def test_eugene_and_our_name_together_or_a_keyword_without_equivalent_are_errors(tmp_path):
    model = _small_model(4)
    sdata = xr.Dataset({"seq": ("_sequence", np.array(_sequences(3)))})
    calls = {
        "seq_var": lambda: sd.attribute_sdata(model, sdata, "saliency", seq_key="seq", seq_var="seq"),
        "layer_name": lambda: sd.generate_pfms_sdata(model, sdata, layer="0", layer_name="0"),
        "activation_threshold": lambda: sd.generate_pfms_sdata(model, sdata, threshold=0.5, activation_threshold=0.5),
        "reference_type": lambda: sd.attribute_sdata(model, sdata, references="zero", reference_type="zeros"),
        "filters_var": lambda: sd.filters_to_meme_sdata(sdata, tmp_path / "f.meme", key="a", filters_var="a"),
    }
    for alias, call in calls.items():
        with pytest.raises(TypeError, match=f"{alias} is EUGENe's name for"):
            call()
    with pytest.raises(TypeError, match="num_workers .* has no equivalent"):
        sd.attribute_sdata(model, sdata, "saliency", num_workers=4)
    with pytest.raises(TypeError, match="give one"):
        sd.generate_pfms_sdata(model, sdata, num_seqlets=3, activation_threshold=0.5)
    assert "conv1_pfms" not in sdata and "saliency_attrs" not in sdata  # refused calls changed nothing


def test_copy_true_returns_a_new_dataset_and_copy_false_adds_in_place(tmp_path):
    from eugene.motifs import read_meme

    model = _small_model(5)
    kept = {}
    for function, args, key in (
        (sd.attribute_sdata, ("saliency",), "saliency_attrs"),
        (sd.ism_sdata, (), "ism_attrs"),
        (sd.generate_pfms_sdata, (), "0_pfms"),
        (sd.gia_sdata, ("ACG",), "gia_implant_ACG"),
    ):
        sdata = xr.Dataset({"seq": ("_sequence", np.array(_sequences(4)))})
        out = function(model, sdata, *args, copy=True)
        assert out is not sdata and key in out and key not in sdata, function.__name__
        same = function(model, sdata, *args, copy=False)
        assert same is sdata and key in sdata, function.__name__
        np.testing.assert_array_equal(sdata[key].values, out[key].values)
        kept[key] = sdata
    sdata = kept["0_pfms"]
    path = sd.filters_to_meme_sdata(sdata, filters_var="0_pfms", output_dir=tmp_path, filename="f.meme")
    assert path == tmp_path / "f.meme" and len(read_meme(path)) == 3
    with pytest.raises(ValueError, match="names a variable of sdata"):
        sd.filters_to_meme_sdata(sdata, "0_pfms")  # EUGENe's positional filters_var: not a file name
