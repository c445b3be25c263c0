"""The session's token scan must be able to fail: it finds a value wherever it appears."""

from __future__ import annotations

from rotation.token import Token
from tests.conftest import find_leaks


def test_scan_finds_a_leaked_value_and_names_it_by_fingerprint():
    token = "pypi-AgEIcHlwaS5vcmcCJGExYjJjM2Q0"
    leaks = find_leaks({token, "short"}, ["nothing here", f'{{"message": "oops {token}"}}'])
    assert leaks == [Token(token).fingerprint]
    assert find_leaks({token}, ["pypi-AgEIcHlwaS5vcmc"]) == []
