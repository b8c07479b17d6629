"""Shared by the CLI tests: the zoo model's options and the one-line error check."""

from __future__ import annotations

ZOO = ["--model", "eugene.models.zoo:deepbind", "--model-arg", "seq_len=30", "--model-arg", "n_filters=4"]


def stderr_line(capsys) -> str:
    """The only non-blank line the command wrote to stderr (the test fails when there are more)."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]
