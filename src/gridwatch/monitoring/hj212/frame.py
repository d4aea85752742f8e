"""Parse and build HJ 212-2017 frames (the standard's §6.3; BRIEF §4).

A frame is ``##`` + 4 decimal digits (length of the data segment in bytes) + data segment + 4 hex digits
(CRC of the data segment, upper or lower case) + ``\\r\\n``.  The data segment is
``QN=..;ST=..;CN=..;PW=..;MN=..;Flag=..;[PNUM=..;PNO=..;]CP=&&...&&``.  HJ/T 212-2005 senders omit QN and
Flag; they are accepted (``qn``/``flag`` are ``None``).

The CP data area (``&&...&&``) holds fields separated by ``;``; a field whose name is ``code-Item`` (e.g.
``a34006-Avg=2.697,a34006-Flag=N``) belongs to a factor, the rest (``DataTime``, ``QnRtn``...) are plain
fields.  :func:`parse_cp` returns plain fields as strings and factors as ``{code: {item: value}}``; values
stay strings so that nothing a device sent is lost or reformatted.

Everything here is pure: bytes in, objects out; errors are :class:`FrameError` with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gridwatch.monitoring.hj212.crc import format_crc, hj212_crc

HEADER = b"##"
TRAILER = b"\r\n"
MAX_DATA_LENGTH = 9999  # what 4 decimal digits can say; the standard caps the segment at 1024
STANDARD_DATA_LENGTH = 1024

FLAG_REPLY = 0x01  # A: the sender wants a reply (应答)
FLAG_SPLIT = 0x02  # D: split packet, PNUM and PNO follow (拆分包)

HEADER_KEYS = ("QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO")
REQUIRED_KEYS = ("ST", "CN", "MN")

CpValue = str | dict[str, str]
_HEX_DIGITS = b"0123456789abcdefABCDEF"


class FrameError(ValueError):
    """A frame that cannot be accepted; ``reason`` is a short machine code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(slots=True)
class Frame:
    """One parsed frame.  ``cp`` maps plain fields to strings and factor codes to ``{item: value}``."""

    st: str
    cn: str
    mn: str
    pw: str | None = None
    qn: str | None = None
    flag: int | None = None
    pnum: int | None = None
    pno: int | None = None
    cp: dict[str, CpValue] = field(default_factory=dict)
    cp_text: str = ""
    crc: str = ""

    @property
    def version(self) -> int:
        """Standard version from the Flag's V bits: 0 = HJ/T 212-2005, 1 = HJ 212-2017."""
        return 0 if self.flag is None else self.flag >> 2

    @property
    def reply_wanted(self) -> bool:
        return self.flag is not None and bool(self.flag & FLAG_REPLY)

    @property
    def is_split(self) -> bool:
        return self.flag is not None and bool(self.flag & FLAG_SPLIT)

    @property
    def data_time(self) -> str | None:
        value = self.cp.get("DataTime")
        return value if isinstance(value, str) else None

    def factors(self) -> dict[str, dict[str, str]]:
        return {k: v for k, v in self.cp.items() if isinstance(v, dict)}

    def to_json(self) -> dict[str, object]:
        return {
            "qn": self.qn,
            "st": self.st,
            "cn": self.cn,
            "mn": self.mn,
            "flag": self.flag,
            "cp": self.cp,
        }


# ---------------------------------------------------------------------------------------------- parsing


def parse_cp(text: str) -> dict[str, CpValue]:
    """Parse the data area between ``&&`` and ``&&``.

    >>> parse_cp("DataTime=20160824003817;011-Rtd=231.0,011-Flag=N")
    {'DataTime': '20160824003817', '011': {'Rtd': '231.0', 'Flag': 'N'}}
    """
    out: dict[str, CpValue] = {}
    if not text:
        return out
    # ';' separates factors and ',' the items of one factor; an item's name says its factor, so one
    # split over both separators gives the same structure
    for item in text.replace(",", ";").split(";"):
        if not item:
            continue  # tolerate a trailing ';'
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise FrameError("bad_cp", f"CP field {item!r} is not name=value")
        code, _, sub = name.partition("-")
        if code and sub:  # code-Item
            factor = out.get(code)
            if factor is None:
                factor = out[code] = {}
            elif factor.__class__ is not dict:
                raise FrameError("bad_cp", f"CP field {code!r} is both a plain field and a factor")
            if sub in factor:  # type: ignore[operator]
                raise FrameError("bad_cp", f"CP field {name!r} appears twice")
            factor[sub] = value  # type: ignore[index]
        else:
            if name in out:
                raise FrameError("bad_cp", f"CP field {name!r} appears twice")
            out[name] = value
    return out


