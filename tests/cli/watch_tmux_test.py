#!/usr/bin/env python3
"""`whisp watch` in tmux: the pane shows the chat, then a message another engine (bob's
`whisp rpc`) sends, with its sender, and the connection state; Ctrl-C ends it cleanly.
Reads the screen with `tmux capture-pane`. Exit 0 when everything held."""
import os
import shlex
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whisp_harness import DevServer, Rpc, binary  # noqa: E402

SOCKET = f"whisp-watch-test-{os.getpid()}"


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True,
                          check=check, timeout=10)


def pane():
    return tmux("capture-pane", "-p", "-t", "watch").stdout


def wait_pane(predicate, what, timeout=30):
    """Re-reads the pane until predicate(text) holds (tmux offers no change notification)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = pane()
        if predicate(text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"the pane never showed {what}; it shows:\n{text}")


def main():
    with DevServer() as server, tempfile.TemporaryDirectory() as tmp:
        chat = server.chat_id
        bob = Rpc(server, "bob", os.path.join(tmp, "bob.db"))
        command = [binary("whisp"), "watch", "--chat", chat, "--server", server.url,
                   "--db", os.path.join(tmp, "alice.db"), *server.credentials("alice")]
        rc_file = os.path.join(tmp, "watch.rc")
        tmux("new-session", "-d", "-s", "watch", "-x", "110", "-y", "40",
             "env LANG=C.UTF-8 " + " ".join(shlex.quote(a) for a in command) +
             f" 2>{shlex.quote(os.path.join(tmp, 'watch.err'))}; echo $? >{shlex.quote(rc_file)}")
        try:
            wait_pane(lambda t: "[connected]" in t and "Welcome to Whisp" in t,
                      "the seeded chat, connected")
            # The seeded history: alice's own (edited) message with its mark, bob's name (the
            # members arrive after the history pages: until then senders show as ids).
            wait_pane(lambda t: "you: Hi everyone, welcome to Whisp! (edited) [delivered]" in t
                      and "bob: Hey alice, glad to be here" in t,
                      "the seeded history with its senders' names")

            assert bob.call("waitIdle", {"timeoutMs": 20000}) == {"idle": True}
            bob.call("sendMessage", {"chatId": chat, "text": "hello from bob in tmux"})
            wait_pane(lambda t: "bob: hello from bob in tmux" in t, "bob's message")
            bob.call("typing", {"chatId": chat})
            wait_pane(lambda t: "bob is typing..." in t, "bob typing")

            tmux("send-keys", "-t", "watch", "C-c")
            deadline = time.monotonic() + 20
            while tmux("has-session", "-t", "watch", check=False).returncode == 0:
                assert time.monotonic() < deadline, "whisp watch did not stop on Ctrl-C"
                time.sleep(0.1)
            status = open(rc_file).read().strip()
            assert status == "0", f"whisp watch exited with status {status}"
        except BaseException:
            err = os.path.join(tmp, "watch.err")
            if os.path.exists(err):
                sys.stderr.write("whisp watch stderr:\n" + open(err).read())
            raise
        finally:
            tmux("kill-server", check=False)
            bob.kill()
    print("watch in tmux: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
