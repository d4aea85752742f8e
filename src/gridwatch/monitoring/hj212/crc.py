"""The CRC of HJ 212-2017 (appendix A) — not CRC-16/MODBUS.

The standard's loop is::

    crc = 0xFFFF
    for b in data:
        crc = (crc >> 8) ^ b
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001

After ``(crc >> 8) ^ b`` the register's high byte is zero, so the eight bit steps depend only on the low
byte and can be tabulated: ``crc = TABLE[(crc >> 8) ^ b]``.  The result is printed as 4 hex digits;
senders use upper or lower case.

>>> format_crc(hj212_crc(b"QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;"
...                      b"Flag=5;CP=&&RtdInterval=30&&"))
'1C80'
"""

from __future__ import annotations


def _bit_steps(value: int) -> int:
    for _ in range(8):
        lsb = value & 1
        value >>= 1
        if lsb:
            value ^= 0xA001
    return value


TABLE: tuple[int, ...] = tuple(_bit_steps(i) for i in range(256))


def hj212_crc(data: bytes) -> int:
    """CRC of a data segment (the bytes between the length field and the CRC)."""
    crc = 0xFFFF
    table = TABLE
    for b in data:
        crc = table[(crc >> 8) ^ b]
    return crc


def hj212_crc_reference(data: bytes) -> int:
    """The standard's bit-by-bit loop, kept to check :func:`hj212_crc` against."""
    crc = 0xFFFF
    for b in data:
        crc = (crc >> 8) ^ b
        for _ in range(8):
            lsb = crc & 1
            crc >>= 1
            if lsb:
                crc ^= 0xA001
    return crc


def format_crc(crc: int, *, upper: bool = True) -> str:
    """Four hex digits, upper case by default."""
    text = f"{crc:04X}"
    return text if upper else text.lower()
