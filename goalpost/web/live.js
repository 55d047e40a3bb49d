/**
 * Live changes for the goal sheet (docs/live.md): a small `graphql-transport-ws` client for the
 * `goalChanged` subscription, with reconnection and catch-up.
 *
 * The protocol is small enough not to need a library (and the page has no build step):
 * `connection_init` (the token in its payload) → `connection_ack`, then `subscribe`; notices
 * arrive as `next`; the server's `ping` is answered with `pong`. A socket that drops is opened
 * again after an exponential backoff with jitter; once acknowledged, the changes made while it
 * was down are read with `goalChanges(after: <last cursor>)` before the notices that arrived
 * meanwhile, so nothing is missed. A socket the server closed with LIVE_OVERFLOW (it fell
 * behind) is opened again at once, with no backoff, and caught up the same way. Without a cursor yet (no notice before the drop), `onResync`
 * asks the page to read everything again instead.
 */

export const PROTOCOL = "graphql-transport-ws";

const GOAL_CHANGED = `subscription GoalChanged($slug: String!, $periodId: ID!) {
  goalChanged(orgSlug: $slug, periodId: $periodId) { goalId kind version actorId cursor }
}`;

const GOAL_CHANGES = `query GoalChangesSince($slug: String!, $periodId: ID!, $after: String) {
  organization(slug: $slug) {
    period(id: $periodId) {
      goalChanges(after: $after, first: 200) {
        events { goalId kind version actor { id } } cursor hasMore
      }
    }
  }
}`;

// Closed for good: a refused token (4403/4401) or a refused protocol (4406). Anything else
// (a restart, a dropped network, LIVE_OVERFLOW) is worth another try.
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4406]);
// The server closes a socket that fell too far behind with 1013 LIVE_OVERFLOW (docs/live.md):
// nothing is wrong with the server, so the page connects again at once and catches up.
export const OVERFLOW_CLOSE_CODE = 1013;
export const OVERFLOW_REASON = "LIVE_OVERFLOW";
// An error in a `next` that says the subscription itself is wrong: trying again cannot help.
const FINAL_ERROR_CODES = new Set(["ORG_NOT_FOUND", "PERIOD_NOT_FOUND", "UNAUTHENTICATED"]);

/** The WebSocket URL of `/graphql` on the server the page came from (wss: under https). */
export function liveUrl(path = "/graphql") {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}

export class LiveChanges {
  /**
   * @param {object} init
   * @param {import("./api.js").GoalpostApi} init.api its token and `request` (for catch-up)
   * @param {string} init.orgSlug
   * @param {string} init.periodId
   * @param {(notice: {goalId: string, kind: string, version: number, actorId: string,
   *   cursor: string}) => void} init.onNotice each change, from the socket or from catch-up
   * @param {() => void} [init.onResync] reconnected without a cursor: read everything again
   * @param {(state: string) => void} [init.onState] `connecting`, `live`, `retrying`, `stopped`
   */
  constructor({
    api,
    orgSlug,
    periodId,
    onNotice,
    onResync = () => {},
    onState = () => {},
    url = liveUrl(),
    backoffBaseMs = 500,
    backoffMaxMs = 30_000,
    random = Math.random,
    setTimer = (fn, ms) => setTimeout(fn, ms),
    clearTimer = (handle) => clearTimeout(handle),
  }) {
    Object.assign(this, { api, orgSlug, periodId, onNotice, onResync, onState, url });
    Object.assign(this, { backoffBaseMs, backoffMaxMs, random, setTimer, clearTimer });
    this.cursor = null; // the last change seen: catch-up starts after it
    this.socket = null;
    this.attempts = 0;
    this.timer = null;
    this.closed = false;
    this.connections = 0; // acknowledged connections so far; more than one is a reconnection
    this.overflows = 0; // sockets the server closed with LIVE_OVERFLOW (each caught up)
    this.catchingUp = null; // notices that arrived while catching up, delivered after it
    this.state = "stopped";
  }

  start() {
    this._connect();
    return this;
  }

