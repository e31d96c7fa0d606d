#!/usr/bin/env python3
"""`whisp` usage: --help on every command, bad arguments name the problem and exit 2, and
`whisp snapshot` on a missing store fails with exit 1 and says why."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whisp_harness import binary  # noqa: E402

WHISP = binary("whisp")


def run(*args):
    return subprocess.run([WHISP, *args], capture_output=True, text=True, timeout=30)


def main():
    for command in ["", "demo", "rpc", "sync", "snapshot", "watch"]:
        r = run(*([command] if command else []), "--help")
        assert r.returncode == 0 and "Usage" in r.stdout + r.stderr, (command, r)

    cases = [
        ([], "A subcommand is required"),
        (["fly"], 'unknown command "fly"'),
        (["rpc", "--db", "x.db", "--user", "a", "--password", "p", "--api-key", "k"], "--server"),
        (["rpc", "--server", "http://127.0.0.1:1", "--db", "x.db"], "credentials missing"),
        (["rpc", "--server", "http://127.0.0.1:1", "--db", "x.db", "--user", "a"], "--password"),
        (["rpc", "--server", "http://127.0.0.1:1", "--db", "x.db", "--user", "a",
          "--password", "p", "--api-key", "k", "--jwt", "j"], "not both"),
        (["sync", "--server", "http://127.0.0.1:1", "--db", "x.db", "--user-id", "u",
          "--jwt", "j"], "--refresh-token"),
        (["rpc", "--server", "http://127.0.0.1:1", "--db", "x.db", "--user", "a", "--password",
          "p", "--api-key", "k", "--log-level", "loud"], "--log-level"),
        (["watch", "--server", "http://127.0.0.1:1", "--db", "x.db"], "--chat"),
        (["snapshot"], "--db"),
        (["snapshot", "--db", "x.db", "--last", "0"], "--last"),
    ]
    for args, part in cases:
        r = run(*args)
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert part in r.stderr, (args, r.stderr)

    r = run("snapshot", "--db", "/nonexistent/store.db")
    assert r.returncode == 1 and "not a whisp store" in r.stderr, r
    print("usage: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
