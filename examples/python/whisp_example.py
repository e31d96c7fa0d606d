#!/usr/bin/env python3
"""Embedding whisp-engine from Python through its C API (libwhisp.so) with ctypes.

Standard library only. Signs in, waits until the engine has synced, prints the chats, sends a
message to the first chat, waits until the server confirmed it (watching the change
callbacks), and logs out, erasing the local store.

    python3 whisp_example.py --lib build/lib/libwhisp.so --server http://127.0.0.1:PORT \
        --user alice --password alice-password --api-key whisp-dev-api-key --db /tmp/alice.db
"""
import argparse
import ctypes
import json
import os
import queue
import sys
import time

EVENT_CHANGED, EVENT_CONNECTION, EVENT_ERROR, EVENT_TOKENS = 1, 2, 3, 4
CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)


class WhispError(Exception):
    def __init__(self, status, message):
        super().__init__(f"whisp status {status}: {message}")
        self.status = status


class Whisp:
    """A thin, owning wrapper over one engine handle."""

    def __init__(self, lib_path, config):
        self.lib = lib = ctypes.CDLL(lib_path)
        out_str = ctypes.POINTER(ctypes.c_void_p)  # char** we free with whisp_string_free
        lib.whisp_version.restype = ctypes.c_char_p
        lib.whisp_string_free.argtypes = [ctypes.c_void_p]
        lib.whisp_engine_start.argtypes = [ctypes.c_char_p, CALLBACK, ctypes.c_void_p,
                                           ctypes.POINTER(ctypes.c_void_p), out_str]
        lib.whisp_engine_free.argtypes = [ctypes.c_void_p]
        lib.whisp_user_id.argtypes = [ctypes.c_void_p]
        lib.whisp_user_id.restype = ctypes.c_void_p
        lib.whisp_snapshot.argtypes = [ctypes.c_void_p, ctypes.c_char_p, out_str, out_str]
        lib.whisp_send_message.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                           out_str, out_str]
        lib.whisp_react.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                    ctypes.c_int, ctypes.c_char_p, out_str, out_str]
        lib.whisp_wait_idle.argtypes = [ctypes.c_void_p, ctypes.c_int64]
        lib.whisp_engine_logout.argtypes = [ctypes.c_void_p, ctypes.c_int, out_str]

        self.events = queue.Queue()
        # Runs on the engine's thread: only hand the event over (ctypes holds the GIL for us).
        self._callback = CALLBACK(lambda _ud, kind, payload: self.events.put(
            (kind, json.loads(payload.decode()))))
        handle, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = lib.whisp_engine_start(json.dumps(config).encode(), self._callback, None,
                                        ctypes.byref(handle), ctypes.byref(error))
        if status != 0:
            raise WhispError(status, self._take(error))
        self.handle = handle

    def _take(self, ptr):
        """Copies a library-owned string and frees it."""
        if not ptr.value:
            return None
        text = ctypes.string_at(ptr.value).decode()
        self.lib.whisp_string_free(ptr.value)
        return text

    def _call(self, fn, *args):
        out, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = fn(self.handle, *args, ctypes.byref(out), ctypes.byref(error))
        if status != 0:
            raise WhispError(status, self._take(error))
        return self._take(out)

    def user_id(self):
        return self._take(ctypes.c_void_p(self.lib.whisp_user_id(self.handle)))

    def snapshot(self, chat_id=None):
        return json.loads(self._call(self.lib.whisp_snapshot,
                                     chat_id.encode() if chat_id else None))

    def send_message(self, chat_id, text):
        return self._call(self.lib.whisp_send_message, chat_id.encode(), text.encode())

    def react(self, chat_id, message_id, emoji, is_local=False):
        return self._call(self.lib.whisp_react, chat_id.encode(), message_id.encode(),
                          1 if is_local else 0, emoji.encode())

    def wait_idle(self, timeout_ms):
        return self.lib.whisp_wait_idle(self.handle, timeout_ms) == 1

    def logout(self, erase_store):
        error = ctypes.c_void_p()
        status = self.lib.whisp_engine_logout(self.handle, 1 if erase_store else 0,
                                              ctypes.byref(error))
        if status != 0:
            raise WhispError(status, self._take(error))

    def close(self):
        if self.handle:
            self.lib.whisp_engine_free(self.handle)
            self.handle = None


def wait_for(engine, chat_id, predicate, timeout_s):
    """Re-checks the chat's snapshot after each change callback until predicate(chat) holds."""
    deadline = time.monotonic() + timeout_s
    while True:
        chats = engine.snapshot(chat_id)["chats"]
        if chats and predicate(chats[0]):
            return chats[0]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the snapshot never showed what we waited for")
        try:
            engine.events.get(timeout=remaining)
        except queue.Empty:
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", default=os.environ.get("WHISP_LIB", "libwhisp.so"))
    p.add_argument("--server", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--api-key", required=True)
    p.add_argument("--db", required=True)
    p.add_argument("--text", default="hello from Python")
    args = p.parse_args()

    engine = Whisp(args.lib, {
        "serverUrl": args.server, "databasePath": args.db,
        "auth": {"username": args.user, "password": args.password, "apiKey": args.api_key},
    })
    try:
        print(f"libwhisp {engine.lib.whisp_version().decode()}, user {engine.user_id()}")
        if not engine.wait_idle(20000):
            raise TimeoutError("not synced in time")
        snapshot = engine.snapshot()
        for chat in snapshot["chats"]:
            print(f"chat {chat['chatId']} {chat['name']!r}: {len(chat['messages'])} message(s), "
                  f"{chat['unreadCount']} unread")
        if not snapshot["chats"]:
            raise RuntimeError("the user has no chat")
        chat_id = snapshot["chats"][0]["chatId"]

        local_id = engine.send_message(chat_id, args.text)
        mine = [m for m in engine.snapshot(chat_id)["chats"][0]["messages"]
                if m["localId"] == local_id]
        print(f"sent {local_id}: shown at once as {mine[0]['status']}")
        chat = wait_for(engine, chat_id, lambda c: any(
            m["localId"] == local_id and m["status"] == "delivered" for m in c["messages"]), 20)
        message = next(m for m in chat["messages"] if m["localId"] == local_id)
        print(f"delivered as {message['messageId']}")

        engine.react(chat_id, message["messageId"], "\N{SPARKLES}")
        chat = wait_for(engine, chat_id, lambda c: any(
            m["messageId"] == message["messageId"] and
            any(r["reactionId"] for r in m["reactions"]) for m in c["messages"]), 20)
        print(f"reacted; the chat now has {len(chat['messages'])} message(s)")

        engine.logout(erase_store=True)
        if os.path.exists(args.db):
            raise RuntimeError("logout with erase left the store behind")
        print("logged out, store erased")
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
