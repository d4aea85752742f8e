"""Reassemble split packets (拆分包): frames whose Flag has the D bit, numbered PNO of PNUM.

Packets of one message share MN, CN, PNUM and the CP's DataTime (the standard's example C.49 gives each
packet its own QN).  When all PNO 1..PNUM have arrived, one frame is returned with the CP areas merged;
incomplete groups are dropped after ``timeout_s`` and the number of groups held is bounded.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from gridwatch.monitoring.hj212.frame import FLAG_SPLIT, CpValue, Frame, FrameError, build_cp

GroupKey = tuple[str, str, int, str]


class SplitPacketAssembler:
    def __init__(self, *, timeout_s: float = 300.0, max_groups: int = 10_000) -> None:
        self.timeout_s = timeout_s
        self.max_groups = max_groups
        self._groups: OrderedDict[GroupKey, tuple[float, dict[int, Frame]]] = OrderedDict()
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._groups)

    def add(self, frame: Frame, now: float) -> Frame | None:
        """Return the merged frame once complete, ``None`` while parts are missing."""
        if not frame.is_split:
            return frame
        assert frame.pnum is not None and frame.pno is not None
        self._expire(now)
        key = (frame.mn, frame.cn, frame.pnum, frame.data_time or "")
        started, parts = self._groups.get(key, (now, {}))
        if frame.pno in parts:
            raise FrameError("duplicate_packet", f"packet PNO={frame.pno} of {frame.pnum} received twice")
        parts[frame.pno] = frame
        if len(parts) < frame.pnum:
            self._groups[key] = (started, parts)
            self._groups.move_to_end(key)
            while len(self._groups) > self.max_groups:
                self._groups.popitem(last=False)
                self.dropped += 1
            return None
        self._groups.pop(key, None)
        return merge_parts([parts[i] for i in range(1, frame.pnum + 1)])

    def _expire(self, now: float) -> None:
        while self._groups:
            key, (started, _) = next(iter(self._groups.items()))
            if now - started <= self.timeout_s:
                break
            del self._groups[key]
            self.dropped += 1


def merge_parts(parts: list[Frame]) -> Frame:
    """One frame from packets 1..PNUM: CP fields merged, factors' items united."""
    cp: dict[str, CpValue] = {}
    for part in parts:
        for name, value in part.cp.items():
            if isinstance(value, dict):
                existing = cp.get(name)
                cp[name] = {**existing, **value} if isinstance(existing, dict) else dict(value)
            else:
                cp.setdefault(name, value)
    first = parts[0]
    flag = None if first.flag is None else first.flag & ~FLAG_SPLIT
    return replace(first, flag=flag, pnum=None, pno=None, cp=cp, cp_text=build_cp(cp))
