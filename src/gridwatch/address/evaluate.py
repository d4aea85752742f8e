"""Chunk-level evaluation (conlleval semantics: a chunk counts only when label, start and end agree)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from gridwatch.address.labels import chunks_from_tags


@dataclass
class ChunkScores:
    """True positives, predicted and gold chunk counts, overall and per label."""

    tp: Counter[str] = field(default_factory=Counter)
    pred: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)

    def add(self, gold_tags: Sequence[str], pred_tags: Sequence[str]) -> None:
        g = {(c.label, c.start, c.end) for c in chunks_from_tags(gold_tags)}
        p = {(c.label, c.start, c.end) for c in chunks_from_tags(pred_tags)}
        for lab, _, _ in g:
            self.gold[lab] += 1
        for lab, _, _ in p:
            self.pred[lab] += 1
        for lab, _, _ in g & p:
            self.tp[lab] += 1

    @staticmethod
    def _prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return 100 * p, 100 * r, 100 * f

    def overall(self) -> tuple[float, float, float]:
        """Precision, recall, F1 in percent over all chunks."""
        return self._prf(sum(self.tp.values()), sum(self.pred.values()), sum(self.gold.values()))

    def per_label(self) -> dict[str, tuple[float, float, float, int]]:
        """Precision, recall, F1 (percent) and gold support per label."""
        labels = sorted(set(self.gold) | set(self.pred), key=lambda x: -self.gold[x])
        return {
            lab: (*self._prf(self.tp[lab], self.pred[lab], self.gold[lab]), self.gold[lab]) for lab in labels
        }


def score(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> ChunkScores:
    s = ChunkScores()
    for gold, pred in pairs:
        s.add(gold, pred)
    return s


def format_report(s: ChunkScores) -> str:
    p, r, f = s.overall()
    lines = [
        f"overall  P {p:6.2f}  R {r:6.2f}  F1 {f:6.2f}  chunks {sum(s.gold.values())}",
        f"{'label':<11}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}",
    ]
    for lab, (lp, lr, lf, n) in s.per_label().items():
        lines.append(f"{lab:<11}{lp:8.2f}{lr:8.2f}{lf:8.2f}{n:8d}")
    return "\n".join(lines)
