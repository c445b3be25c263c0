"""The session's token scan must be able to fail: it finds a value wherever it appears."""

from __future__ import annotations

from rotation.core.token import Token
from tests.redaction import RedactionScan, find_leaks


def test_scan_finds_a_leaked_value_and_names_it_by_fingerprint():
    token = "pypi-AgEIcHlwaS5vcmcCJGExYjJjM2Q0"
    leaks = find_leaks({token, "short"}, ["nothing here", f'{{"message": "oops {token}"}}'])
    assert leaks == [Token(token).fingerprint]
    assert find_leaks({token}, ["pypi-AgEIcHlwaS5vcmc"]) == []


def test_scan_covers_exception_texts_annotations_and_function_logs(tmp_path):
    in_exception, in_annotation, in_log = (f"token-value-{n:04d}-abcdefgh" for n in range(3))
    scan = RedactionScan(values={in_exception, in_annotation, in_log, "never-shown-anywhere-1234"})
    try:
        raise RuntimeError(f"failed with {in_exception}")
    except RuntimeError as error:
        scan.record_exception(error)
    scan.stored.append(f"token-rotator.state={in_annotation}")
    log = tmp_path / "function.log"
    log.write_text(f'{{"message": "{in_log}"}}\nTraceback (most recent call last):\n')
    scan.function_logs.append(log)

    report, leaks = scan.run()

    assert leaks == sorted(Token(v).fingerprint for v in (in_exception, in_annotation, in_log))
    assert "1 function logs (2 lines, 1 tracebacks)" in report
    assert "1 exception texts and 1 annotations and labels for 4 token values" in report
    assert report.endswith(": 3 hits")
