from __future__ import annotations

import contextlib
import csv
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridwatch.monitoring.hj212 import (
    Frame,
    FrameError,
    FrameSplitter,
    SplitPacketAssembler,
    build_frame,
    hj212_crc,
    parse_cp,
    parse_frame,
    reply_for,
)
from gridwatch.monitoring.hj212.crc import hj212_crc_reference
from gridwatch.monitoring.hj212.replies import QN_RTN_BAD_PW, request_reply

STANDARD_EXAMPLE = (
    "##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;"
    "CP=&&RtdInterval=30&&1C80\r\n"
)


def test_standard_example_parses() -> None:
    frame = parse_frame(STANDARD_EXAMPLE, require_trailer=True)
    assert (frame.qn, frame.st, frame.cn, frame.pw, frame.mn, frame.flag) == (
        "20160801085857223",
        "32",
        "1062",
        "100000",
        "010000A8900016F000169DC0",
        5,
    )
    assert frame.cp == {"RtdInterval": "30"}
    assert frame.reply_wanted and frame.version == 1 and not frame.is_split


def test_lower_case_crc_accepted() -> None:
    assert parse_frame(STANDARD_EXAMPLE.replace("1C80", "1c80")).crc == "1c80"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda s: s.replace("1C80", "1C81"), "crc_mismatch"),
        (lambda s: s.replace("##0101", "##0102"), "length_mismatch"),
        (lambda s: s.replace("##0101", "##01x1"), "bad_length"),
        (lambda s: s[2:], "no_header"),
        (lambda s: s.replace("1C80", "1CG0"), "bad_crc_field"),
    ],
    ids=["crc", "length", "length-digits", "header", "crc-digits"],
)
def test_rejections_name_the_reason(mutate, reason) -> None:
    with pytest.raises(FrameError) as exc:
        parse_frame(mutate(STANDARD_EXAMPLE))
    assert exc.value.reason == reason


def test_real_frames(frames_tsv) -> None:
    rows = list(csv.DictReader(frames_tsv.open(encoding="utf-8"), delimiter="\t"))
    assert rows
    for row in rows:
        if row["crc_ok"] == "True":
            frame = parse_frame(row["message"])
            assert frame.mn and frame.cn
        else:
            with pytest.raises(FrameError) as exc:
                parse_frame(row["message"])
            assert exc.value.reason == "crc_mismatch"


def test_2005_frame_without_qn_and_flag() -> None:
    frame = parse_frame(
        build_frame(
            st="32",
            cn="2011",
            pw="123456",
            mn="LD130133000015",
            cp="DataTime=20160824003817;011-Rtd=231.0,011-Flag=N",
        )
    )
    assert frame.qn is None and frame.flag is None and frame.version == 0 and not frame.reply_wanted
    assert frame.factors() == {"011": {"Rtd": "231.0", "Flag": "N"}}


def test_parse_cp_plain_and_factors() -> None:
    assert parse_cp("DataTime=1;a-Rtd=1,a-Flag=N;b-Rtd=2") == {
        "DataTime": "1",
        "a": {"Rtd": "1", "Flag": "N"},
        "b": {"Rtd": "2"},
    }
    with pytest.raises(FrameError):
        parse_cp("a-Rtd=1;a-Rtd=2")


# ------------------------------------------------------------------ property-based round trip and fuzz

code = st.text(string.ascii_letters + string.digits, min_size=1, max_size=8)
value = st.text(string.ascii_letters + string.digits + ".+", min_size=0, max_size=12)
factors = st.dictionaries(code, st.dictionaries(code, value, min_size=1, max_size=4), max_size=6)


@st.composite
def frames(draw) -> dict:
    cp: dict = {"DataTime": draw(st.text(string.digits, min_size=14, max_size=14))}
    cp.update(draw(factors))
    flag = draw(st.one_of(st.none(), st.sampled_from([4, 5, 8, 9])))
    return {
        "qn": None if flag is None else draw(st.text(string.digits, min_size=17, max_size=17)),
        "st": draw(st.sampled_from(["21", "22", "31", "32", "91"])),
        "cn": draw(st.sampled_from(["2011", "2051", "2061", "2031", "9014"])),
        "pw": draw(st.text(string.ascii_letters + string.digits, min_size=1, max_size=9)),
        "mn": draw(st.text(string.ascii_uppercase + string.digits, min_size=14, max_size=24)),
        "flag": flag,
        "cp": cp,
    }


@settings(max_examples=300, deadline=None)
@given(frames(), st.booleans())
def test_build_parse_round_trip(fields, upper) -> None:
    raw = build_frame(upper=upper, **fields)
    frame = parse_frame(raw, require_trailer=True)
    assert (frame.qn, frame.st, frame.cn, frame.pw, frame.mn, frame.flag) == (
        fields["qn"],
        fields["st"],
        fields["cn"],
        fields["pw"],
        fields["mn"],
        fields["flag"],
    )
    assert frame.cp == fields["cp"]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_crc_table_matches_the_standards_loop(data) -> None:
    assert hj212_crc(data) == hj212_crc_reference(data)


