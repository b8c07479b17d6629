"""eugene.models: load trained models from any common format, and reference architectures (also the test zoo).

import eugene as eu
model = eu.models.load_model("eugene.models.zoo:basset", "basset.ckpt", factory_kwargs={"n_outputs": 12})
model = eu.models.build("basset", alphabet_size=4, seq_len=200, n_outputs=12)
eu.models.list_models()        # ['basset', 'bpnet', 'danq', 'deepbind', 'deepstarr']
eu.models.summary(model)       # layers, output shapes, parameter counts
eu.models.Ensemble(folds)      # the mean of several models' outputs (interpret methods also take the list)
"""

from eugene.models import zoo
from eugene.models.architectures import Basset, BPNet, DanQ, DeepBind, DeepSTARR
from eugene.models.demo import demo_sequences, load_demo_model
from eugene.models.ensemble import Ensemble
from eugene.models.load import load_model
from eugene.models.summary import summary
from eugene.models.zoo import build, list_models

__all__ = [
    "load_model",
    "load_demo_model",
    "demo_sequences",
    "build",
    "list_models",
    "summary",
    "zoo",
    "Ensemble",
    "DeepBind",
    "Basset",
    "DeepSTARR",
    "BPNet",
    "DanQ",
]
