from __future__ import annotations

from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
# ../shared next to the repository (a clone), or two levels up (a git worktree inside a folder)
_CANDIDATES = [_ROOT.parent / "shared" / "data" / "hj212", _ROOT.parent.parent / "shared" / "data" / "hj212"]
SHARED_HJ212 = next((p for p in _CANDIDATES if p.exists()), _CANDIDATES[0])


@pytest.fixture(scope="session")
def frames_tsv() -> Path:
    path = SHARED_HJ212 / "frames.tsv"
    if not path.exists():
        pytest.skip("shared HJ 212 frames not present")
    return path
