"""The neural sequence labeller at run time: a BiLSTM-CRF evaluated in numpy (no deep-learning framework).

Per token, the feature strings of :func:`gridwatch.address.features.sentence_features` whose kind is in
:data:`NEURAL_FEATURE_KINDS` (the token, its two bigrams, character classes, suffix-word context, the
gazetteer, learned-lexicon and repetition marks) are looked up in the model's feature vocabulary; the
token's input vector is the sum of their embeddings (features absent from the vocabulary are skipped).
A bidirectional LSTM reads the sentence, a linear layer gives one score per tag, and Viterbi decoding over
the learned tag transitions (with start and end scores) picks the tag sequence.

The weights are trained with PyTorch (:mod:`gridwatch.address.neural_train`, a training-only extra) and
exported to one ``.npz`` file; this module reproduces PyTorch's forward pass (gate order i, f, g, o) and is
all that parsing needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gridwatch.address.features import sentence_features
from gridwatch.address.gazetteer import Gazetteer, division_gazetteer
from gridwatch.address.lexicon import lexicon_path, load_lexicon

NEURAL_FEATURE_KINDS: frozenset[str] = frozenset(
    {
        "b",
        "w",
        "w-1w",
        "ww+1",
        "c",
        "c-1",
        "c+1",
        "nx",
        "pv",
        "nxw",
        "nxpv",
        "dlen",
        "BOS",
        "EOS",
        "pos",
        "repl",
        "rep",
        "repw",
        "se",
    }
)
"""Feature kinds (the text before ``=``) fed to the network; gazetteer (``gz_*``, ``gz2_*``) and lexicon
(``lx_*``) marks are always included.  Wider n-grams are left to the LSTM."""


def feature_kind(feature: str) -> str:
    return feature.split("=", 1)[0]


def keep_feature(feature: str) -> bool:
    kind = feature_kind(feature)
    return kind in NEURAL_FEATURE_KINDS or kind.startswith(("gz_", "gz2_", "lx_"))


def neural_features(
    tokens: Sequence[str], gazetteer: Gazetteer | None = None, lexicon: Gazetteer | None = None
) -> list[list[str]]:
    """The network's input features of each token (a subset of the CRF's)."""
    return [
        [f for f in fs if keep_feature(f)] for fs in sentence_features(tokens, gazetteer, lexicon=lexicon)
    ]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def lstm_steps(x_proj: np.ndarray, w_hh_t: np.ndarray) -> np.ndarray:
    """Hidden states of ``k`` LSTMs run side by side (both directions of a BiLSTM in one loop; the
    backward one gets its input reversed in time): ``x_proj`` is the input projection plus both biases
    (k × n × 4H), ``w_hh_t`` the transposed recurrent weights (k × H × 4H); gate order i, f, g, o."""
    k, n, _ = x_proj.shape
    hid = w_hh_t.shape[1]
    out = np.empty((k, n, hid), dtype=x_proj.dtype)
    h = np.zeros((k, 1, hid), dtype=x_proj.dtype)
    c = np.zeros((k, hid), dtype=x_proj.dtype)
    for t in range(n):
        g = x_proj[:, t] + (h @ w_hh_t)[:, 0]
        s = _sigmoid(g)  # i, f, o gates (the g slice is recomputed with tanh below)
        c = s[:, hid : 2 * hid] * c + s[:, :hid] * np.tanh(g[:, 2 * hid : 3 * hid])
        out[:, t] = s[:, 3 * hid :] * np.tanh(c)
        h = out[:, t, None, :]
    return out


def _rows_times(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``x @ w`` as one vector-matrix product per row: a small matrix product would go to a multi-threaded
    BLAS routine whose threads wait for each other on a busy machine (50 ms instead of 0.5 ms measured)."""
    return (x[:, None, :] @ w)[:, 0]


