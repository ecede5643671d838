'use strict';
// Relay's socket, driven by the published phoenix.js client (npm `phoenix`),
// with `ws` as its WebSocket transport, against the real `relay` binary.
//
// The suite builds ./cmd/relay, starts `relay serve` on 127.0.0.1:0 with
// SQLite in a temporary folder, signs up a workspace and invites a second
// user, then checks live delivery, idempotent sends, typing, presence,
// catch-up across reconnects, read state and refusals. Nothing waits with a
// fixed sleep: each step awaits the event it expects, with a timeout that
// fails the test. "Nothing else arrived" is proven with a barrier: a later
// event on the same topic, which the server delivers in order.
//
// Run: npm ci --prefix test/phoenixjs && node --test test/phoenixjs/
// Env: RELAY_PHOENIXJS_STEP_MS (per-event timeout, default 5000),
//      RELAY_PHOENIXJS_SERVER_LOG=1 (print the server's log at the end).

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

const WebSocket = require('ws');
const { Socket, Presence } = require('phoenix');

const REPO = path.resolve(__dirname, '..', '..');
const STEP_MS = Number(process.env.RELAY_PHOENIXJS_STEP_MS) || 5000;
const PASSWORD = 'correct horse battery';

// ---------------------------------------------------------------- helpers

const uniq = () => crypto.randomBytes(4).toString('hex');

/** Rejects with a clear message when p does not settle within ms. */
function withTimeout(p, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A list that records items and lets tests await one that matches. */
class Recorder {
  constructor() {
    this.items = [];
    this.waiters = [];
  }
  add(item) {
    this.items.push(item);
    for (const w of [...this.waiters]) {
      if (w.pred(item)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(item);
      }
    }
  }
  /** The first item (already recorded or still to come) matching pred. */
  waitFor(pred, what, ms = STEP_MS) {
    const found = this.items.find(pred);
    if (found) return Promise.resolve(found);
    let w;
    const p = new Promise((resolve) => {
      w = { pred, resolve };
      this.waiters.push(w);
    });
    return withTimeout(p, ms, what).finally(() => {
      const i = this.waiters.indexOf(w);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }
}

/** Records the events of a channel as {event, payload}. */
class Inbox extends Recorder {
  constructor(channel, events) {
    super();
    this.topic = channel.topic;
    for (const event of events) channel.on(event, (payload) => this.add({ event, payload }));
  }
  waitEvent(event, pred = () => true, what = event) {
    return this.waitFor((e) => e.event === event && pred(e.payload), `${what} on ${this.topic}`)
      .then((e) => e.payload);
  }
  of(event) {
    return this.items.filter((e) => e.event === event).map((e) => e.payload);
  }
}

const MESSAGE_EVENTS = ['message:new', 'message:updated', 'message:deleted',
  'reaction:added', 'reaction:removed', 'thread:updated'];

// ---------------------------------------------------------------- server

const server = { proc: null, dir: null, addr: null, log: [], exited: null };
let anyFailed = false;

function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...opts, stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('exit', (code, sig) => (code === 0 ? resolve()
      : reject(new Error(`${cmd} ${args.join(' ')} failed (${code ?? sig}):\n${err}`))));
  });
}

