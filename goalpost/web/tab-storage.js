/**
 * What a page keeps in localStorage until the server confirms it, per tab, so a reload, a crash
 * or a closed tab loses nothing and two tabs never erase each other's (docs/autosave.md, docs/review.md, docs/live.md).
 * Unconfirmed goal edits (autosave-storage.js) and queued review decisions (review-queue.js)
 * are kept this way; each says which stored records it can use. Its failures (quota, private
 * mode) must never stop sending: the page then works as it would without storage.
 *
 * Every tab (every page load) writes only its own key, `<storageKey>.tab.<tabId>`, and holds the
 * Web Lock `goalpost.tab.<tabId>` for as long as it lives; the browser releases it when the tab
 * closes, reloads or crashes. A tab that opens adopts the entries whose lock nobody holds (their
 * tab is gone), and waits for the locks of the tabs still open (and of tabs that open later,
 * seen through `storage` events), adopting their entries if they die first. Adopting happens
 * while holding the dead tab's lock: the entries move into the adopting tab's own key (written
 * first, so a crash in between duplicates and never loses) and the dead tab's key is removed, so
 * exactly one tab resends them. The bare `<storageKey>` is the single shared key of earlier
 * versions: it is adopted the same way, once.
 *
 * Without Web Locks (an insecure context) a tab cannot tell a dead tab from a live one: it then
 * adopts only its own and the old shared entries, and the others wait for a browser with locks.
 */

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

/** One tab's stored records, and the adopting of those of tabs that are gone. */
export class TabStorage {
  /**
   * @param {{storage: Storage|null, storageKey: string|null}} settings read at each use
   * @param {(record: object) => boolean} usable which stored records to take in (others: dropped)
   */
  constructor(settings, usable) {
    this._settings = settings;
    this._usable = usable;
    this._watching = new AbortController();
    this._watched = new Set(); // other tabs' keys whose lock this tab waits for
  }

  get _ownKey() {
    return `${this._settings.storageKey}.tab.${TAB_ID}`;
  }

  /** Replace this tab's stored records with these (none: remove them). */
  save(records) {
    const { storage, storageKey } = this._settings;
    if (!storage || !storageKey) return;
    try {
      if (records.length === 0) storage.removeItem(this._ownKey);
      else storage.setItem(this._ownKey, JSON.stringify(records));
    } catch (error) {
      console.warn(`could not keep ${storageKey} in storage`, error); // quota, private mode
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
    adopt(this._read(this._ownKey)); // an earlier saver or queue of this tab (a period switch and back)
    // The lock's name dates from when only unsaved edits were kept: it stays what it was.
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

  /** No more adopting for this tab's saver or queue (it is closed). */
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
      .catch(() => {}); // aborted: stop() was called
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
      return Array.isArray(records) ? records.filter((r) => r && this._usable(r)) : [];
    } catch {
      return [];
    }
  }
}
