"""Company codes: USCC check characters (GB 32100-2015) and HJ 212 MN."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gridwatch.sim.firms import USCC_CHARS, mn_code, uscc, uscc_valid


def test_published_codes_validate():
    assert uscc_valid("91350100M000100Y43")
    assert uscc_valid("91110108551385082Q")
    assert not uscc_valid("91110108551385082R")
    assert not uscc_valid("9111010855138508")


@given(seed=st.binary(min_size=1, max_size=16), individual=st.booleans(), pos=st.integers(0, 17),
       shift=st.integers(1, 30))
def test_generated_codes_validate_and_detect_one_wrong_character(seed, individual, pos, shift):
    code = uscc(seed, "440111", individual)
    assert len(code) == 18 and code.startswith("92440111" if individual else "91440111")
    assert uscc_valid(code)
    wrong = USCC_CHARS[(USCC_CHARS.index(code[pos]) + shift) % 31]
    assert not uscc_valid(code[:pos] + wrong + code[pos + 1:])


@given(account=st.text("0123456789", min_size=5, max_size=12))
def test_mn_is_24_characters(account):
    mn = mn_code(account, "440113")
    assert len(mn) == 24 and mn.startswith("440113")