async function startServer() {
  server.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-phoenixjs-'));
  const bin = path.join(server.dir, 'relay');
  await run('go', ['build', '-o', bin, './cmd/relay'], { cwd: REPO });

  // The developer's RELAY_* settings (a database URL, a NATS URL…) must not
  // reach the server under test: it runs on SQLite in its own folder.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RELAY_')));
  const proc = spawn(bin, ['serve', '--addr', '127.0.0.1:0', '--data', path.join(server.dir, 'data'),
    '--base-domain', 'localhost', '--log-level', 'info'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  server.proc = proc;
  server.exited = new Promise((resolve) => proc.on('exit', (code, sig) => resolve(code ?? sig)));

  const listening = new Promise((resolve, reject) => {
    readline.createInterface({ input: proc.stderr }).on('line', (line) => {
      server.log.push(line);
      let rec;
      try { rec = JSON.parse(line); } catch { return; }
      if (rec.msg === 'relay listening') resolve(rec.addr);
    });
    proc.on('error', reject);
    server.exited.then((code) => reject(new Error(
      `relay serve exited (${code}) before listening:\n${server.log.join('\n')}`)));
  });
  server.addr = await withTimeout(listening, 60_000, '"relay listening" in the server log');
  assert.match(server.addr, /^127\.0\.0\.1:\d+$/);
}

async function stopServer() {
  const proc = server.proc;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGTERM');
    try {
      await withTimeout(server.exited, 20_000, 'relay serve to stop after SIGTERM');
    } catch {
      proc.kill('SIGKILL');
      await server.exited;
    }
  }
  if (anyFailed || process.env.RELAY_PHOENIXJS_SERVER_LOG) {
    console.error(`--- relay serve log (${server.log.length} lines, last 200) ---`);
    console.error(server.log.slice(-200).join('\n'));
  }
  if (server.dir) fs.rmSync(server.dir, { recursive: true, force: true });
}
// A crash of the test process itself must not leave the server running.
process.on('exit', () => { if (server.proc && server.proc.exitCode === null) server.proc.kill('SIGKILL'); });

// ---------------------------------------------------------------- REST

/** A REST call to the server with an explicit Host header (fetch would drop it). */
function api(method, host, urlPath, { token, body } = {}) {
  const [hostname, port] = server.addr.split(':');
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const headers = { Host: host, Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (data) Object.assign(headers, { 'Content-Type': 'application/json', 'Content-Length': data.length });
  const req = new Promise((resolve, reject) => {
    const r = http.request({ hostname, port, method, path: urlPath, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
        resolve({ status: res.statusCode, headers: res.headers, body: json });
      });
    });
    r.on('error', reject);
    if (data) r.write(data);
    r.end();
  });
  return withTimeout(req, STEP_MS, `${method} ${urlPath}`);
}

/** api() that asserts the status and returns the body. */
async function call(status, method, host, urlPath, opts) {
  const res = await api(method, host, urlPath, opts);
  assert.equal(res.status, status, `${method} ${urlPath} on ${host}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const post = (user, body) => call(201, 'POST', user.host, `/api/v1/channels/${general.id}/messages`,
  { token: user.token, body: { body, client_msg_id: crypto.randomUUID() } });

// ---------------------------------------------------------------- sockets

/** A ws.WebSocket that sends the workspace's Host while dialling 127.0.0.1. */
function transportFor(host) {
  return class RelayWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { headers: { Host: host } });
    }
  };
}

/** Sockets opened by one test, all disconnected when it ends (pass or fail). */
function sockets(t) {
  const opened = [];
  t.after(() => { for (const s of opened) s.disconnect(); });
  return {
    connect(user, opts = {}) {
      const socket = new Socket(`ws://${server.addr}/socket`, {
        transport: transportFor(user.host),
        params: { token: user.token },
        heartbeatIntervalMs: 500,
        reconnectAfterMs: () => 50,
        rejoinAfterMs: () => 50,
        timeout: STEP_MS,
        ...opts,
      });
      opened.push(socket);
      socket.connect();
      return socket;
    },
  };
}

/** Joins and resolves with the first ok response; rejects on error or timeout. */
function join(channel) {
  return withTimeout(new Promise((resolve, reject) => {
    channel.join()
      .receive('ok', resolve)
      .receive('error', (r) => reject(new Error(`join ${channel.topic} refused: ${JSON.stringify(r)}`)))
      .receive('timeout', () => reject(new Error(`join ${channel.topic} timed out`)));
  }), STEP_MS + 1000, `the join reply on ${channel.topic}`);
}

/** Joins expecting an error reply; resolves with it and leaves (so phoenix.js stops retrying). */
function joinRefused(channel) {
  return withTimeout(new Promise((resolve, reject) => {
    channel.join()
      .receive('ok', (r) => reject(new Error(`join ${channel.topic} was accepted: ${JSON.stringify(r)}`)))
      .receive('error', resolve)
      .receive('timeout', () => reject(new Error(`join ${channel.topic} timed out`)));
  }), STEP_MS + 1000, `the join reply on ${channel.topic}`).finally(() => channel.leave());
}

/** Pushes and resolves with the ok response; rejects on error or timeout. */
function push(channel, event, payload) {
  return withTimeout(new Promise((resolve, reject) => {
    channel.push(event, payload)
      .receive('ok', resolve)
      .receive('error', (r) => reject(new Error(`${event} on ${channel.topic} refused: ${JSON.stringify(r)}`)))
      .receive('timeout', () => reject(new Error(`${event} on ${channel.topic} timed out`)));
  }), STEP_MS + 1000, `the reply to ${event} on ${channel.topic}`);
}

