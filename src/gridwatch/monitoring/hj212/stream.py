"""Cut a TCP byte stream into frames: frames split across reads, several frames per read, junk between.

The splitter keeps at most one incomplete frame (bounded by ``max_length``) between calls, so a client that
sends garbage or a huge length field cannot make the buffer grow.  Anything that is not a frame is
reported as a :class:`FrameError` and skipped; the splitter resynchronises at the next ``##``.
"""

from __future__ import annotations

from gridwatch.monitoring.hj212.frame import STANDARD_DATA_LENGTH, FrameError


class FrameSplitter:
    """Incremental frame boundary finder (no CRC or field checks: that is :func:`parse_frame`'s job)."""

    __slots__ = ("_buf", "max_length")

    def __init__(self, max_length: int = 4 * STANDARD_DATA_LENGTH) -> None:
        self._buf = bytearray()
        self.max_length = max_length

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        """Add received bytes; return complete frames (with ``\\r\\n``) and errors, in stream order."""
        buf = self._buf
        buf += data
        out: list[bytes | FrameError] = []
        pos = 0
        size = len(buf)
        while pos < size:
            start = buf.find(b"##", pos)
            if start < 0:
                keep = 1 if buf[-1:] == b"#" else 0
                if size - keep > pos:
                    out.append(FrameError("garbage", f"{size - keep - pos} bytes outside any frame skipped"))
                pos = size - keep
                break
            if start > pos:
                out.append(FrameError("garbage", f"{start - pos} bytes outside any frame skipped"))
                pos = start
            if size - start < 6:
                break
            length_field = bytes(buf[start + 2 : start + 6])
            if not length_field.isdigit():
                out.append(FrameError("bad_length", f"length field {length_field!r} is not 4 decimal digits"))
                pos = start + 2
                continue
            length = int(length_field)
            if length > self.max_length:
                out.append(FrameError("too_long", f"data segment length {length} exceeds {self.max_length}"))
                pos = start + 2
                continue
            end = start + length + 12
            if size < end:
                break
            if buf[end - 2 : end] != b"\r\n":
                out.append(
                    FrameError("length_mismatch", "no <CR><LF> where the length field says the frame ends")
                )
                pos = start + 2
                continue
            out.append(bytes(buf[start:end]))
            pos = end
        if pos:
            del buf[:pos]
        return out
