// The official SDK's receive path, as the ingest benchmark's baseline (issue 5):
// @stomp/stompjs's Client (its StompHandler and Parser) on a stand-in WebSocket, fed the same
// STOMP MESSAGE frames the C++ engine ingests, one WebSocket message per frame; each message
// goes to the subscription callback, which JSON.parses the body and dispatches on `type` to a
// handler (counting per chat). Nothing is stored.
//
// Usage: node bench/stompjs_ingest.js FRAMES_FILE [REPEATS=3]
// FRAMES_FILE: the frames, each ending in its NUL byte, back to back (JSON bodies hold no NUL).
// Prints one line per repeat: "stompjs events=N seconds=S events_per_s=R".
import { readFileSync } from "node:fs";
import { Client } from "@stomp/stompjs";

const [file, repeatsArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/stompjs_ingest.js FRAMES_FILE [REPEATS]");
  process.exit(2);
}
const repeats = Number(repeatsArg ?? 3);

// The WebSocket messages, as `ws` hands text messages to the SDK: strings.
const bytes = readFileSync(file);
const chunks = [];
for (let start = 0; start < bytes.length; ) {
  const end = bytes.indexOf(0, start);
  if (end < 0) break;
  chunks.push(bytes.toString("utf8", start, end + 1));
  start = end + 1;
}

// A socket that is already open: what the Client sends is dropped, what the "server" sends is
// handed to the Client's onmessage.
class StandInSocket {
  constructor() {
    this.readyState = 1; // OPEN
    this.protocol = "v12.stomp";
    this.binaryType = "arraybuffer";
    this.onmessage = null;
    this.onopen = null;
    this.onclose = null;
    this.onerror = null;
  }
  send() {}
  close() {
    this.readyState = 3;
  }
  deliver(data) {
    this.onmessage({ data });
  }
}

function runOnce() {
  return new Promise((resolve, reject) => {
    const socket = new StandInSocket();
    const perChat = new Map();
    let events = 0;
    let unknown = 0;
    const handlers = {
      SEND_MSG: (ev) => {
        perChat.set(ev.chatId, (perChat.get(ev.chatId) ?? 0) + 1);
        events += ev.messageId && ev.message !== undefined ? 1 : 0;
      },
    };
    const client = new Client({
      webSocketFactory: () => socket,
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      debug: () => {},
    });
    client.onStompError = (frame) => reject(new Error("STOMP error " + frame.body));
    client.onConnect = () => {
      client.subscribe(
        "/user/self/queue/messages",
        (message) => {
          const ev = JSON.parse(message.body);
          const h = handlers[ev.type];
          if (h) h(ev);
          else ++unknown;
        },
        { id: "sub-0" },
      );
      // Outside the CONNECTED frame's callback: the parser is not re-entrant.
      setImmediate(() => {
        const t0 = process.hrtime.bigint();
        for (const c of chunks) socket.deliver(c);
        const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        client.deactivate();
        resolve({ events, seconds, chats: perChat.size, unknown });
      });
    };
    client.activate();
    // The "server" answers the CONNECT the Client wrote on open.
    setImmediate(() => socket.deliver("CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0"));
  });
}

for (let i = 0; i < repeats; ++i) {
  const r = await runOnce();
  if (r.events !== chunks.length || r.unknown !== 0) {
    console.error(`stompjs: dispatched ${r.events} of ${chunks.length} frames (${r.unknown} unknown)`);
    process.exit(1);
  }
  console.log(
    `stompjs events=${r.events} seconds=${r.seconds.toFixed(4)} events_per_s=${Math.round(r.events / r.seconds)} chats=${r.chats}`,
  );
}
