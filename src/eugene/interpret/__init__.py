"""eugene.interpret: attributions, filter motifs, layer analyses and in silico perturbation.

Public names resolve lazily to the module that defines them (one idea per module); add new ones to ``_EXPORTS``.
"""

from .._lazy import lazy_exports

_EXPORTS = {
    "predict": "_engine",
    "profile_target": "targets",
    "count_target": "targets",
    "attribute": "attribution",
    "make_references": "references",
    "ism": "mutagenesis",
    "filter_pfms": "filters",
    "layer_activations": "layers",
    "filter_influence": "layers",
    "embeddings": "layers",
    "variant_effect": "variants",
    "VariantAttributions": "variants",
    "evolve": "evolution",
    "dinucleotide_backgrounds": "backgrounds",
    "profile_backgrounds": "backgrounds",
    "gc_backgrounds": "backgrounds",
    "implant_motif": "gia",
    "gia_implant": "gia",
    "gia_positional": "gia",
    "gia_spacing": "gia",
    "gia_occlusion": "gia",
    "gia_sites": "gia",
    "onehot_sdata": "sdata",
    "attribute_sdata": "sdata",
    "ism_sdata": "sdata",
    "generate_pfms_sdata": "sdata",
    "filters_to_meme_sdata": "sdata",
    "gia_sdata": "sdata",
    "verify_store": "_store",
    "seqlets": "seqlet_calling",
    "modisco": "motif_discovery",
    "annotate_patterns": "annotation",
    "annotate_seqlets": "annotation",
    "motif_counts": "annotation",
    "motif_spacing": "annotation",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
