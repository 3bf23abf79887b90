"""Fingerprints: stable when lines move, distinct for each occurrence of identical text."""

from __future__ import annotations

from analyzers import Finding, with_fingerprints


def finding(line: int, rule: str = "B307") -> Finding:
    return Finding(
        tool="bandit", rule_id=rule, severity="warning", path="a.py", line=line, end_line=line, message="m"
    )


def test_fingerprint_survives_lines_inserted_above():
    before = ["x = 1", "eval(y)"]
    after = ["# new", "", "x = 1", "eval(y)"]
    [a] = with_fingerprints([finding(2)], lambda _: before)
    [b] = with_fingerprints([finding(4)], lambda _: after)
    assert a.fingerprint == b.fingerprint


def test_whitespace_changes_do_not_change_it_but_text_does():
    [a] = with_fingerprints([finding(1)], lambda _: ["eval(y)"])
    [b] = with_fingerprints([finding(1)], lambda _: ["    eval( y)".replace("( ", "(")])
    [c] = with_fingerprints([finding(1)], lambda _: ["eval(z)"])
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_identical_lines_get_distinct_fingerprints():
    lines = ["eval(y)", "pass", "eval(y)"]
    first, second = with_fingerprints([finding(3), finding(1)], lambda _: lines)
    assert first.fingerprint != second.fingerprint
    again = with_fingerprints([finding(1), finding(3)], lambda _: lines)
    assert {f.fingerprint for f in again} == {first.fingerprint, second.fingerprint}


def test_unreadable_file_still_gets_a_fingerprint():
    def unreadable(_: str) -> list[str]:
        raise OSError("gone")

    [f] = with_fingerprints([finding(1)], unreadable)
    assert len(f.fingerprint) == 16


def test_a_credentials_fingerprint_does_not_hash_the_credential():
    def secret(line: int) -> Finding:
        return Finding(tool="detect-secrets", rule_id="secret-keyword", severity="warning", path="a.py",
                       line=line, end_line=line, message="m", cwe="CWE-798")  # fmt: skip

    [a] = with_fingerprints([secret(1)], lambda _: ['password = "hunter2"'])
    [b] = with_fingerprints([secret(1)], lambda _: ['password = "correct horse"'])
    [c] = with_fingerprints([secret(3)], lambda _: ["", "", 'password = "hunter2"'])
    assert a.fingerprint == b.fingerprint == c.fingerprint  # nothing of the value goes in
    first, second = with_fingerprints([secret(1), secret(2)], lambda _: ['p = "x"', 'q = "y"'])
    assert first.fingerprint != second.fingerprint
