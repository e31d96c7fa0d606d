#!/usr/bin/env python3
"""Runs a command against a fresh `whisp-devserver --seed demo`:

    with_devserver.py USER -- COMMAND ARGS...

In the arguments, {url}, {user}, {password}, {api_key}, {chat} and {tmp} (a fresh directory)
are replaced. The exit status is the command's."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import whisp_harness  # noqa: E402


def main():
    sep = sys.argv.index("--")
    user, command = sys.argv[1], sys.argv[sep + 1:]
    with whisp_harness.DevServer() as server, tempfile.TemporaryDirectory() as tmp:
        values = {"url": server.url, "user": user, "password": server.users[user]["password"],
                  "api_key": server.api_key, "chat": server.chat_id, "tmp": tmp}
        args = [a.format(**values) for a in command]
        return subprocess.run(args, timeout=120).returncode


if __name__ == "__main__":
    sys.exit(main())
