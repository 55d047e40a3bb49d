/**
 * The copy of unconfirmed edits in localStorage, so a reload, a crash or a closed tab loses
 * nothing (SPEC §7), and two tabs never erase each other's (SPEC §12).
 *
 * Resending is safe: a create is idempotent by clientId, and an update answered by our own write
 * is recognised. It is apart from the state machine because it is the only part that touches
 * the browser's storage, and its failures (quota, private mode) must never stop saving.
 *
 * Every tab (every page load) writes only its own key, `<storageKey>.tab.<tabId>`, and holds the
 * Web Lock `goalpost.tab.<tabId>` for as long as it lives; the browser releases it when the tab
 * closes, reloads or crashes. A tab that opens adopts the entries whose lock nobody holds (their
 * tab is gone), and waits for the locks of the tabs still open (and of tabs that open later,
 * seen through `storage` events), adopting their entries if they die first. Adopting happens while holding the dead tab's lock: the entries move into the
 * adopting tab's own key (written first, so a crash in between duplicates and never loses) and
 * the dead tab's key is removed, so exactly one tab resends them. The bare `<storageKey>` is the
 * single shared key of earlier versions: it is adopted the same way, once.
 *
 * Without Web Locks (an insecure context) a tab cannot tell a dead tab from a live one: it then
 * adopts only its own and the old shared entries, and the others wait for a browser with locks.
 */

import { PATCH_FIELD } from "./autosave-state.js";

const TAB_ID = globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;
const locks = globalThis.navigator?.locks ?? null;

/** The lock this tab holds for its whole life; resolves once it is held. */
const tabLockHeld = locks
  ? new Promise((held) => {
      locks.request(tabLock(TAB_ID), () => {
        held();
        return new Promise(() => {}); // never released: the browser does it when the tab goes
      });
    })
  : Promise.resolve();

function tabLock(tabId) {
  return `goalpost.tab.${tabId}`;
}

/** What localStorage keeps of one goal: enough to resend it after a reload. */
function storedRecord(entry) {
  const { key, category, clientId, id, version, everSent } = entry;
  return {
    key,
    category,
    clientId,
    id,
    version,
    everSent,
    delete: entry.delete,
    patch: entry.unsaved,
  };
}

/** `settings` is the AutoSaver: its `storage` and `storageKey` are read at each use. */
export class UnsavedEdits {
  constructor(settings) {
    this._settings = settings;
    this._watching = new AbortController();
    this._watched = new Set(); // other tabs' keys whose lock this saver waits for
  }

  get _ownKey() {
    return `${this._settings.storageKey}.tab.${TAB_ID}`;
  }

  /** Replace this tab's stored copy with these goals (none: remove it). */
  save(entries) {
    const { storage, storageKey } = this._settings;
    if (!storage || !storageKey) return;
    const records = entries.map(storedRecord);
    try {
      if (records.length === 0) storage.removeItem(this._ownKey);
      else storage.setItem(this._ownKey, JSON.stringify(records));
    } catch (error) {
      console.warn("could not keep unsaved edits in storage", error); // quota, private mode
    }
  }

  /**
   * Bring back what this tab, a dead tab or an earlier version left: `adopt(records)` takes
   * them in (and saves them under this tab's key) before their old key is removed. Entries of
   * tabs still open are adopted later, by `adoptLater(records)`, if their tab dies first.
   */
  async restore(adopt, adoptLater) {
    const { storage, storageKey } = this._settings;
    if (!storage || !storageKey) return;
    await tabLockHeld; // from now on no other tab takes this tab's entries
    adopt(this._read(this._ownKey)); // an earlier saver of this tab (a period switch and back)
    await this._adoptUnder(`goalpost.unsaved-v1.${storageKey}`, storageKey, adopt);
    const prefix = `${storageKey}.tab.`;
    const foreign = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith(prefix) && key !== this._ownKey) foreign.push(key);
    }
    for (const key of foreign) {
      const lock = tabLock(key.slice(prefix.length));
      if (!(await this._adoptUnder(lock, key, adopt))) this._adoptWhenFree(lock, key, adoptLater);
    }
    // A tab that opens later, and keeps entries, shows up as a storage event.
    globalThis.addEventListener?.(
      "storage",
      (event) => {
        const key = event.key;
        if (event.storageArea !== storage || event.newValue === null) return;
        if (!key?.startsWith(prefix) || key === this._ownKey) return;
        this._adoptWhenFree(tabLock(key.slice(prefix.length)), key, adoptLater);
      },
      { signal: this._watching.signal },
    );
  }

  /** No more adopting for this saver (it is closed). */
  stop() {
    this._watching.abort();
  }

  /** Adopt `key`'s records if `lock` is free now; false if its tab (or an adopter) holds it. */
  async _adoptUnder(lock, key, adopt) {
    if (!locks) {
      // No way to tell a live tab from a dead one: only the old shared key is taken.
      if (!key.includes(".tab.")) this._move(key, adopt);
      return true;
    }
    return locks.request(lock, { ifAvailable: true }, (held) => {
      if (held === null) return false;
      this._move(key, adopt);
      return true;
    });
  }

  /** Wait for a live tab's lock: granted when that tab is gone, then adopt what it left. */
  _adoptWhenFree(lock, key, adopt) {
    if (!locks || this._watched.has(key)) return;
    this._watched.add(key);
    locks
      .request(lock, { signal: this._watching.signal }, () => {
        this._watched.delete(key);
        this._move(key, adopt);
      })
      .catch(() => {}); // aborted: this saver was closed
  }

  _move(key, adopt) {
    const records = this._read(key);
    if (records.length > 0) adopt(records);
    try {
      this._settings.storage.removeItem(key);
    } catch {
      // A storage that cannot remove cannot have kept much either.
    }
  }

  /** The records under `key`; anything unreadable counts as nothing. */
  _read(key) {
    try {
      const records = JSON.parse(this._settings.storage.getItem(key) ?? "[]");
      return Array.isArray(records)
        ? records.filter((r) => r && r.key && PATCH_FIELD[r.category])
        : [];
    } catch {
      return [];
    }
  }
}
