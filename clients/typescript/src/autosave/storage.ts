/**
 * Unconfirmed edits kept in a Web Storage (localStorage) until the server confirms them, per
 * tab, so a reload, a crash or a closed tab loses nothing and two tabs never erase each other's
 * (docs/autosave.md, "Browser"). The same keys and records as the plain-JS sheet used, so
 * entries the plain-JS sheet left are taken over.
 *
 * Every tab (every page load) writes only its own key, `<storageKey>.tab.<tabId>`, and holds the
 * Web Lock `goalpost.tab.<tabId>` for as long as it lives. A tab that opens adopts the entries
 * whose lock nobody holds (their tab is gone) and waits for the locks of tabs still open,
 * adopting their entries if they die first. Without Web Locks (Node, an insecure context) a
 * tab cannot tell a dead tab from a live one: it adopts only its own and the old shared
 * `<storageKey>` entries. Storage failures (quota, private mode) never stop saving.
 */
import type { GoalCategory } from "../generated/graphql.js";
import { randomHex } from "./ids.js";
import { isCategory, type AnyPatch } from "./patches.js";
import type { TrackedGoal } from "./state.js";

/** The part of the Web Storage API the saver uses (`localStorage` has it). */
export type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem" | "key" | "length">;

/** What storage keeps of one goal: enough to resend it after a reload. */
export interface StoredRecord {
  readonly key: string;
  readonly category: GoalCategory;
  readonly clientId: string;
  readonly id: string | null;
  readonly version: number | null;
  readonly everSent: boolean;
  readonly delete: boolean;
  readonly patch: AnyPatch;
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
  request<T>(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => T | Promise<T>,
  ): Promise<T>;
}

const TAB_ID = randomHex(32);
const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks ?? null;

function tabLock(tabId: string): string {
  return `goalpost.tab.${tabId}`;
}

/** The lock this tab holds for its whole life; resolves once it is held. */
let tabLockHeld: Promise<void> | undefined;
function holdTabLock(): Promise<void> {
  tabLockHeld ??= locks
    ? new Promise<void>((held) => {
        void locks.request(tabLock(TAB_ID), () => {
          held();
          return new Promise<never>(() => undefined); // released by the browser when the tab goes
        });
      })
    : Promise.resolve();
  return tabLockHeld;
}

export function storedRecord(entry: TrackedGoal): StoredRecord {
  const { key, category, clientId, id, version, everSent } = entry;
  return { key, category, clientId, id, version, everSent, delete: entry.delete, patch: { ...(entry.sent ?? {}), ...entry.pending } };
}

/** A stored goal record, as the saver wrote it (anything else in storage is dropped). */
export function isStoredRecord(value: unknown): value is StoredRecord {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const r = value as Partial<StoredRecord>;
  return typeof r.key === "string" && typeof r.clientId === "string" && isCategory(r.category) && typeof r.patch === "object";
}

/**
 * One tab's stored records, and the adopting of those of tabs that are gone. The saver keeps
 * goal records (StoredRecord); a page may keep its own kind too (the goal sheet's review
 * decisions), with `usable` telling its records from anything else found in storage.
 */
export class TabStorage<R = StoredRecord> {
  private readonly watching = new AbortController();
  private readonly watched = new Set<string>();

  constructor(
    private readonly storage: StorageLike,
    private readonly storageKey: string,
    private readonly usable: (value: unknown) => value is R,
  ) {}

  private get ownKey(): string {
    return `${this.storageKey}.tab.${TAB_ID}`;
  }

  /** Replace this tab's stored records with these (none: remove them). */
  save(records: readonly R[]): void {
    try {
      if (records.length === 0) {
        this.storage.removeItem(this.ownKey);
      } else {
        this.storage.setItem(this.ownKey, JSON.stringify(records));
      }
    } catch (error) {
      console.warn(`could not keep ${this.storageKey} in storage`, error); // quota, private mode
    }
  }

  /**
   * Bring back what this tab, a dead tab or an earlier version left: `adopt(records)` takes them
   * in (and saves them under this tab's key) before their old key is removed. Entries of tabs
   * still open are adopted later, by `adoptLater(records)`, if their tab dies first.
   */
  async restore(adopt: (records: R[]) => void, adoptLater: (records: R[]) => void): Promise<void> {
    await holdTabLock(); // from now on no other tab takes this tab's entries
    adopt(this.read(this.ownKey));
    await this.adoptUnder(`goalpost.unsaved-v1.${this.storageKey}`, this.storageKey, adopt);
    const prefix = `${this.storageKey}.tab.`;
    const foreign: string[] = [];
    for (let i = 0; i < this.storage.length; i += 1) {
      const key = this.storage.key(i);
      if (key?.startsWith(prefix) && key !== this.ownKey) {
        foreign.push(key);
      }
    }
    for (const key of foreign) {
      const lock = tabLock(key.slice(prefix.length));
      if (!(await this.adoptUnder(lock, key, adopt))) {
        this.adoptWhenFree(lock, key, adoptLater);
      }
    }
    // A tab that opens later, and keeps entries, shows up as a storage event.
    const page = globalThis as Partial<Pick<Window, "addEventListener">>; // Node has no window
    page.addEventListener?.(
      "storage",
      (event: Event) => {
        const { key, storageArea, newValue } = event as StorageEvent;
        if ((storageArea as unknown) !== this.storage || newValue === null) {
          return;
        }
        if (!key?.startsWith(prefix) || key === this.ownKey) {
          return;
        }
        this.adoptWhenFree(tabLock(key.slice(prefix.length)), key, adoptLater);
      },
      { signal: this.watching.signal },
    );
  }

  /** No more adopting (the saver is closed). */
  stop(): void {
    this.watching.abort();
  }

  /** Adopt `key`'s records if `lock` is free now; false if its tab (or an adopter) holds it. */
  private async adoptUnder(lock: string, key: string, adopt: (records: R[]) => void): Promise<boolean> {
    if (!locks) {
      if (!key.includes(".tab.")) {
        this.move(key, adopt); // only the old shared key: a live tab cannot be told from a dead one
      }
      return true;
    }
    return locks.request(lock, { ifAvailable: true }, (held) => {
      if (held === null) {
        return false;
      }
      this.move(key, adopt);
      return true;
    });
  }

  /** Wait for a live tab's lock: granted when that tab is gone, then adopt what it left. */
  private adoptWhenFree(lock: string, key: string, adopt: (records: R[]) => void): void {
    if (!locks || this.watched.has(key)) {
      return;
    }
    this.watched.add(key);
    locks
      .request(lock, { signal: this.watching.signal }, () => {
        this.watched.delete(key);
        this.move(key, adopt);
      })
      .catch(() => undefined); // aborted: stop() was called
  }

  private move(key: string, adopt: (records: R[]) => void): void {
    const records = this.read(key);
    if (records.length > 0) {
      adopt(records);
    }
    try {
      this.storage.removeItem(key);
    } catch {
      // A storage that cannot remove cannot have kept much either.
    }
  }

  /** The records under `key`; anything unreadable counts as nothing. */
  private read(key: string): R[] {
    try {
      const records: unknown = JSON.parse(this.storage.getItem(key) ?? "[]");
      return Array.isArray(records) ? records.filter(this.usable) : [];
    } catch {
      return [];
    }
  }
}