/** Presence with several awaitable conditions (phoenix.js keeps one onSync callback). */
function watchPresence(channel) {
  const presence = new Presence(channel);
  const syncs = new Recorder();
  const leaves = new Recorder();
  presence.onSync(() => syncs.add(presence.list((id, p) => ({ id, metas: p.metas }))));
  presence.onLeave((id, current, left) => leaves.add({ id, current, left }));
  return {
    presence,
    ids: () => presence.list((id) => id).sort(),
    /** Resolves at the first sync whose list satisfies pred. */
    until(pred, what) {
      return syncs.waitFor(() => pred(presence.list((id, p) => ({ id, metas: p.metas }))), what);
    },
    leaves,
  };
}

// ---------------------------------------------------------------- fixtures

let workspace; // the signed-up workspace
let A; // owner: { host, token, user }
let B; // invited member
let general; // #general, as A lists it

before(async () => {
  await startServer();
  const sub = `pjs-${uniq()}`;
  const host = `${sub}.localhost`;
  const signup = await call(201, 'POST', 'localhost', '/api/v1/signup', {
    body: { workspace_name: 'Phoenix JS', subdomain: sub, email: `ann-${sub}@example.test`,
      password: PASSWORD, display_name: 'Ann' },
  });
  workspace = signup.workspace;
  A = { host, token: signup.token, user: signup.user };
  // Test 5b floods the channel from several posters, far beyond a person's
  // message rate: the owner switches the workspace's limit off, as relay bench does.
  const limits = await call(200, 'PATCH', host, '/api/v1/workspace',
    { token: A.token, body: { message_rate: 0, message_burst: 0 } });
  assert.equal(limits.message_rate, 0, 'the message rate limit is off');

  const invite = await call(201, 'POST', host, '/api/v1/invites',
    { token: A.token, body: { email: `bob-${sub}@example.test`, role: 'member' } });
  assert.ok(invite.token, 'the invite response carries its token');
  const accepted = await call(201, 'POST', host, `/api/v1/invites/${encodeURIComponent(invite.token)}/accept`,
    { body: { display_name: 'Bob', password: PASSWORD } });
  B = { host, token: accepted.token, user: accepted.user };

  const { channels } = await call(200, 'GET', host, '/api/v1/channels', { token: A.token });
  general = channels.find((c) => c.name === 'general');
  assert.ok(general, `#general is in ${JSON.stringify(channels.map((c) => c.name))}`);
  const bView = await call(200, 'GET', host, `/api/v1/channels/${general.id}`, { token: B.token });
  assert.equal(bView.is_member, true, 'the invited user is in #general');
}, { timeout: 300_000 });

after(stopServer, { timeout: 60_000 });

/** test() that remembers failures, so the server log is printed at the end. */
function rtest(name, fn) {
  test(name, { timeout: 60_000 }, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      anyFailed = true;
      throw e;
    }
  });
}

// ---------------------------------------------------------------- tests

rtest('1. a message posted over HTTP arrives on the socket as message:new, shaped like the REST resource', async (t) => {
  const s = sockets(t);
  const sa = s.connect(A);
  const ch = sa.channel(`channel:${general.id}`, {});
  const inbox = new Inbox(ch, ['message:new']);
  const reply = await join(ch);
  assert.equal(typeof reply.last_seq, 'number');
  assert.equal(typeof reply.last_change, 'number');
  assert.equal(reply.reset, false);

  const body = `Hello from Bob ${uniq()}`;
  const rest = await post(B, body);
  const ev = await inbox.waitEvent('message:new', (m) => m.id === rest.id);

  assert.deepEqual(ev, rest, 'the socket payload is the REST Message, field for field');
  assert.match(ev.id, /^[0-9]+$/);
  assert.equal(ev.channel_id, general.id);
  assert.equal(ev.seq, reply.last_seq + 1, 'the next seq after the join');
  assert.ok(ev.change > reply.last_change, 'change moved past the join');
  assert.equal(ev.body, body);
  assert.equal(ev.author.id, B.user.id);
  assert.equal(ev.author.kind, 'user');
  assert.equal(ev.author.display_name, 'Bob');
  assert.ok(Array.isArray(ev.reactions) && ev.reactions.length === 0, `reactions: ${JSON.stringify(ev.reactions)}`);
  assert.ok(Array.isArray(ev.mentions), `mentions: ${JSON.stringify(ev.mentions)}`);
  assert.equal(ev.parent_id, null);
  assert.equal(ev.edited_at, null);
  assert.equal(ev.deleted_at, null);
  assert.equal(inbox.of('message:new').length, 1, 'exactly one message:new');
});

