/**
 * The copy of unconfirmed edits in localStorage, so a reload resends them (SPEC §7).
 *
 * Resending is safe: a create is idempotent by clientId, and an update answered by our own write
 * is recognised. It is apart from the state machine because it is the only part that touches
 * the browser's storage, and its failures (quota, private mode) must never stop saving.
 */

import { PATCH_FIELD } from "./autosave-state.js";

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
  }

  /** Replace the stored copy with these goals (none: remove it). */
  save(entries) {
    const { storage, storageKey } = this._settings;
    if (!storage || !storageKey) return;
    const records = entries.map(storedRecord);
    try {
      if (records.length === 0) storage.removeItem(storageKey);
      else storage.setItem(storageKey, JSON.stringify(records));
    } catch (error) {
      console.warn("could not keep unsaved edits in storage", error); // quota, private mode
    }
  }

  /** The records a previous page left; anything unreadable counts as nothing. */
  load() {
    const { storage, storageKey } = this._settings;
    if (!storage || !storageKey) return [];
    try {
      const records = JSON.parse(storage.getItem(storageKey) ?? "[]");
      return Array.isArray(records)
        ? records.filter((r) => r && r.key && PATCH_FIELD[r.category])
        : [];
    } catch {
      return [];
    }
  }
}
