export { AutoSaver, DEFAULT_TIMING, SaverClosed, newClientId, type AutoSaverClient, type AutoSaverOptions } from "./saver.js";
export { PATCH_FIELD, checkPatch, patchApplied, type AnyPatch, type CategoryPatches, type Patch } from "./patches.js";
export { backoffDelay, type Clock, type Timing } from "./pump.js";
export type { AutoSaveEvent, GoalProblem, GoalSaveState, Listener, LiveOutcome, SaveState } from "./state.js";
export type { LiveClient } from "./live.js";
export { TabStorage, isStoredRecord, type StorageLike, type StoredRecord } from "./storage.js";