rtest('2. message:send over the socket: ok reply with the message, delivered to others, idempotent by client_msg_id', async (t) => {
  const s = sockets(t);
  const chA = s.connect(A).channel(`channel:${general.id}`, {});
  const chB = s.connect(B).channel(`channel:${general.id}`, {});
  const inA = new Inbox(chA, ['message:new']);
  const inB = new Inbox(chB, ['message:new']);
  await Promise.all([join(chA), join(chB)]);

  const clientMsgId = crypto.randomUUID();
  const body = `Sent over the socket ${uniq()}`;
  const first = await push(chA, 'message:send', { body, client_msg_id: clientMsgId });
  assert.ok(first.message, `the reply holds {message}: ${JSON.stringify(first)}`);
  assert.equal(first.message.body, body);
  assert.equal(first.message.client_msg_id, clientMsgId);
  assert.equal(first.message.author.id, A.user.id);
  assert.equal(first.message.channel_id, general.id);

  const atB = await inB.waitEvent('message:new', (m) => m.id === first.message.id, 'the sent message at Bob');
  assert.deepEqual(atB, first.message, 'Bob receives the message the reply describes');
  const atA = await inA.waitEvent('message:new', (m) => m.client_msg_id === clientMsgId, 'the own message at Ann');
  assert.equal(atA.id, first.message.id, 'the sender gets its own message:new, matched by client_msg_id');

  const again = await push(chA, 'message:send', { body, client_msg_id: clientMsgId });
  assert.equal(again.message.id, first.message.id, 'a retry with the same client_msg_id returns the same message');
  assert.equal(again.message.seq, first.message.seq);

  // Barrier: a later message on the same topic. Had the retry posted (or
  // re-published) anything, it would have arrived before this one.
  const sentinel = await push(chA, 'message:send', { body: `sentinel ${uniq()}`, client_msg_id: crypto.randomUUID() });
  await inB.waitEvent('message:new', (m) => m.id === sentinel.message.id, 'the sentinel at Bob');
  await inA.waitEvent('message:new', (m) => m.id === sentinel.message.id, 'the sentinel at Ann');
  assert.equal(sentinel.message.seq, first.message.seq + 1, 'the retry consumed no seq');
  assert.deepEqual(inB.of('message:new').map((m) => m.id), [first.message.id, sentinel.message.id],
    'Bob got no second message:new for the retry');
  assert.deepEqual(inA.of('message:new').map((m) => m.id), [first.message.id, sentinel.message.id],
    'Ann got no second message:new for the retry');
});

rtest('3. typing is relayed to the other user, not echoed to the sender', async (t) => {
  const s = sockets(t);
  const chA = s.connect(A).channel(`channel:${general.id}`, {});
  const chB = s.connect(B).channel(`channel:${general.id}`, {});
  const inA = new Inbox(chA, ['typing', 'message:new']);
  const inB = new Inbox(chB, ['typing', 'message:new']);
  await Promise.all([join(chA), join(chB)]);

  assert.deepEqual(await push(chA, 'typing', {}), {});
  const seenByB = await inB.waitEvent('typing', (p) => p.user_id === A.user.id, "Ann's typing at Bob");
  assert.equal(seenByB.channel_id, general.id);
  assert.equal(seenByB.display_name, 'Ann');
  assert.equal(seenByB.parent_id, null);

  // Bob types after seeing Ann's notice: had Ann's own notice been echoed to
  // her, it would reach her before Bob's.
  await push(chB, 'typing', {});
  await inA.waitEvent('typing', (p) => p.user_id === B.user.id, "Bob's typing at Ann");
  // And a message Ann sends after that reaches Bob after any echo of his own.
  const sentinel = await push(chA, 'message:send', { body: `after typing ${uniq()}`, client_msg_id: crypto.randomUUID() });
  await inB.waitEvent('message:new', (m) => m.id === sentinel.message.id, 'the sentinel at Bob');

  assert.deepEqual(inA.of('typing').map((p) => p.user_id), [B.user.id], 'Ann saw only Bob typing');
  assert.deepEqual(inB.of('typing').map((p) => p.user_id), [A.user.id], 'Bob saw only Ann typing');
});