def viterbi(emissions: np.ndarray, trans: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[int]:
    """Best tag path under emission scores (n × T), transitions (T × T, from → to), start and end scores."""
    n = emissions.shape[0]
    score = start + emissions[0]
    back = np.empty((n, emissions.shape[1]), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + trans
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emissions[t]
    best = int((score + end).argmax())
    path = [best]
    for t in range(n - 1, 0, -1):
        best = int(back[t, best])
        path.append(best)
    return path[::-1]


WEIGHT_NAMES: tuple[str, ...] = (
    "embedding",
    "w_ih_f",
    "w_hh_f",
    "bias_f",
    "w_ih_b",
    "w_hh_b",
    "bias_b",
    "w_out",
    "b_out",
    "trans",
    "start",
    "end",
)
"""The weight arrays of a model file besides ``tags`` and ``vocab``.  A single network stores each as is;
an ensemble of networks sharing one vocabulary stores each with a leading member axis."""


class NeuralModel:
    """The exported weights of a BiLSTM-CRF, or of an ensemble of them, and the forward pass.

    An ensemble's members share the feature vocabulary; its tag scores are the mean of the members'
    scores, and its transition, start and end scores the mean of theirs, so Viterbi finds the path with
    the best mean path score of the members."""

    def __init__(self, path: Path) -> None:
        with np.load(path, allow_pickle=False) as z:
            self.tags: list[str] = [str(t) for t in z["tags"]]
            vocab = [str(v) for v in z["vocab"]]
            single = z["embedding"].ndim == 2
            w = {k: (z[k][None] if single else z[k]) for k in WEIGHT_NAMES}
        self.members = w["embedding"].shape[0]
        self.embedding = w["embedding"].astype(np.float32)  # members × V × E
        self.w_ih = [w["w_ih_f"].astype(np.float32), w["w_ih_b"].astype(np.float32)]  # per direction
        self.w_hh = [w["w_hh_f"].astype(np.float32), w["w_hh_b"].astype(np.float32)]
        self.bias = [w["bias_f"].astype(np.float32), w["bias_b"].astype(np.float32)]
        self.w_out = w["w_out"].astype(np.float32)
        self.b_out = w["b_out"].astype(np.float32)
        self.member_trans = w["trans"].astype(np.float32)
        self.member_start = w["start"].astype(np.float32)
        self.member_end = w["end"].astype(np.float32)
        self.trans = self.member_trans.mean(axis=0)
        self.start = self.member_start.mean(axis=0)
        self.end = self.member_end.mean(axis=0)
        self.index = {f: i for i, f in enumerate(vocab)}
        self.w_ih_t = [np.ascontiguousarray(w.transpose(0, 2, 1)) for w in self.w_ih]
        self.w_out_t = np.ascontiguousarray(self.w_out.transpose(0, 2, 1))
        # recurrent weights of every member's forward LSTM, then every member's backward LSTM
        self.w_hh_t = np.ascontiguousarray(np.concatenate(self.w_hh).transpose(0, 2, 1))

    def ids(self, features: Sequence[Sequence[str]]) -> list[list[int]]:
        get = self.index.get
        return [[j for j in (get(f) for f in fs) if j is not None] for fs in features]

    def inputs(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Summed feature embeddings per token, for each member (members × n × E)."""
        counts = [len(row) for row in ids]
        if all(counts):  # every token has at least its bias feature: one gather and one segment sum
            flat = np.fromiter((j for row in ids for j in row), dtype=np.int64, count=sum(counts))
            starts = np.cumsum([0, *counts[:-1]])
            return np.add.reduceat(self.embedding[:, flat], starts, axis=1)
        out = np.zeros((self.members, len(ids), self.embedding.shape[2]), dtype=np.float32)
        for i, row in enumerate(ids):
            if row:
                out[:, i] = self.embedding[:, list(row)].sum(axis=1)
        return out

    def member_emissions(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Tag scores per token of each member (members × n × T)."""
        x = self.inputs(ids)
        k = self.members
        fwd = [_rows_times(x[m], self.w_ih_t[0][m]) + self.bias[0][m] for m in range(k)]
        bwd = [_rows_times(x[m, ::-1], self.w_ih_t[1][m]) + self.bias[1][m] for m in range(k)]
        states = lstm_steps(np.stack(fwd + bwd), self.w_hh_t)
        return np.stack(
            [
                _rows_times(np.concatenate([states[m], states[k + m][::-1]], axis=1), self.w_out_t[m])
                + self.b_out[m]
                for m in range(k)
            ]
        )

    def emissions(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        """Tag scores per token (n × T): the mean of the members' scores."""
        em = self.member_emissions(ids)
        return em[0] if self.members == 1 else em.mean(axis=0)

    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        if not ids:
            return []
        path = viterbi(self.emissions(ids), self.trans, self.start, self.end)
        return [self.tags[k] for k in path]


class NeuralTagger:
    """A loaded neural model with the gazetteer and learned lexicon its features need."""

    def __init__(self, model_path: Path) -> None:
        self.path = model_path
        self.model = NeuralModel(model_path)
        self.lexicon = load_lexicon(lexicon_path(model_path))
        self.gazetteer = division_gazetteer()

    def tag(self, tokens: Sequence[str]) -> list[str]:
        if not tokens:
            return []
        return self.model.decode(self.model.ids(neural_features(tokens, self.gazetteer, self.lexicon)))