@settings(max_examples=1000, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.builds(lambda b, n: b"##" + b"%04d" % n + b, st.binary(max_size=100), st.integers(0, 120)),
    )
)
def test_fuzz_random_bytes_only_raise_frame_errors(data) -> None:
    with contextlib.suppress(FrameError):
        parse_frame(data)
    splitter = FrameSplitter()
    for item in splitter.feed(data):
        assert isinstance(item, bytes | FrameError)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(frames(), min_size=1, max_size=5),
    st.lists(st.integers(1, 50), min_size=1, max_size=40),
    st.binary(max_size=5).filter(lambda b: b"#" not in b),
)
def test_splitter_any_chunking_gives_the_same_frames(fields_list, cuts, junk) -> None:
    raws = [build_frame(**f) for f in fields_list]
    stream = junk + b"".join(raws)
    splitter = FrameSplitter()
    got: list[bytes] = []
    pos = 0
    i = 0
    while pos < len(stream):
        n = cuts[i % len(cuts)]
        i += 1
        got.extend(x for x in splitter.feed(stream[pos : pos + n]) if isinstance(x, bytes))
        pos += n
    assert got == raws
    assert splitter.pending == 0


def test_splitter_bounded_on_huge_length_and_garbage() -> None:
    splitter = FrameSplitter(max_length=1024)
    out = splitter.feed(b"##9999" + b"x" * 5000)
    assert any(isinstance(e, FrameError) and e.reason == "too_long" for e in out)
    assert splitter.pending <= 1
    out = splitter.feed(b"garbage" + build_frame(st="32", cn="2011", mn="M1", cp=""))
    assert isinstance(out[-1], bytes)


def test_split_packets_reassembled() -> None:
    common = {
        "st": "32",
        "cn": "2061",
        "pw": "123456",
        "mn": "010000A8900016F000169DC0",
        "flag": 7,
        "pnum": 2,
    }
    p1 = parse_frame(
        build_frame(
            qn="20160801085857534",
            pno=1,
            **common,
            cp="DataTime=20160801080000;w00000-Cou=63.0,w00000-Min=16.4",
        )
    )
    p2 = parse_frame(
        build_frame(
            qn="20160801085857535",
            pno=2,
            **common,
            cp="DataTime=20160801080000;w01018-Cou=63.0;w00000-Max=20.1",
        )
    )
    asm = SplitPacketAssembler()
    assert asm.add(p2, now=0.0) is None
    merged = asm.add(p1, now=1.0)
    assert isinstance(merged, Frame)
    assert merged.cp == {
        "DataTime": "20160801080000",
        "w00000": {"Cou": "63.0", "Min": "16.4", "Max": "20.1"},
        "w01018": {"Cou": "63.0"},
    }
    assert merged.flag == 5 and merged.pnum is None and len(asm) == 0


def test_split_packets_expire() -> None:
    asm = SplitPacketAssembler(timeout_s=10)
    part = parse_frame(build_frame(st="32", cn="2061", mn="M", flag=6, pnum=3, pno=1, cp="DataTime=1"))
    assert asm.add(part, now=0) is None
    other = parse_frame(build_frame(st="32", cn="2061", mn="N", flag=6, pnum=2, pno=1, cp="DataTime=1"))
    asm.add(other, now=100)
    assert asm.dropped == 1 and len(asm) == 1


def test_split_flag_requires_pnum_pno() -> None:
    with pytest.raises(FrameError) as exc:
        parse_frame(build_frame(st="32", cn="2061", mn="M", flag=6, cp=""))
    assert exc.value.reason == "bad_split"


def test_replies() -> None:
    upload = parse_frame(
        build_frame(
            qn="20160801085857534",
            st="32",
            cn="2011",
            pw="1",
            mn="M",
            flag=5,
            cp="DataTime=20160801080000;w01018-Rtd=1",
        )
    )
    reply = parse_frame(reply_for(upload))
    assert (reply.cn, reply.st, reply.qn, reply.flag, reply.cp) == ("9014", "91", upload.qn, 4, {})
    no_reply = parse_frame(build_frame(qn="20160801085857534", st="32", cn="2011", mn="M", flag=4, cp=""))
    assert reply_for(no_reply) is None
    notice = parse_frame(build_frame(qn="20160801085857534", st="32", cn="1013", mn="M", flag=5, cp=""))
    assert parse_frame(reply_for(notice)).cn == "9013"
    refused = parse_frame(request_reply(upload, QN_RTN_BAD_PW))
    assert refused.cn == "9011" and refused.cp == {"QnRtn": "3"}


def _outcome(fn, head: str) -> object:
    try:
        return fn(head)
    except FrameError as exc:
        return (exc.reason, str(exc))


_HEADER_PART = st.one_of(
    st.sampled_from(["QN", "ST", "CN", "PW", "MN", "Flag", "PNUM", "PNO", "XX", "", "=", "QN=1=2"]).flatmap(
        lambda k: st.text(alphabet="0123456789=", max_size=4).map(lambda v: f"{k}={v}" if k else v)
    ),
    st.text(alphabet="QNSTCMPWFlag=;-0", max_size=8),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(_HEADER_PART, max_size=10), st.booleans())
def test_header_fast_path_same_as_checked_path(parts, trailing) -> None:
    """The one-pass header parser gives the same fields, or the same error, as the field-by-field one."""
    from gridwatch.monitoring.hj212.frame import _header_fields, _header_fields_checked

    head = ";".join(parts) + (";" if trailing else "")
    assert _outcome(_header_fields, head) == _outcome(_header_fields_checked, head)
