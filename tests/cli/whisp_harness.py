"""Helpers for the end-to-end tests of the `whisp` command line: a dev server process and
`whisp rpc` clients. Standard library only. Paths come from WHISP_BUILD_DIR (set by CTest)."""
import json
import os
import queue
import subprocess
import threading
import time

BUILD = os.environ.get("WHISP_BUILD_DIR", os.path.join(os.path.dirname(__file__), "../../build"))
BIN = os.path.join(BUILD, "bin")


def binary(name):
    return os.path.join(BIN, name)


class DevServer:
    """`whisp-devserver --port 0 --seed demo` as a child process; reads what it prints."""

    def __init__(self, *extra):
        self.proc = subprocess.Popen(
            [binary("whisp-devserver"), "--port", "0", "--seed", "demo",
             "--pbkdf2-iterations", "1000", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.users, self.chat_id, self.url, self.api_key = {}, None, None, None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("whisp-devserver exited before it was ready")
            words = line.split()
            if line.startswith("listening on "):
                self.url = words[2]
            elif line.startswith("api key: "):
                self.api_key = words[2]
            elif words and words[0] == "user":
                self.users[words[1]] = {"password": words[3], "id": words[5]}
            elif words and words[0] == "chat":
                self.chat_id = words[1]
                break
        if not (self.url and self.api_key and self.chat_id):
            raise RuntimeError("whisp-devserver did not announce url, api key and chat")
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()  # drain

    def credentials(self, user):
        return ["--user", user, "--password", self.users[user]["password"],
                "--api-key", self.api_key]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class RpcError(Exception):
    def __init__(self, error):
        super().__init__(json.dumps(error))
        self.error = error


class Rpc:
    """A `whisp rpc` process: call() sends a request and waits for its answer; notifications
    are kept in order and can be waited for."""

    def __init__(self, server, user, db, *extra):
        self.proc = subprocess.Popen(
            [binary("whisp"), "rpc", "--server", server.url, "--db", db,
             *server.credentials(user), *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            bufsize=1)
        self.user, self.next_id = user, 0
        self.responses, self.notifications = {}, []
        self.cond = threading.Condition()
        self.stderr = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            msg = json.loads(line)  # every stdout line must be one JSON object
            with self.cond:
                if "id" in msg:
                    self.responses[msg["id"]] = msg
                else:
                    self.notifications.append(msg)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def send_raw(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def request(self, method, params=None, timeout=30):
        """The whole response object."""
        self.next_id += 1
        rid = self.next_id
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send_raw(json.dumps(msg))
        return self.wait_response(rid, timeout)

    def wait_response(self, rid, timeout=30):
        with self.cond:
            if not self.cond.wait_for(lambda: rid in self.responses or self.proc.poll() is not None,
                                      timeout):
                raise TimeoutError(f"{self.user}: no answer to request {rid}")
            if rid not in self.responses:
                raise RuntimeError(f"{self.user}: whisp rpc exited: {''.join(self.stderr)}")
            return self.responses.pop(rid)

    def call(self, method, params=None, timeout=30):
        response = self.request(method, params, timeout)
        if "error" in response:
            raise RpcError(response["error"])
        return response["result"]

    def wait_notification(self, predicate, timeout=20):
        with self.cond:
            ok = self.cond.wait_for(lambda: any(predicate(n) for n in self.notifications), timeout)
            if not ok:
                raise TimeoutError(f"{self.user}: notification never came")

    def chat(self, chat_id):
        chats = self.call("snapshot", {"chatId": chat_id})["chats"]
        return chats[0] if chats else None

    def wait_chat(self, chat_id, predicate, timeout=20, what="the chat to change",
                  allow_missing=False):
        """Re-reads the chat after every `changed` notification until predicate(chat) holds
        (chat is None when the snapshot lacks it; only passed on with allow_missing)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.cond:
                seen = len(self.notifications)
            chat = self.chat(chat_id)
            if (chat is not None or allow_missing) and predicate(chat):
                return chat
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{self.user}: waited in vain for {what}; last: {chat}")
            with self.cond:
                self.cond.wait_for(lambda: len(self.notifications) > seen, remaining)

    def close(self, timeout=30):
        """EOF on stdin: the process must stop cleanly with status 0."""
        self.proc.stdin.close()
        return self.proc.wait(timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def messages_with(chat, text):
    return [m for m in chat["messages"] if m["text"] == text]
