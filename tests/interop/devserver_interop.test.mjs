// Interop: the official Whisp SDK's STOMP library (@stomp/stompjs 7 over `ws`) against the built
// whisp-devserver binary, following the SDK's flow: sign in with the API key, JWT from the
// Authorization response header, ticket, connect with the Authorization connect header,
// subscribe to the user queue, publish actions to /api/chat. Every event type must arrive at
// every member (sender included) with exactly the vendor page's fields and JSON types.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import assert from "node:assert/strict";
import path from "node:path";
import { Client } from "@stomp/stompjs";
import WebSocket from "ws";

const buildDir = process.env.WHISP_BUILD_DIR ?? path.resolve("build");
const binary = path.join(buildDir, "bin", "whisp-devserver");
const API_KEY = "interop-key";
const TS = "2024-01-15T10:30:00Z";

// The vendor page's fields per type; every value a string except replyTo.
const FIELDS = {
  SEND_MSG: ["type", "timeStamp", "chatId", "message", "messageId", "recipientId", "senderId"],
  EDIT_MSG: ["type", "chatId", "message", "messageId", "recipientId", "senderId", "editedAt"],
  DELETE_MSG: ["type", "chatId", "messageId", "recipientId", "senderId", "timeStamp"],
  REPLY: ["type", "messageId", "message", "chatId", "recipientId", "senderId", "replyTo", "timeStamp"],
  TYPING: ["type", "chatId", "recipientId", "senderId"],
  REACT: ["type", "messageId", "message", "chatId", "recipientId", "senderId", "parentMessageId", "timeStamp"],
  DELETE_REACT: ["type", "messageId", "chatId", "recipientId", "senderId"],
  READ_MSG: ["type", "chatId", "recipientId", "senderId", "messageId"],
  USER_JOIN: ["type", "chatId", "message", "username", "recipientId", "senderId"],
  USER_LEAVE: ["type", "chatId", "message", "recipientId", "timeStamp", "senderId"],
  NEW_CHAT: ["type", "timeStamp", "chatId", "recipientId", "senderId", "message"],
  DELETE_CHAT: ["type", "chatId", "recipientId", "senderId"],
};
const REPLY_TO = ["chatId", "timeStamp", "messageId", "senderId", "content", "edited", "editedAt"];

