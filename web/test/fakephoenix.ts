// A fake of the phoenix client for the unit tests: channels record their joins (params evaluated at each join, as
// phoenix does) and pushes, and a test replies to joins and emits events. Use it with
//   vi.mock("phoenix", async () => (await import("./fakephoenix")).phoenix);
// and read the channels a test made from `fake.channels`.
export type Cb = (payload: unknown) => void;

export class FakePush {
  hooks: Record<string, Cb[]> = {};
  receive(status: string, cb: Cb) {
    (this.hooks[status] ??= []).push(cb);
    return this;
  }
  reply(status: string, payload: unknown) {
    this.hooks[status]?.forEach((cb) => cb(payload));
  }
}

export class FakeChannel {
  handlers: Record<string, Cb[]> = {};
  joins: unknown[] = [];
  joinPush = new FakePush();
  pushes: { event: string; payload: unknown }[] = [];
  left = false;
  params: () => unknown;
  constructor(readonly topic: string, params: unknown) {
    this.params = typeof params === "function" ? (params as () => unknown) : () => params ?? {};
    fake.channels.push(this);
  }
  on(ev: string, cb: Cb) {
    (this.handlers[ev] ??= []).push(cb);
  }
  onError() {}
  onClose() {}
  join() {
    this.joins.push(this.params());
    return this.joinPush;
  }
  /** What phoenix does after a reconnect: resend the same join push, with params evaluated again. */
  rejoin(reply: unknown) {
    this.joins.push(this.params());
    this.joinPush.reply("ok", reply);
  }
  leave() {
    this.left = true;
  }
  push(event: string, payload: unknown) {
    this.pushes.push({ event, payload });
    return new FakePush();
  }
  emit(ev: string, payload: unknown) {
    this.handlers[ev]?.forEach((cb) => cb(payload));
  }
}

export const fake = { channels: [] as FakeChannel[] };

/** The module phoenix exports, faked. */
export const phoenix = {
  Socket: class {
    channel(topic: string, params: unknown) {
      return new FakeChannel(topic, params);
    }
    connect() {}
    disconnect() {}
    onOpen() {}
    onError() {}
    onClose() {}
    isConnected() {
      return true;
    }
    connectionState() {
      return "open";
    }
  },
  Presence: class {
    onSync() {}
    list() {
      return [];
    }
  },
};
