"""Training the neural labeller (BiLSTM-CRF) with PyTorch and exporting it for numpy inference.

PyTorch is a training-only dependency (extra ``neural``); parsing runs the exported ``.npz`` with
:mod:`gridwatch.address.neural`.  Training data are featurised as for the CRF, with the learned lexicon
jackknifed over folds (:func:`gridwatch.address.lexicon.jackknifed`); features seen fewer than
``min_count`` times are dropped.  The network: summed feature embeddings → dropout → one bidirectional LSTM
layer → dropout → linear tag scores → CRF (start, end and transition scores), trained on the negative
log-likelihood with Adam and a cosine-decaying learning rate for a fixed number of epochs.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gridwatch.address.corpus import Sentence
from gridwatch.address.gazetteer import division_gazetteer
from gridwatch.address.labels import LABELS
from gridwatch.address.lexicon import jackknifed, lexicon_path, save_lexicon, training_sentences
from gridwatch.address.neural import WEIGHT_NAMES, NeuralModel, neural_features, viterbi

TAGS: tuple[str, ...] = ("O", *(f"{p}-{lab}" for lab in LABELS for p in ("B", "I")))
"""The tag set of a neural model (index order of its output layer)."""

PAD = "<pad>"


class TrainingDependencyMissing(RuntimeError):
    """PyTorch is needed to train the neural labeller and is not installed."""


@dataclass(frozen=True)
class NeuralParams:
    """Hyper-parameters of the BiLSTM-CRF and its training."""

    epochs: int = 30
    embedding: int = 96
    hidden: int = 160
    dropout: float = 0.35
    feature_dropout: float = 0.1
    lr: float = 3e-3
    weight_decay: float = 1e-6
    batch: int = 32
    min_count: int = 2
    lexicon_folds: int = 5
    seed: int = 0
    threads: int = 1
    pretrained: str = ""
    """Token vectors (``.npz`` with ``tokens``, ``vectors``) that initialise the ``w=`` embeddings; their
    tokens join the vocabulary even when unseen in training."""


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise TrainingDependencyMissing(
            "training the neural address model needs PyTorch (pip install 'gridwatch[neural]'); "
            "use --model crf to train a CRF without it"
        ) from exc
    return torch


def featurise(
    sentences: Sequence[Sentence], folds: int
) -> tuple[list[list[list[str]]], list[list[int]], Any]:
    """Features (jackknifed lexicon) and tag indices of each sentence, and the full lexicon."""
    gaz = division_gazetteer()
    tag_index = {t: i for i, t in enumerate(TAGS)}
    pairs, lexicon = jackknifed(sentences, folds)
    feats = [neural_features(s.tokens, gaz, lex) for s, lex in pairs]
    tags = [[tag_index[t] for t in s.tags] for s, _ in pairs]
    return feats, tags, lexicon


def build_vocab(features: Sequence[Sequence[Sequence[str]]], min_count: int) -> list[str]:
    counts: Counter[str] = Counter(f for sent in features for tok in sent for f in tok)
    return [PAD, *sorted(f for f, n in counts.items() if n >= min_count)]


def _net(torch: Any, n_feats: int, n_tags: int, p: NeuralParams) -> Any:
    nn = torch.nn

    class BiLstmCrf(nn.Module):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.emb = nn.Embedding(n_feats, p.embedding, padding_idx=0)
            nn.init.normal_(self.emb.weight, std=0.1)
            with torch.no_grad():
                self.emb.weight[0].zero_()
            self.drop = nn.Dropout(p.dropout)
            self.lstm = nn.LSTM(p.embedding, p.hidden, batch_first=True, bidirectional=True)
            self.out = nn.Linear(2 * p.hidden, n_tags)
            self.trans = nn.Parameter(torch.zeros(n_tags, n_tags))
            self.start = nn.Parameter(torch.zeros(n_tags))
            self.end = nn.Parameter(torch.zeros(n_tags))

        def emissions(self, ids: Any, lengths: Any) -> Any:
            x = self.drop(self.emb(ids).sum(dim=2))
            packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
            h, _ = self.lstm(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=ids.shape[1])
            return self.out(self.drop(h))

        def nll(self, em: Any, tags: Any, mask: Any) -> Any:
            bsz, n, _ = em.shape
            ar = torch.arange(bsz)
            # score of the gold path
            gold = self.start[tags[:, 0]] + em[ar, 0, tags[:, 0]]
            for t in range(1, n):
                m = mask[:, t]
                step = self.trans[tags[:, t - 1], tags[:, t]] + em[ar, t, tags[:, t]]
                gold = gold + step * m
            last = tags[ar, mask.sum(1).long() - 1]
            gold = gold + self.end[last]
            # log partition
            alpha = self.start + em[:, 0]
            for t in range(1, n):
                nxt = torch.logsumexp(alpha.unsqueeze(2) + self.trans.unsqueeze(0), dim=1) + em[:, t]
                m = mask[:, t].unsqueeze(1)
                alpha = torch.where(m > 0, nxt, alpha)
            log_z = torch.logsumexp(alpha + self.end, dim=1)
            return (log_z - gold).sum()

    return BiLstmCrf()


def _batch(
    torch: Any, ids: Sequence[Sequence[Sequence[int]]], drop: float, rng: random.Random
) -> tuple[Any, Any]:
    n = max(len(s) for s in ids)
    f = max(len(tok) for s in ids for tok in s) or 1
    arr = np.zeros((len(ids), n, f), dtype=np.int64)
    for b, s in enumerate(ids):
        for t, tok in enumerate(s):
            row = [j for j in tok if not drop or rng.random() >= drop]
            arr[b, t, : len(row)] = row
    return torch.from_numpy(arr), torch.tensor([len(s) for s in ids])


def _tags_batch(torch: Any, tags: Sequence[Sequence[int]]) -> tuple[Any, Any]:
    n = max(len(t) for t in tags)
    arr = np.zeros((len(tags), n), dtype=np.int64)
    mask = np.zeros((len(tags), n), dtype=np.float32)
    for b, t in enumerate(tags):
        arr[b, : len(t)] = t
        mask[b, : len(t)] = 1.0
    return torch.from_numpy(arr), torch.from_numpy(mask)


def export(net: Any, vocab: Sequence[str], path: Path, dtype: type = np.float16) -> None:
    """Write the weights the numpy forward pass needs (embeddings in ``dtype``, the rest float32)."""
    sd = {k: v.detach().cpu().numpy() for k, v in net.state_dict().items()}
    arrays = {
        "tags": np.array(TAGS),
        "vocab": np.array(vocab),
        "embedding": sd["emb.weight"].astype(dtype),
        "w_ih_f": sd["lstm.weight_ih_l0"],
        "w_hh_f": sd["lstm.weight_hh_l0"],
        "bias_f": sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"],
        "w_ih_b": sd["lstm.weight_ih_l0_reverse"],
        "w_hh_b": sd["lstm.weight_hh_l0_reverse"],
        "bias_b": sd["lstm.bias_ih_l0_reverse"] + sd["lstm.bias_hh_l0_reverse"],
        "w_out": sd["out.weight"],
        "b_out": sd["out.bias"],
        "trans": sd["trans"],
        "start": sd["start"],
        "end": sd["end"],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh, **{k: (v.astype(np.float32) if v.dtype == np.float64 else v) for k, v in arrays.items()}
        )


EpochLog = Callable[[int, float, float, Any], None]
"""Called after each epoch with (epoch, mean loss, seconds, a decode function tokens → tags)."""


def train_neural(
    sentences: Sequence[Sentence],
    model_path: Path,
    params: NeuralParams | None = None,
    on_epoch: EpochLog | None = None,
) -> Path:
    """Train a BiLSTM-CRF on labelled sentences; write ``model_path`` (.npz) and its learned lexicon."""
    torch = _torch()
    p = params or NeuralParams()
    torch.manual_seed(p.seed)
    torch.set_num_threads(p.threads)
    rng = random.Random(p.seed)
    sents = training_sentences(sentences)
    feats, tags, lexicon = featurise(sents, p.lexicon_folds)
    vocab = build_vocab(feats, p.min_count)
    vectors: dict[str, np.ndarray] = {}
    if p.pretrained:
        with np.load(p.pretrained, allow_pickle=False) as z:
            vectors = {f"w={t}": v for t, v in zip(z["tokens"].tolist(), z["vectors"], strict=True)}
        known = set(vocab)
        vocab += sorted(f for f in vectors if f not in known)
    index = {f: i for i, f in enumerate(vocab)}
    ids = [[[index[f] for f in tok if f in index] for tok in s] for s in feats]
    net = _net(torch, len(vocab), len(TAGS), p)
    if vectors:
        mat = np.stack(list(vectors.values()))
        scale = 0.1 / float(mat.std())
        with torch.no_grad():
            for f, v in vectors.items():
                net.emb.weight[index[f]] = torch.from_numpy(v * scale)
    opt = torch.optim.Adam(net.parameters(), lr=p.lr, weight_decay=p.weight_decay)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    batches = [order[k : k + p.batch] for k in range(0, len(order), p.batch)]
    total_steps = p.epochs * len(batches)
    step = 0
    gaz = division_gazetteer()

    memo: dict[tuple[str, ...], list[list[int]]] = {}

    def decode(tokens: Sequence[str]) -> list[str]:
        key = tuple(tokens)
        if key not in memo:
            fs = neural_features(tokens, gaz, lexicon)
            memo[key] = [[index[f] for f in tok if f in index] for tok in fs]
        x, lengths = _batch(torch, [memo[key]], 0.0, rng)
        with torch.no_grad():
            em = net.emissions(x, lengths)[0].numpy()
        tr = [t.detach().numpy() for t in (net.trans, net.start, net.end)]
        return [TAGS[k] for k in viterbi(em, *tr)]

    for epoch in range(1, p.epochs + 1):
        t0 = time.process_time()
        net.train()
        rng.shuffle(batches)
        loss_sum = 0.0
        for b in batches:
            lr = p.lr * 0.5 * (1 + math.cos(math.pi * step / total_steps))
            for g in opt.param_groups:
                g["lr"] = lr
            x, lengths = _batch(torch, [ids[i] for i in b], p.feature_dropout, rng)
            y, mask = _tags_batch(torch, [tags[i] for i in b])
            loss = net.nll(net.emissions(x, lengths), y, mask)
            opt.zero_grad()
            (loss / len(b)).backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            loss_sum += loss.item()
            step += 1
        net.eval()
        if epoch == p.epochs:  # the exported embeddings are float16: evaluate what is shipped
            with torch.no_grad():
                net.emb.weight.copy_(net.emb.weight.half().float())
        if on_epoch is not None:
            on_epoch(epoch, loss_sum / len(ids), time.process_time() - t0, decode)
    export(net, vocab, model_path)
    save_lexicon(lexicon, lexicon_path(model_path))
    return model_path


def torch_emissions(model_path: Path, ids: Sequence[Sequence[int]]) -> np.ndarray:
    """Emissions of an exported model computed by PyTorch's own modules (embedding, LSTM, linear), the mean
    over an ensemble's members — the reference the numpy forward pass is checked against."""
    torch = _torch()
    m = NeuralModel(model_path)
    hidden = m.w_hh[0].shape[2]
    p = NeuralParams(embedding=m.embedding.shape[2], hidden=hidden, dropout=0.0)
    t = torch.from_numpy
    zero = np.zeros(4 * hidden, dtype=np.float32)
    x, lengths = _batch(torch, [ids], 0.0, random.Random(0))
    out = []
    for k in range(m.members):
        net = _net(torch, m.embedding.shape[1], len(m.tags), p)
        state = {
            "emb.weight": t(m.embedding[k]),
            "lstm.weight_ih_l0": t(m.w_ih[0][k]),
            "lstm.weight_hh_l0": t(m.w_hh[0][k]),
            "lstm.bias_ih_l0": t(m.bias[0][k]),
            "lstm.bias_hh_l0": t(zero),
            "lstm.weight_ih_l0_reverse": t(m.w_ih[1][k]),
            "lstm.weight_hh_l0_reverse": t(m.w_hh[1][k]),
            "lstm.bias_ih_l0_reverse": t(m.bias[1][k]),
            "lstm.bias_hh_l0_reverse": t(zero),
            "out.weight": t(m.w_out[k]),
            "out.bias": t(m.b_out[k]),
            "trans": t(m.member_trans[k]),
            "start": t(m.member_start[k]),
            "end": t(m.member_end[k]),
        }
        net.load_state_dict(state)
        net.eval()
        with torch.no_grad():
            out.append(net.emissions(x, lengths)[0].numpy())
    return np.asarray(np.mean(out, axis=0), dtype=np.float32)


def export_ensemble(model_paths: Sequence[Path], path: Path) -> Path:
    """Stack the weights of several exported networks trained on the same data (same feature vocabulary,
    tags and learned lexicon; e.g. different seeds) into one ensemble model file with their lexicon."""
    if not model_paths:
        raise ValueError("an ensemble needs at least one model")
    stacks: dict[str, list[np.ndarray]] = {k: [] for k in WEIGHT_NAMES}
    first: dict[str, np.ndarray] = {}
    for mp in model_paths:
        with np.load(mp, allow_pickle=False) as z:
            if not first:
                first = {"tags": z["tags"], "vocab": z["vocab"]}
            for key in ("tags", "vocab"):
                if not np.array_equal(z[key], first[key]):
                    raise ValueError(f"{mp} has another {key} than {model_paths[0]}")
            for k in WEIGHT_NAMES:
                stacks[k].extend(z[k] if z["embedding"].ndim == 3 else [z[k]])
    lexicons = {lexicon_path(mp).read_bytes() for mp in model_paths}
    if len(lexicons) != 1:
        raise ValueError("the models were trained with different learned lexicons")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **first, **{k: np.stack(v) for k, v in stacks.items()})
    lexicon_path(path).write_bytes(lexicons.pop())
    return path
