// The websocket client: connects to /ws on the page's own host, subscribes,
// remembers the last change sequence seen, and reconnects with backoff asking
// the server to replay from there (`since`).
//
// The server's promise: every change in scope arrives once per connection,
// in seq order (a replay first, then live), or a `resync` says why not.
// Changes are deduplicated by seq across connections. Derived messages
// (metrics, coverage, emerging: topics) carry the seq of the newest change
// they reflect, which a change has already used: they are applied, never
// deduplicated against changes.

const MIN_DELAY_MS = 1000;
const MAX_DELAY_MS = 30000;

// The derived topics the map subscribes to.
export const TOPICS = ['metrics', 'coverage', 'emerging'];
const DERIVED = new Set(TOPICS);

export function wsURL(loc = window.location) {
  const proto = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${loc.host}/ws`;
}

export class LiveClient {
  // handlers: onHello(msg), onChange(msg), onResync(reason), onState('open'|'closed'),
  // onReplayed(msg) after a replay (msg.count changes, msg.since..msg.seq).
  constructor(handlers, { url = wsURL(), subscription = { topics: TOPICS } } = {}) {
    this.h = handlers;
    this.url = url;
    this.subscription = subscription;
    // lastSeq: the newest change seen; helloSeq: the server's sequence when
    // we first connected (taken as the last one it had issued). `since` is
    // lastSeq, or helloSeq while no change has arrived.
    this.lastSeq = null;
    this.helloSeq = null;
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.stopped = false;
    // Set after a resync; if the server asks again before any change arrives,
    // the `since` we keep sending is too old for it, so drop it.
    this.resyncPending = false;
    this.replays = []; // {since, seq, count}: for the console and tests
    this.derived = {}; // topic → {n, seq}: derived messages applied
  }

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
  }

  // setSubscription changes what the server sends (areas, bbox) and re-sends it.
  setSubscription(sub) {
    this.subscription = sub;
    this._subscribe();
  }

  _subscribe() {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    const msg = { type: 'subscribe', ...this.subscription };
    const since = this.lastSeq ?? this.helloSeq;
    if (since !== null) msg.since = since;
    this.ws.send(JSON.stringify(msg));
  }

  _connect() {
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this._schedule();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.h.onState?.('open');
      this._subscribe();
    });
    ws.addEventListener('message', (ev) => {
      if (this.ws !== ws) return;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      this._dispatch(msg);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.h.onState?.('closed');
      if (!this.stopped) this._schedule();
    });
    // 'error' is always followed by 'close'; nothing to do here.
  }

  _dispatch(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'hello') {
      this.attempt = 0;
      const known = this.lastSeq ?? this.helloSeq;
      if (Number.isFinite(msg.seq)) {
        if (known !== null && msg.seq < known) {
          // The server's sequence went backwards (a restart or a new database):
          // what we hold may be stale and `since` means nothing to it.
          this.lastSeq = null;
          this.helloSeq = msg.seq;
          this.h.onHello?.(msg);
          this.h.onResync?.();
          return;
        }
        if (this.helloSeq === null) this.helloSeq = msg.seq;
      }
      this.h.onHello?.(msg);
      return;
    }
    if (msg.type === 'replayed') {
      this.replays.push({ since: msg.since, seq: msg.seq, count: msg.count });
      if (this.replays.length > 20) this.replays.shift();
      if (Number.isFinite(msg.seq) && (this.lastSeq === null || msg.seq > this.lastSeq)) this.lastSeq = msg.seq;
      this.h.onReplayed?.(msg);
      return;
    }
    if (msg.type === 'goaway') {
      // The server is restarting: reconnect soon (to any instance), with since.
      this.attempt = 0;
      this.goAwayMS = Number.isFinite(msg.retry_ms) ? msg.retry_ms : 1000;
      return;
    }
    if (DERIVED.has(msg.type)) {
      // Derived figures: applied as they come; their seq is the change
      // they reflect, not a new one.
      this.h.onChange?.(msg);
      const d = this.derived[msg.type] || { n: 0, seq: 0 };
      this.derived[msg.type] = { n: d.n + 1, seq: Math.max(d.seq, msg.seq || 0) };
      return;
    }
    if (msg.type === 'resync') {
      // A since the server no longer holds, or asked twice in a row with no
      // change between: start afresh.
      if (this.resyncPending || msg.reason === 'since_before_retention') {
        this.lastSeq = null;
        this.helloSeq = null;
      }
      this.resyncPending = true;
      this.h.onResync?.(msg.reason);
      // Reconnect at once; the subscribe on open carries `since`.
      const old = this.ws;
      this.ws = null;
      if (old) old.close();
      this.h.onState?.('closed');
      if (!this.stopped) this._connect();
      return;
    }
    if (Number.isFinite(msg.seq)) {
      if (this.lastSeq !== null && msg.seq <= this.lastSeq) return; // replayed twice
      this.lastSeq = msg.seq;
    }
    this.resyncPending = false;
    this.h.onChange?.(msg);
  }

  _schedule() {
    clearTimeout(this.timer);
    if (this.goAwayMS !== undefined) {
      const delay = this.goAwayMS;
      this.goAwayMS = undefined;
      this.timer = setTimeout(() => this._connect(), delay);
      return;
    }
    const base = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    const delay = base * (0.8 + Math.random() * 0.4);
    this.attempt = Math.min(this.attempt + 1, 10);
    this.timer = setTimeout(() => this._connect(), delay);
  }
}