def _int_field(key: str, value: str) -> int:
    if not value.isdigit():
        raise FrameError("bad_header", f"{key}={value!r} is not a decimal integer")
    return int(value)


_HEADER_KEY_SET = frozenset(HEADER_KEYS)


def _header_fields(head: str) -> dict[str, str]:
    """``KEY=VALUE;...`` before ``CP=`` → dict; the checks of :func:`_header_fields_checked`."""
    parts = head.split(";")
    if parts and not parts[-1]:
        parts.pop()  # the ';' before CP=
    try:  # fast path: well-formed headers (every part KEY=VALUE, known keys, none twice)
        fields = dict(part.split("=", 1) for part in parts)
    except ValueError:
        return _header_fields_checked(head)
    if len(fields) != len(parts) or not fields.keys() <= _HEADER_KEY_SET:
        return _header_fields_checked(head)
    return fields


def _header_fields_checked(head: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in head.split(";"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq:
            raise FrameError("bad_header", f"header field {part!r} is not KEY=VALUE")
        if key not in HEADER_KEYS:
            raise FrameError("bad_header", f"unknown header field {key!r}")
        if key in fields:
            raise FrameError("bad_header", f"header field {key} appears twice")
        fields[key] = value
    return fields


def parse_data_segment(segment: str) -> Frame:
    """Parse a data segment (no ``##``, length, CRC) into a :class:`Frame` (CRC left empty)."""
    cp_at = segment.find("CP=&&")
    if cp_at < 0:
        raise FrameError("no_cp", "data segment has no CP=&&...&&")
    if not segment.endswith("&&") or len(segment) < cp_at + 7:
        raise FrameError("no_cp", "CP data area is not closed by &&")
    cp_text = segment[cp_at + 5 : -2]
    fields = _header_fields(segment[:cp_at])
    for key in REQUIRED_KEYS:
        if not fields.get(key):
            raise FrameError("missing_field", f"header field {key} is missing")
    qn = fields.get("QN")
    if qn is not None and not (len(qn) == 17 and qn.isdigit()):
        raise FrameError("bad_qn", f"QN={qn!r} is not yyyyMMddHHmmssfff")
    flag = _int_field("Flag", fields["Flag"]) if "Flag" in fields else None
    if flag is not None and flag > 255:
        raise FrameError("bad_header", f"Flag={flag} is out of 0-255")
    pnum = _int_field("PNUM", fields["PNUM"]) if "PNUM" in fields else None
    pno = _int_field("PNO", fields["PNO"]) if "PNO" in fields else None
    if flag is not None and flag & FLAG_SPLIT:
        if pnum is None or pno is None:
            raise FrameError("bad_split", "Flag says split packet but PNUM/PNO are missing")
        if not 1 <= pno <= pnum:
            raise FrameError("bad_split", f"PNO={pno} is outside 1..PNUM={pnum}")
    return Frame(
        st=fields["ST"],
        cn=fields["CN"],
        mn=fields["MN"],
        pw=fields.get("PW"),
        qn=qn,
        flag=flag,
        pnum=pnum,
        pno=pno,
        cp=parse_cp(cp_text),
        cp_text=cp_text,
    )


def parse_frame(
    raw: bytes | str,
    *,
    require_trailer: bool = False,
    max_length: int = MAX_DATA_LENGTH,
    computed_crc: int | None = None,
) -> Frame:
    """Parse one frame; ``raw`` may end with ``\\r\\n`` (required when ``require_trailer``).

    Raises :class:`FrameError` naming the first thing wrong: header, length, CRC, fields.
    ``computed_crc`` is the data segment's CRC when the caller already computed it (in a batch).
    """
    data = raw.encode("latin-1") if isinstance(raw, str) else bytes(raw)
    if data.endswith(TRAILER):
        data = data[:-2]
    elif require_trailer:
        raise FrameError("no_trailer", "frame does not end with <CR><LF>")
    if not data.startswith(HEADER):
        raise FrameError("no_header", "frame does not start with ##")
    length_field = data[2:6]
    if len(length_field) < 4 or not length_field.isdigit():
        raise FrameError("bad_length", f"length field {length_field!r} is not 4 decimal digits")
    length = int(length_field)
    if length > max_length:
        raise FrameError("too_long", f"data segment length {length} exceeds {max_length}")
    segment = data[6:-4]
    if len(data) < 10 or len(segment) != length:
        got = max(len(data) - 10, 0)
        raise FrameError("length_mismatch", f"length field says {length} bytes, data segment has {got}")
    crc_text = data[-4:]
    if len(crc_text) != 4 or crc_text.strip(_HEX_DIGITS):
        raise FrameError("bad_crc_field", f"CRC field {crc_text!r} is not 4 hex digits")
    crc_sent = int(crc_text, 16)
    crc_calc = hj212_crc(segment) if computed_crc is None else computed_crc
    if crc_sent != crc_calc:
        raise FrameError(
            "crc_mismatch", f"CRC mismatch: frame says {crc_text.decode('ascii')}, data gives {crc_calc:04X}"
        )
    try:
        text = segment.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("bad_encoding", f"data segment is not UTF-8 at byte {exc.start}") from None
    frame = parse_data_segment(text)
    frame.crc = crc_text.decode("ascii")
    return frame


# --------------------------------------------------------------------------------------------- building


def build_cp(cp: dict[str, CpValue]) -> str:
    """Inverse of :func:`parse_cp` (plain fields and factors in the dict's order)."""
    groups: list[str] = []
    for name, value in cp.items():
        if isinstance(value, dict):
            groups.append(",".join(f"{name}-{item}={v}" for item, v in value.items()))
        else:
            groups.append(f"{name}={value}")
    return ";".join(groups)


def build_data_segment(
    *,
    st: str,
    cn: str,
    mn: str,
    pw: str | None = None,
    qn: str | None = None,
    flag: int | None = None,
    pnum: int | None = None,
    pno: int | None = None,
    cp: dict[str, CpValue] | str = "",
) -> str:
    parts: list[str] = []
    if qn is not None:
        parts.append(f"QN={qn}")
    parts.append(f"ST={st}")
    parts.append(f"CN={cn}")
    if pw is not None:
        parts.append(f"PW={pw}")
    parts.append(f"MN={mn}")
    if flag is not None:
        parts.append(f"Flag={flag}")
    if pnum is not None:
        parts.append(f"PNUM={pnum}")
    if pno is not None:
        parts.append(f"PNO={pno}")
    cp_text = cp if isinstance(cp, str) else build_cp(cp)
    parts.append(f"CP=&&{cp_text}&&")
    return ";".join(parts)


def wrap_segment(segment: str | bytes, *, upper: bool = True) -> bytes:
    """``##`` + length + segment + CRC + ``\\r\\n``."""
    data = segment.encode("utf-8") if isinstance(segment, str) else segment
    if len(data) > MAX_DATA_LENGTH:
        raise FrameError("too_long", f"data segment of {len(data)} bytes does not fit 4 digits")
    return b"##%04d%s%s\r\n" % (len(data), data, format_crc(hj212_crc(data), upper=upper).encode("ascii"))


def build_frame(*, upper: bool = True, **fields: object) -> bytes:
    """Build a complete frame; keyword arguments as in :func:`build_data_segment`."""
    return wrap_segment(build_data_segment(**fields), upper=upper)  # type: ignore[arg-type]