rtest('4. presence on workspace:<id>: both users listed after sync, a disconnect is seen as a leave', async (t) => {
  const s = sockets(t);
  const topic = `workspace:${workspace.id}`;
  const sa = s.connect(A);
  const pa = watchPresence(sa.channel(topic, {}));
  await join(pa.presence.channel);
  await pa.until((list) => list.some((p) => p.id === A.user.id), 'Ann to see herself');

  const sb = s.connect(B);
  const pb = watchPresence(sb.channel(topic, {}));
  await join(pb.presence.channel);
  const both = (list) => [A.user.id, B.user.id].every((id) => list.some((p) => p.id === id));
  await pa.until(both, 'Ann to see Ann and Bob');
  await pb.until(both, 'Bob to see Ann and Bob');
  assert.deepEqual(pa.ids(), [A.user.id, B.user.id].sort());
  assert.deepEqual(pb.ids(), [A.user.id, B.user.id].sort());

  const bob = pa.presence.list((id, p) => ({ id, metas: p.metas })).find((p) => p.id === B.user.id);
  assert.equal(bob.metas.length, 1, 'one meta: one connection');
  const meta = bob.metas[0];
  assert.equal(meta.user_id, B.user.id);
  assert.equal(meta.display_name, 'Bob');
  assert.equal(meta.status, 'online');
  assert.equal(typeof meta.phx_ref, 'string');
  assert.ok(meta.phx_ref.length > 0);

  sb.disconnect();
  const left = await pa.leaves.waitFor((l) => l.id === B.user.id, "Ann to see Bob's leave");
  assert.equal(left.left.metas[0].phx_ref, meta.phx_ref, 'the meta that left is the one that joined');
  await pa.until((list) => !list.some((p) => p.id === B.user.id), 'Bob gone from Ann\'s list');
  assert.deepEqual(pa.ids(), [A.user.id], 'Ann is still present');
});

rtest('5. catch-up: after a reconnect Bob receives exactly what he missed, in order, then live events', async (t) => {
  const s = sockets(t);
  const start = await call(200, 'GET', B.host, `/api/v1/channels/${general.id}`, { token: B.token });
  const pos = { lastSeq: start.last_seq, lastChange: start.last_change };
  const sentParams = [];
  const sb = s.connect(B);
  // A function: phoenix.js calls it for every (re)join, so the rejoin sends the latest position.
  const ch = sb.channel(`channel:${general.id}`, () => {
    const p = { last_seq: pos.lastSeq, last_change: pos.lastChange };
    sentParams.push(p);
    return p;
  });
  const inbox = new Inbox(ch, MESSAGE_EVENTS);
  for (const ev of MESSAGE_EVENTS) {
    ch.on(ev, (m) => {
      pos.lastSeq = Math.max(pos.lastSeq, m.seq);
      pos.lastChange = Math.max(pos.lastChange, m.change);
    });
  }
  const replies = new Recorder();
  ch.join().receive('ok', (r) => replies.add(r));
  const firstReply = await replies.waitFor(() => true, 'the first join reply');
  assert.deepEqual(firstReply, { last_seq: start.last_seq, last_change: start.last_change, reset: false });

  // Two messages Bob sees live.
  const p1 = await post(A, `p1 ${uniq()}`);
  const p2 = await post(A, `p2 ${uniq()}`);
  await inbox.waitEvent('message:new', (m) => m.id === p2.id, 'p2 live');
  assert.deepEqual(inbox.items.map((e) => [e.event, e.payload.id]), [['message:new', p1.id], ['message:new', p2.id]]);
  assert.equal(pos.lastSeq, p2.seq);

  // Bob drops; meanwhile Ann posts, edits an earlier message and reacts.
  sb.disconnect();
  const mark = inbox.items.length;
  const m1 = await post(A, `m1 ${uniq()}`);
  const m2 = await post(A, `m2 ${uniq()}`);
  const m3 = await post(A, `m3 ${uniq()}`);
  const edited = await call(200, 'PATCH', A.host, `/api/v1/messages/${p1.id}`,
    { token: A.token, body: { body: `p1, edited ${uniq()}` } });
  const reactedOld = await call(200, 'PUT', A.host, `/api/v1/messages/${p2.id}/reactions/${encodeURIComponent('👍')}`,
    { token: A.token });
  const reactedNew = await call(200, 'PUT', A.host, `/api/v1/messages/${m2.id}/reactions/${encodeURIComponent('🎉')}`,
    { token: A.token });
  assert.ok(edited.change < reactedOld.change && reactedOld.change < reactedNew.change);

  sb.connect();
  const rejoin = await replies.waitFor((r) => r !== firstReply, 'the rejoin reply');
  assert.deepEqual(sentParams.at(-1), { last_seq: p2.seq, last_change: p2.change },
    'the rejoin sent the position Bob had reached');
  assert.equal(rejoin.reset, false);
  assert.equal(rejoin.last_seq, m3.seq);
  assert.equal(rejoin.last_change, reactedNew.change);

  // Barrier: one live message after the replay.
  const m4 = await post(A, `m4 ${uniq()}`);
  await inbox.waitEvent('message:new', (m) => m.id === m4.id, 'm4 live after the replay');

  const got = inbox.items.slice(mark);
  assert.deepEqual(got.map((e) => [e.event, e.payload.id]), [
    ['message:new', m1.id],
    ['message:new', m2.id],
    ['message:new', m3.id],
    ['message:updated', p1.id],
    ['message:updated', p2.id],
    ['message:new', m4.id],
  ], 'missed messages in seq order, then older changes in change order, then live; no duplicates');
  const news = got.filter((e) => e.event === 'message:new').map((e) => e.payload.seq);
  assert.deepEqual(news, [p2.seq + 1, p2.seq + 2, p2.seq + 3, p2.seq + 4], 'no gap in seq');

  // Each arrives as it is now.
  assert.deepEqual(got[1].payload, reactedNew, 'm2 is replayed with its reaction');
  assert.deepEqual(got[3].payload, edited, 'p1 arrives edited');
  assert.notEqual(got[3].payload.edited_at, null);
  assert.deepEqual(got[4].payload, reactedOld, 'p2 arrives with its reaction');
  assert.deepEqual(got[4].payload.reactions.map((r) => [r.emoji, r.count, r.users]), [['👍', 1, [A.user.id]]]);
  assert.deepEqual(got[0].payload, m1);
  assert.deepEqual(got[2].payload, m3);
});