  /** Unsubscribe and close the socket; no reconnection after this. */
  close() {
    this.closed = true;
    this.clearTimer(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ id: "1", type: "complete" }));
    }
    socket?.close(1000, "the page left the period");
    this._setState("stopped");
  }

  // -- the socket -------------------------------------------------------------------------------

  _connect() {
    if (this.closed) return;
    this._setState(this.connections ? "retrying" : "connecting");
    const socket = new WebSocket(this.url, PROTOCOL);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this._send(socket, {
        type: "connection_init",
        payload: { Authorization: `Bearer ${this.api.token}` },
      });
    });
    socket.addEventListener("message", (event) => this._message(socket, event.data));
    socket.addEventListener("close", (event) => this._closed(socket, event.code, event.reason));
  }

  _send(socket, message) {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  _message(socket, data) {
    if (socket !== this.socket) return; // an old socket's last words
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    switch (message.type) {
      case "connection_ack":
        this._acked(socket);
        return;
      case "ping":
        this._send(socket, { type: "pong" });
        return;
      case "next":
        this._next(socket, message.payload);
        return;
      case "error":
        console.error("live changes: the subscription was refused", message.payload);
        this._stop();
        return;
      case "complete":
        socket.close(); // the server ended it (LIVE_OVERFLOW): subscribe again, catch up
        return;
      default:
    }
  }

  _acked(socket) {
    this.attempts = 0;
    const reconnected = this.connections > 0;
    this.connections += 1;
    this._send(socket, {
      id: "1",
      type: "subscribe",
      payload: {
        query: GOAL_CHANGED,
        variables: { slug: this.orgSlug, periodId: this.periodId },
      },
    });
    this._setState("live");
    if (reconnected) this._catchUp(socket);
  }

  _next(socket, payload) {
    const error = payload?.errors?.[0];
    if (error) {
      const code = error.extensions?.code;
      if (FINAL_ERROR_CODES.has(code)) {
        console.error(`live changes: ${code}: ${error.message}`);
        this._stop();
      }
      return; // the `complete` that follows reconnects
    }
    const notice = payload?.data?.goalChanged;
    if (!notice) return;
    if (this.catchingUp) {
      this.catchingUp.push(notice); // after the missed ones, in order
      return;
    }
    this._deliver(notice);
  }

  _deliver(notice) {
    this.cursor = notice.cursor;
    try {
      this.onNotice(notice);
    } catch (error) {
      console.error("live changes: a notice handler failed", error); // the next one may not
    }
  }

  _closed(socket, code, reason) {
    if (socket !== this.socket || this.closed) return;
    this.socket = null;
    this.catchingUp = null;
    if (FINAL_CLOSE_CODES.has(code)) {
      console.error(`live changes: the server closed the socket (${code})`);
      this._stop();
      return;
    }
    const overflow = code === OVERFLOW_CLOSE_CODE || reason === OVERFLOW_REASON;
    if (overflow) this.overflows += 1;
    else this.attempts += 1;
    const delay = overflow
      ? 0
      : Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (this.attempts - 1)) *
        (0.5 + this.random() / 2);
    this._setState("retrying");
    this.timer = this.setTimer(() => {
      this.timer = null;
      this._connect();
    }, delay);
  }

  _stop() {
    this.closed = true;
    this.socket?.close();
    this.socket = null;
    this._setState("stopped");
  }

  _setState(state) {
    this.state = state;
    this.onState(state);
  }

  // -- catching up ------------------------------------------------------------------------------

  /**
   * Read what changed while the socket was down, then the notices that came meanwhile. A
   * failure closes the socket: the next connection tries again from the same cursor.
   */
  async _catchUp(socket) {
    if (this.cursor === null) {
      this.onResync();
      return;
    }
    this.catchingUp = [];
    try {
      let after = this.cursor;
      for (;;) {
        const variables = { slug: this.orgSlug, periodId: this.periodId, after };
        const data = await this.api.request("GoalChangesSince", GOAL_CHANGES, variables);
        const page = data.organization.period.goalChanges;
        if (socket !== this.socket) return; // dropped again: that connection catches up
        for (const event of page.events) {
          const { goalId, kind, version } = event;
          this._deliver({ goalId, kind, version, actorId: event.actor.id, cursor: page.cursor });
        }
        this.cursor = page.cursor;
        after = page.cursor;
        if (!page.hasMore) break;
      }
    } catch (error) {
      if (error.code === "BAD_CURSOR") {
        // The server opens this cursor no more (its cursor secret changed): catching up from
        // it can never work, so read everything again, as after a drop with no cursor.
        this.cursor = null;
        this.catchingUp = null;
        if (socket === this.socket) this.onResync();
        return;
      }
      console.error("live changes: catching up failed", error);
      if (socket === this.socket) socket.close();
      return;
    }
    const waiting = this.catchingUp ?? [];
    this.catchingUp = null;
    for (const notice of waiting) this._deliver(notice);
  }
}
