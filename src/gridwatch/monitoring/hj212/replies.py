"""Replies the upper system (上位机) sends to a monitoring point (现场机) — the standard's §6.6.5 and C.47-50.

- 9014 data reply (数据应答): answers an upload whose Flag asks for a reply; echoes QN, ``CP=&&&&``.
- 9013 notice reply (通知应答): answers a notice, e.g. 1013 time-calibration request.
- 9011 request reply (请求应答, ``QnRtn``): answers a request; the gateway uses it to refuse a frame
  (3 = PW wrong, 4 = MN unknown, 9 = CRC wrong...).
- 9012 execution result (执行结果, ``ExeRtn``).

Which reply a CN gets is data (:data:`REPLY_FOR_CN`), not an if/elif chain.
"""

from __future__ import annotations

from collections.abc import Callable

from gridwatch.monitoring.hj212.crc import format_crc
from gridwatch.monitoring.hj212.frame import Frame, wrap_segment

SYSTEM_ST = "91"
REPLY_FLAG = 4  # version 2017, no split, no reply wanted

QN_RTN_READY = 1
QN_RTN_REFUSED = 2
QN_RTN_BAD_PW = 3
QN_RTN_BAD_MN = 4
QN_RTN_BAD_ST = 5
QN_RTN_BAD_FLAG = 6
QN_RTN_BAD_QN = 7
QN_RTN_BAD_CN = 8
QN_RTN_BAD_CRC = 9
QN_RTN_UNKNOWN = 100

EXE_RTN_OK = 1


def _reply(frame: Frame, cn: str, cp: str) -> bytes:
    return wrap_segment(_segment(frame, cn, cp))


def _segment(frame: Frame, cn: str, cp: str) -> str:
    qn = f"QN={frame.qn};" if frame.qn is not None else ""
    pw = f"PW={frame.pw};" if frame.pw is not None else ""
    return f"{qn}ST={SYSTEM_ST};CN={cn};{pw}MN={frame.mn};Flag={REPLY_FLAG};CP=&&{cp}&&"


def data_reply(frame: Frame) -> bytes:
    """9014 数据应答."""
    return _reply(frame, "9014", "")


def notice_reply(frame: Frame) -> bytes:
    """9013 通知应答."""
    return _reply(frame, "9013", "")


def request_reply(frame: Frame, qn_rtn: int = QN_RTN_READY) -> bytes:
    """9011 请求应答 with ``QnRtn``."""
    return _reply(frame, "9011", f"QnRtn={qn_rtn}")


def execution_reply(frame: Frame, exe_rtn: int = EXE_RTN_OK) -> bytes:
    """9012 执行结果 with ``ExeRtn``."""
    return _reply(frame, "9012", f"ExeRtn={exe_rtn}")


#: CN of an accepted frame → the reply it gets when its Flag asks.  Replies (90xx) get none.
REPLY_FOR_CN: dict[str, Callable[[Frame], bytes] | None] = {
    "9011": None,
    "9012": None,
    "9013": None,
    "9014": None,
    "1013": notice_reply,
}


def reply_for(frame: Frame) -> bytes | None:
    """The reply an accepted frame gets: ``None`` unless its Flag's A bit asks; uploads get 9014."""
    if not frame.reply_wanted:
        return None
    builder = REPLY_FOR_CN.get(frame.cn, data_reply)
    return builder(frame) if builder is not None else None


#: CN → the reply's CN (9014 for uploads unless listed); ``None`` = no reply (the 90xx replies themselves)
REPLY_CN_FOR_CN: dict[str, str | None] = {
    "9011": None,
    "9012": None,
    "9013": None,
    "9014": None,
    "1013": "9013",
}


def reply_segment(frame: Frame) -> str | None:
    """The data segment of the reply an accepted frame gets (for building many replies at once)."""
    if not frame.reply_wanted:
        return None
    cn = REPLY_CN_FOR_CN.get(frame.cn, "9014")
    return None if cn is None else _segment(frame, cn, "")


def wrap_segments(segments: list[str], crcs: list[int]) -> list[bytes]:
    """Frames from segments whose CRCs were computed in a batch (ASCII segments)."""
    return [
        b"##%04d%s%s\r\n" % (len(seg), seg.encode("utf-8"), format_crc(crc).encode("ascii"))
        for seg, crc in zip(segments, crcs, strict=True)
    ]