rtest('5b. catch-up across an abrupt connection drop while messages are being posted', async (t) => {
  const s = sockets(t);
  const start = await call(200, 'GET', B.host, `/api/v1/channels/${general.id}`, { token: B.token });
  const pos = { lastSeq: start.last_seq, lastChange: start.last_change };
  const sentParams = [];
  const sb = s.connect(B);
  const ch = sb.channel(`channel:${general.id}`, () => {
    const p = { last_seq: pos.lastSeq, last_change: pos.lastChange };
    sentParams.push(p);
    return p;
  });
  const inbox = new Inbox(ch, MESSAGE_EVENTS);
  ch.on('message:new', (m) => {
    pos.lastSeq = Math.max(pos.lastSeq, m.seq);
    pos.lastChange = Math.max(pos.lastChange, m.change);
  });
  const replies = new Recorder();
  ch.join().receive('ok', (r) => replies.add(r));
  await replies.waitFor(() => true, 'the first join reply');

  // Ann posts from several concurrent loops, without pause. Meanwhile Bob's
  // TCP connection dies without a close frame, as on a network loss, DROPS
  // times: phoenix.js reconnects after 50 ms and rejoins while the posts go
  // on, so some commit while the server is between subscribing Bob and
  // reading what he missed. Posting stops 10 posts after the last rejoin
  // reply (bounded: at most MAX posts in all).
  const DROPS = 10;
  const MAX = 2000;
  const posted = [];
  let drops = 0;
  let sinceJoin = 0;
  let joins = replies.items.length;
  const poster = async (k) => {
    while (!(drops === DROPS && replies.items.length === DROPS + 1 && sinceJoin >= 10)) {
      assert.ok(posted.length < MAX, `Bob did not rejoin ${DROPS} times within ${MAX} posts`);
      posted.push(await post(A, `burst ${k}.${posted.length} ${uniq()}`));
      if (replies.items.length !== joins) { joins = replies.items.length; sinceJoin = 0; }
      sinceJoin++;
      // Drop once the current join has seen a few posts.
      if (drops < DROPS && joins === drops + 1 && sinceJoin === 3) {
        drops++;
        sb.conn.terminate();
      }
    }
  };
  await Promise.all([0, 1, 2, 3, 4, 5].map(poster));
  posted.sort((a, b) => a.seq - b.seq);
  await inbox.waitEvent('message:new', (m) => m.id === posted.at(-1).id, 'the last burst message', STEP_MS * 2);
  assert.equal(replies.items.length, DROPS + 1, `one rejoin per drop: ${JSON.stringify(replies.items)}`);
  assert.ok(replies.items.every((r) => r.reset === false), JSON.stringify(replies.items));
  // A short account first (the full lists are long), then the exact sequence.
  const got = inbox.items.map((e) => (e.event === 'message:new' ? e.payload.seq : `${e.event} ${e.payload.seq}`));
  const count = new Map();
  for (const x of got) count.set(x, (count.get(x) || 0) + 1);
  assert.deepEqual({
    duplicates: [...count].filter(([, n]) => n > 1).map(([x]) => x),
    missing: posted.map((m) => m.seq).filter((x) => !count.has(x)),
    outOfOrder: got.filter((x, i) => i > 0 && !(x > got[i - 1])),
    otherEvents: got.filter((x) => typeof x !== 'number'),
  }, { duplicates: [], missing: [], outOfOrder: [], otherEvents: [] },
  `${posted.length} messages posted around ${DROPS} drops`);
  assert.deepEqual(got, posted.map((m) => m.seq), 'every message exactly once, in seq order');
});