function startServer() {
  const child = spawn(binary, ["--port", "0", "--api-key", API_KEY, "--pbkdf2-iterations", "1000"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      const m = /^listening on (http:\/\/[^\s]+)$/.exec(line);
      if (!m) reject(new Error(`unexpected first line: ${line}`));
      else resolve({ child, base: m[1] });
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

async function waitFor(what, predicate, ms = 15000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function waitForAsync(what, predicate, ms = 15000) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function call(base, method, route, { body, jwt, apiKey } = {}) {
  const headers = { "content-type": "application/json" };
  if (jwt) headers.authorization = `Bearer ${jwt}`;
  if (apiKey) headers["x-api-key"] = apiKey;
  const res = await fetch(base + route, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, authorization: res.headers.get("authorization") };
}

async function signUp(base, username) {
  const password = `${username}-pw`;
  const reg = await call(base, "POST", "/api/user/registerUser", {
    apiKey: API_KEY, body: { username, email: `${username}@example.com`, password },
  });
  assert.ok(reg.status >= 200 && reg.status < 300, `register ${username}: ${reg.status}`);
  const res = await call(base, "POST", "/api/user/signin", { apiKey: API_KEY, body: { username, password } });
  assert.equal(res.status, 200);
  const header = res.authorization;
  assert.ok(header, "JWT in the Authorization response header");
  const jwt = header.startsWith("Bearer ") ? header.slice(7) : header;
  return { username, id: res.json.id, jwt, events: [] };
}

async function connect(base, user) {
  const { json } = await call(base, "GET", "/api/auth/getTicket", { jwt: user.jwt });
  const url = base.replace(/^http/, "ws") + `/api/wsConnect?ticket=${encodeURIComponent(json.ticket)}`;
  const client = new Client({
    webSocketFactory: () => new WebSocket(url, ["v12.stomp", "v11.stomp", "v10.stomp"]),
    connectHeaders: { Authorization: `Bearer ${user.jwt}` },
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
    reconnectDelay: 0,
    debug: () => {},
  });
  let connected = false;
  client.onConnect = () => {
    connected = true;
    client.subscribe(`/user/${user.id}/queue/messages`, (msg) => user.events.push(JSON.parse(msg.body)));
  };
  client.onStompError = (frame) => { throw new Error(`STOMP ERROR for ${user.username}: ${frame.headers.message}`); };
  client.activate();
  await waitFor(`${user.username} connected`, () => connected);
  // A SUBSCRIBE has no answer; the dev server's admin call tells when it took effect.
  await waitForAsync(`${user.username} subscribed`, async () => {
    const r = await call(base, "GET", `/__admin/connections?username=${user.username}`, { apiKey: API_KEY });
    return r.json.subscribed > 0;
  });
  user.client = client;
  return user;
}

function checkShape(ev, type, me) {
  assert.deepEqual(Object.keys(ev).sort(), [...FIELDS[type]].sort(), `${type} fields: ${JSON.stringify(ev)}`);
  for (const [k, v] of Object.entries(ev)) {
    if (k === "replyTo") continue;
    assert.equal(typeof v, "string", `${type}.${k} is a string`);
  }
  assert.equal(ev.recipientId, me.id, `${type}.recipientId is the receiver`);
  if (type === "REPLY") {
    assert.deepEqual(Object.keys(ev.replyTo).sort(), [...REPLY_TO].sort());
    assert.equal(typeof ev.replyTo.edited, "boolean");
    assert.ok(ev.replyTo.editedAt === null || typeof ev.replyTo.editedAt === "string");
    for (const k of ["chatId", "timeStamp", "messageId", "senderId", "content"]) {
      assert.equal(typeof ev.replyTo[k], "string", `replyTo.${k}`);
    }
  }
}

/// Waits until every user in `users` got a `type` event, checks each, returns the first's copy.
async function expectAll(users, type) {
  const got = [];
  for (const u of users) {
    await waitFor(`${u.username} gets ${type}`, () => u.events.some((e) => e.type === type));
    const idx = u.events.findIndex((e) => e.type === type);
    const [ev] = u.events.splice(idx, 1);
    checkShape(ev, type, u);
    got.push(ev);
  }
  return got[0];
}

const publish = (user, action) =>
  user.client.publish({ destination: "/api/chat", body: JSON.stringify({ ...action, senderId: user.id }) });

async function main() {
  const { child, base } = await startServer();
  try {
    const alice = await connect(base, await signUp(base, "alice"));
    const bob = await connect(base, await signUp(base, "bob"));
    const carol = await connect(base, await signUp(base, "carol"));
    const dave = await signUp(base, "dave");
    const all = [alice, bob, carol];

    const created = await call(base, "POST", "/api/chat/createChat", {
      jwt: alice.jwt, body: { chatName: "Interop", userNames: ["alice", "bob", "carol"] },
    });
    assert.equal(created.status, 200);
    const chatId = created.json.chatId;
    const newChat = await expectAll(all, "NEW_CHAT");
    assert.equal(newChat.message, "Interop");
    assert.equal(newChat.senderId, alice.id);

    publish(alice, { type: "SEND_MSG", chatId, message: "Hello, world!", timeStamp: TS });
    const sent = await expectAll(all, "SEND_MSG");
    assert.equal(sent.message, "Hello, world!");
    const msgId = sent.messageId;

    publish(alice, { type: "EDIT_MSG", chatId, messageId: msgId, message: "Hello, world! (edited)", timeStamp: TS });
    assert.equal((await expectAll(all, "EDIT_MSG")).message, "Hello, world! (edited)");

    publish(bob, { type: "REPLY", chatId, messageId: msgId, message: "I agree!", timeStamp: TS });
    const reply = await expectAll(all, "REPLY");
    assert.equal(reply.replyTo.messageId, msgId);

    publish(carol, { type: "TYPING", chatId });
    assert.equal((await expectAll(all, "TYPING")).senderId, carol.id);

    publish(carol, { type: "REACT", chatId, messageId: msgId, reaction: "\u{1F44D}", timeStamp: TS });
    const react = await expectAll(all, "REACT");
    assert.equal(react.parentMessageId, msgId);
    assert.equal(react.message, "\u{1F44D}");

    publish(carol, { type: "DELETE_REACT", reactionId: react.messageId });
    assert.equal((await expectAll(all, "DELETE_REACT")).messageId, react.messageId);

    publish(bob, { type: "READ_MSG", chatId, messageId: msgId });
    assert.equal((await expectAll(all, "READ_MSG")).senderId, bob.id);

    publish(alice, { type: "DELETE_MSG", chatId, messageId: msgId });
    assert.equal((await expectAll(all, "DELETE_MSG")).messageId, msgId);

    assert.equal((await call(base, "POST", "/api/chat/addUser", { jwt: alice.jwt, body: { chatId, newUsername: "dave" } })).status, 200);
    const join = await expectAll(all, "USER_JOIN");
    assert.equal(join.message, dave.id);
    assert.equal(join.username, "dave");

    assert.equal((await call(base, "POST", "/api/chat/removeUser", { jwt: alice.jwt, body: { chatId, removeUser: dave.id } })).status, 200);
    assert.equal((await expectAll(all, "USER_LEAVE")).senderId, dave.id);

    assert.equal((await call(base, "DELETE", `/api/chat/deleteChat?chatId=${chatId}`, { jwt: alice.jwt })).status, 200);
    assert.equal((await expectAll(all, "DELETE_CHAT")).chatId, chatId);

    for (const u of all) await u.client.deactivate();
    console.log("interop: all 12 event types arrived at every member with the vendor's fields");
  } finally {
    child.kill("SIGTERM");
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
