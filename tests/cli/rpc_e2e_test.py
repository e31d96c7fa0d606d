#!/usr/bin/env python3
"""End to end: two `whisp rpc` processes (alice, bob) against a real `whisp-devserver`.

Every method of the contract, the notifications, bad input over the real pipe, EOF giving exit
0, and `whisp snapshot` reading the store afterwards. Exit 0 when everything held."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from whisp_harness import DevServer, Rpc, RpcError, binary, messages_with  # noqa: E402


def expect_error(rpc, line, code):
    rpc.next_id += 1
    rpc.send_raw(line.replace("ID", str(rpc.next_id)))
    response = rpc.wait_response(rpc.next_id if "ID" in line else None)
    assert response["error"]["code"] == code, (line, response)


def main():
    with DevServer() as server, tempfile.TemporaryDirectory() as tmp:
        chat = server.chat_id
        alice = Rpc(server, "alice", os.path.join(tmp, "alice.db"))
        bob = Rpc(server, "bob", os.path.join(tmp, "bob.db"))
        try:
            run(server, chat, alice, bob, tmp)
        finally:
            alice.kill()
            bob.kill()
    print("rpc e2e: all checks passed")
    return 0


def run(server, chat, alice, bob, tmp):
    alice_id, bob_id = server.users["alice"]["id"], server.users["bob"]["id"]
    assert alice.call("waitIdle", {"timeoutMs": 20000}) == {"idle": True}
    assert bob.call("waitIdle", {"timeoutMs": 20000}) == {"idle": True}
    alice.wait_notification(lambda n: n["method"] == "connection" and
                            n["params"] == {"state": "connected"})
    alice.wait_notification(lambda n: n["method"] == "changed" and
                            isinstance(n["params"]["version"], int))

    # Bad input over the real pipe: each gets its code and the session goes on.
    for line, code in [("{oops", -32700), ("[1,2]", -32600),
                       ('{"jsonrpc":"2.0","id":ID}', -32600),
                       ('{"jsonrpc":"2.0","id":ID,"method":"fly"}', -32601),
                       ('{"jsonrpc":"2.0","id":ID,"method":"sendMessage","params":{"chatId":1}}',
                        -32602)]:
        expect_error(alice, line, code)

    # sendMessage: pending at once (by localId), then delivered everywhere exactly once.
    local = alice.call("sendMessage", {"chatId": chat, "text": "one"})["localId"]
    mine = messages_with(alice.chat(chat), "one")
    assert len(mine) == 1 and mine[0]["localId"] == local, mine
    bob.wait_chat(chat, lambda c: len(messages_with(c, "one")) == 1, what="alice's message")
    delivered = alice.wait_chat(chat, lambda c: messages_with(c, "one")[0]["status"] == "delivered")
    one_id = messages_with(delivered, "one")[0]["messageId"]
    bob.wait_notification(lambda n: n["method"] == "changed" and n["params"]["chatId"] == chat)

    # reply by server id, edit by localId before delivery, react, unreact, markRead, typing.
    bob.call("reply", {"chatId": chat, "messageId": one_id, "text": "re: one"})
    two_local = alice.call("sendMessage", {"chatId": chat, "text": "two"})["localId"]
    alice.call("editMessage", {"chatId": chat, "localId": two_local, "text": "two (edited)"})
    react_local = bob.call("react", {"chatId": chat, "messageId": one_id, "emoji": "+1"})["localId"]
    assert react_local
    alice.call("typing", {"chatId": chat})
    chat_a = alice.wait_chat(chat, lambda c: messages_with(c, "re: one") and
                             messages_with(c, "two (edited)") and
                             messages_with(c, "two (edited)")[0]["edited"] and
                             any(r["emoji"] == "+1" and r["reactionId"]
                                 for r in messages_with(c, "one")[0]["reactions"]),
                             what="reply, edit and reaction")
    reply = messages_with(chat_a, "re: one")[0]
    assert reply["replyTo"]["messageId"] == one_id, reply
    reaction_id = next(r["reactionId"] for r in messages_with(chat_a, "one")[0]["reactions"]
                       if r["emoji"] == "+1")
    bob.wait_chat(chat, lambda c: any(r["reactionId"] == reaction_id
                                      for r in messages_with(c, "one")[0]["reactions"]))
    bob.call("unreact", {"chatId": chat, "reactionId": reaction_id})
    bob.call("markRead", {"chatId": chat, "messageId": reply["messageId"]})
    alice.wait_chat(chat, lambda c: not any(r["emoji"] == "+1" for r in
                                            messages_with(c, "one")[0]["reactions"]) and
                    any(m["userId"] == bob_id and m["lastReadMessageId"] == reply["messageId"]
                        for m in c["members"]), what="unreact and bob's read pointer")

    # deleteMessage: gone on both sides.
    bob.call("deleteMessage", {"chatId": chat, "messageId": reply["messageId"]})
    alice.wait_chat(chat, lambda c: not messages_with(c, "re: one"), what="the delete")

    # Editing someone else's message is refused locally with the engine's code.
    try:
        bob.call("editMessage", {"chatId": chat, "messageId": one_id, "text": "hijack"})
        raise AssertionError("editing alice's message was accepted")
    except RpcError as e:
        assert e.error["code"] in (-32000, -32602) and "code" in e.error["data"], e.error

    # Chats through REST passthroughs.
    created = alice.call("createChat", {"chatName": "side", "userNames": ["alice", "bob"]})
    side = created["chatId"]
    alice.call("renameChat", {"chatId": side, "newChatName": "side room"})
    alice.call("addUser", {"chatId": side, "newUsername": "carol"})
    alice.call("removeUser", {"chatId": side, "removeUser": server.users["carol"]["id"]})
    alice.call("sendMessage", {"chatId": side, "text": "in the side room"})
    bob.wait_chat(side, lambda c: messages_with(c, "in the side room"), what="the new chat")

    # Offline: actions queue, then go out on goOnline, exactly once.
    bob.call("goOffline")
    bob.wait_notification(lambda n: n["method"] == "connection" and
                          n["params"]["state"] == "disconnected")
    bob.call("sendMessage", {"chatId": chat, "text": "queued while offline"})
    assert messages_with(bob.chat(chat), "queued while offline")[0]["status"] == "pending"
    assert bob.call("waitIdle", {"timeoutMs": 300}) == {"idle": False}
    bob.call("goOnline")
    assert bob.call("waitIdle", {"timeoutMs": 20000}) == {"idle": True}
    alice.wait_chat(chat, lambda c: len(messages_with(c, "queued while offline")) == 1,
                    what="bob's queued message")
    assert alice.call("loadOlder", {"chatId": chat, "count": 10})["loaded"] >= 0

    alice.call("deleteChat", {"chatId": side})
    bob.wait_chat(side, lambda c: c is None, allow_missing=True, what="the deleted chat to vanish")
    # EOF stops cleanly with status 0.
    assert bob.close() == 0, "".join(bob.stderr)
    assert alice.call("waitIdle", {"timeoutMs": 20000}) == {"idle": True}
    final = alice.call("snapshot")
    assert final["userId"] == alice_id
    assert alice.close() == 0, "".join(alice.stderr)

    # `whisp snapshot` reads the store offline: the same chats as the engine's last snapshot.
    db = os.path.join(tmp, "alice.db")
    out = subprocess.run([binary("whisp"), "snapshot", "--db", db, "--json"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    offline = json.loads(out.stdout)
    for c in final["chats"]:
        c.pop("typing", None)
    assert offline["userId"] == alice_id
    assert [c["chatId"] for c in offline["chats"]] == [c["chatId"] for c in final["chats"]]
    assert offline == final, (offline, final)
    text = subprocess.run([binary("whisp"), "snapshot", "--db", db, "--chat", chat],
                          capture_output=True, text=True, timeout=30)
    assert text.returncode == 0 and "queued while offline" in text.stdout, text


if __name__ == "__main__":
    sys.exit(main())