rtest('6. read state: a read push on the channel moves the cursor and the user topic gets unread:updated', async (t) => {
  const s = sockets(t);
  const chB = s.connect(B).channel(`channel:${general.id}`, {});
  const inB = new Inbox(chB, ['message:new']);
  const mine = s.connect(B).channel(`user:${B.user.id}`, {});
  const unread = new Inbox(mine, ['unread:updated']);
  await Promise.all([join(chB), join(mine)]);

  const m1 = await post(A, `unread one ${uniq()}`);
  const m2 = await post(A, `unread two ${uniq()}`);
  await inB.waitEvent('message:new', (m) => m.id === m2.id, 'the second unread message');
  const before = await call(200, 'GET', B.host, `/api/v1/channels/${general.id}`, { token: B.token });
  assert.ok(before.unread_count >= 2, `unread before reading: ${before.unread_count}`);

  const reply = await push(chB, 'read', { seq: m1.seq });
  assert.equal(reply.membership.channel_id, general.id);
  assert.equal(reply.membership.user_id, B.user.id);
  assert.equal(reply.membership.last_read_seq, m1.seq);
  assert.equal(reply.membership.unread_count, 1);
  const u1 = await unread.waitEvent('unread:updated', (u) => u.last_read_seq === m1.seq);
  assert.deepEqual(u1, { channel_id: general.id, last_read_seq: m1.seq, unread_count: 1, mention_count: 0 });

  await push(chB, 'read', { seq: m2.seq });
  const u2 = await unread.waitEvent('unread:updated', (u) => u.last_read_seq === m2.seq);
  assert.deepEqual(u2, { channel_id: general.id, last_read_seq: m2.seq, unread_count: 0, mention_count: 0 });
  const after = await call(200, 'GET', B.host, `/api/v1/channels/${general.id}`, { token: B.token });
  assert.equal(after.unread_count, 0);
  assert.equal(after.last_read_seq, m2.seq);
  assert.deepEqual(unread.of('unread:updated').map((u) => u.last_read_seq), [m1.seq, m2.seq]);
});

