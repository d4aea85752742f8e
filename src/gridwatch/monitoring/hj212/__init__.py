"""HJ 212-2017 codec: frames, CRC, CP data area, stream splitting, split packets, replies (pure, no I/O)."""

from gridwatch.monitoring.hj212.crc import format_crc, hj212_crc
from gridwatch.monitoring.hj212.frame import (
    Frame,
    FrameError,
    build_cp,
    build_data_segment,
    build_frame,
    parse_cp,
    parse_frame,
    wrap_segment,
)
from gridwatch.monitoring.hj212.reassembly import SplitPacketAssembler
from gridwatch.monitoring.hj212.replies import reply_for
from gridwatch.monitoring.hj212.stream import FrameSplitter

__all__ = [
    "Frame",
    "FrameError",
    "FrameSplitter",
    "SplitPacketAssembler",
    "build_cp",
    "build_data_segment",
    "build_frame",
    "format_crc",
    "hj212_crc",
    "parse_cp",
    "parse_frame",
    "reply_for",
    "wrap_segment",
]
