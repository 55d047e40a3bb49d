/**
 * The copy of unconfirmed edits in localStorage, so a reload, a crash or a closed tab loses
 * nothing (docs/autosave.md), and two tabs never erase each other's (docs/live.md): per tab, as
 * tab-storage.js keeps it.
 *
 * Resending is safe: a create is idempotent by clientId, and an update answered by our own write
 * is recognised. It is apart from the state machine because it is the only part that touches
 * the browser's storage, and its failures (quota, private mode) must never stop saving.
 */

import { PATCH_FIELD } from "./autosave-state.js";
import { TabStorage } from "./tab-storage.js";

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
export class UnsavedEdits extends TabStorage {
  constructor(settings) {
    super(settings, (record) => Boolean(record.key && PATCH_FIELD[record.category]));
  }

  /** Replace this tab's stored copy with these goals (none: remove it). */
  save(entries) {
    super.save(entries.map(storedRecord));
  }
}