/** Opens a bare ws connection and resolves with the HTTP status of a refused upgrade. */
function upgradeStatus(host, query, extra = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${server.addr}/socket/websocket?${query}`, { headers: { Host: host }, ...extra });
    ws.on('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy(); });
    ws.on('open', () => { ws.close(); reject(new Error(`the upgrade with ${query} was accepted`)); });
    ws.on('error', () => {});
  }), STEP_MS, `the upgrade answer for ${query}`);
}

rtest('7. refusals: bad token, foreign user topic, unknown channel, private channel of others', async (t) => {
  const s = sockets(t);

  // A bad token: the phoenix client sees only a failed connection.
  const bad = s.connect(B, { params: { token: 'not-a-token' } });
  let opened = false;
  bad.onOpen(() => { opened = true; });
  const errors = new Recorder();
  bad.onError((e) => errors.add(e));
  await errors.waitFor(() => true, 'onError for a bad token');
  bad.disconnect(); // else it retries forever
  assert.equal(opened, false, 'a bad token never opens the socket');
  assert.equal(await upgradeStatus(B.host, 'vsn=2.0.0&token=not-a-token'), 401);
  assert.equal(await upgradeStatus(B.host, 'vsn=2.0.0'), 401, 'no credential');
  assert.equal(await upgradeStatus('nosuchworkspace.localhost', `vsn=2.0.0&token=${B.token}`), 404,
    'a host without a workspace');
  // A token is valid only on its own workspace's host.
  const sub2 = `pjs2-${uniq()}`;
  const other2 = await call(201, 'POST', 'localhost', '/api/v1/signup', {
    body: { workspace_name: 'Elsewhere', subdomain: sub2, email: `eve-${sub2}@example.test`,
      password: PASSWORD, display_name: 'Eve' },
  });
  assert.equal(await upgradeStatus(`${sub2}.localhost`, `vsn=2.0.0&token=${B.token}`), 401,
    "Bob's token on another workspace's host");
  assert.equal(await upgradeStatus(B.host, `vsn=2.0.0&token=${other2.token}`), 401,
    "another workspace's token on Bob's host");
  assert.equal(await upgradeStatus(B.host, `vsn=2.0.0&token=${B.token}`, { origin: 'http://evil.example' }), 403,
    'a foreign Origin');

  // Topic refusals on a good socket.
  const sb = s.connect(B);
  const other = await joinRefused(sb.channel(`user:${A.user.id}`, {}));
  assert.equal(other.code, 'forbidden', JSON.stringify(other));
  assert.equal(typeof other.reason, 'string');

  const missing = await joinRefused(sb.channel('channel:1234567', {}));
  assert.equal(missing.code, 'not_found', JSON.stringify(missing));

  const secret = await call(201, 'POST', A.host, '/api/v1/channels',
    { token: A.token, body: { name: `secret-${uniq()}`, kind: 'private' } });
  const sa = s.connect(A);
  await join(sa.channel(`channel:${secret.id}`, {})); // its member may join
  const hidden = await joinRefused(sb.channel(`channel:${secret.id}`, {}));
  assert.deepEqual(hidden, missing, 'a private channel looks exactly like a missing one');

  // Failed pushes get an error reply {reason, code} and leave the socket up.
  const gen = sb.channel(`channel:${general.id}`, {});
  await join(gen);
  const pushRefused = (event, payload) => withTimeout(new Promise((resolve, reject) => {
    gen.push(event, payload)
      .receive('ok', (r) => reject(new Error(`${event} ${JSON.stringify(payload)} was accepted: ${JSON.stringify(r)}`)))
      .receive('error', resolve)
      .receive('timeout', () => reject(new Error(`${event} timed out`)));
  }), STEP_MS + 1000, `the reply to ${event}`);
  for (const [event, payload] of [
    ['message:send', { body: '   ', client_msg_id: crypto.randomUUID() }],
    ['message:send', { body: 'hi', client_msg_id: crypto.randomUUID(), nonsense: 1 }],
    ['read', {}],
    ['no:such:event', {}],
  ]) {
    const r = await pushRefused(event, payload);
    assert.equal(r.code, 'invalid', `${event} ${JSON.stringify(payload)}: ${JSON.stringify(r)}`);
    assert.equal(typeof r.reason, 'string');
  }
  const tooLong = await pushRefused('message:send', { body: 'x'.repeat(16001), client_msg_id: crypto.randomUUID() });
  assert.equal(tooLong.code, 'too_large', JSON.stringify(tooLong));

  // The socket survived the refusals.
  const own = await join(sb.channel(`user:${B.user.id}`, {}));
  assert.deepEqual(own, {});
  assert.ok(sb.isConnected());
});

rtest('8. heartbeats are answered and the socket stays up across several intervals', async (t) => {
  const s = sockets(t);
  const sa = s.connect(A); // heartbeatIntervalMs: 500
  const trouble = [];
  sa.onError((e) => trouble.push(`error ${e && e.message}`));
  sa.onClose((e) => trouble.push(`close ${e && e.code}`));
  const beats = new Recorder();
  sa.onMessage((m) => {
    if (m.topic === 'phoenix' && m.event === 'phx_reply') beats.add(m.payload);
  });
  await withTimeout(new Promise((resolve) => sa.onOpen(resolve)), STEP_MS, 'the socket to open');
  const rtt = await withTimeout(new Promise((resolve, reject) => {
    if (!sa.ping(resolve)) reject(new Error('ping: the socket is not connected'));
  }), STEP_MS, 'a ping reply');
  assert.ok(rtt >= 0);
  // phoenix.js closes the socket if a heartbeat goes unanswered for one interval.
  await beats.waitFor(() => beats.items.length >= 4, '4 heartbeat replies');
  assert.ok(beats.items.every((p) => p.status === 'ok'), JSON.stringify(beats.items));
  assert.deepEqual(trouble, [], 'no error or close on the socket');
  assert.ok(sa.isConnected());
});

rtest('9. the server logged no errors or panics', async () => {
  const bad = server.log.filter((line) => {
    try {
      return JSON.parse(line).level === 'ERROR';
    } catch {
      return /panic|fatal/i.test(line);
    }
  });
  assert.deepEqual(bad, []);
});
