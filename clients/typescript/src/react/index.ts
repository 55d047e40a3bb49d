/**
 * `@goalpost/client/react`: `useGoalAutoSave`, the AutoSaver of docs/autosave.md in a React
 * component. A separate entry so the core package never imports React (React is an optional
 * peer dependency, needed only here).
 *
 * One saver per (client, orgSlug, periodId): created and `load()`ed when the component mounts,
 * `close()`d (which flushes what is pending) when it unmounts or one of the three changes. The
 * close waits a microtask, so StrictMode's mount → unmount → mount keeps the same saver: no
 * second saver, no second load, no edit sent twice.
 */
import { useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";

import type { GoalCategory } from "../generated/graphql.js";
import type { Patch } from "../autosave/patches.js";
import { AutoSaver, type AutoSaverClient, type AutoSaverOptions } from "../autosave/saver.js";
import type { GoalSaveState } from "../autosave/state.js";

export interface UseGoalAutoSaveOptions extends AutoSaverOptions {
  /** A `GoalpostClient` (or anything with its save, load and live methods). */
  readonly client: AutoSaverClient;
}

/** Whether the saver's `load()` is under way, done, or failed (`error` says why). */
export type LoadStatus = "loading" | "ready" | "error";

/** What the component renders: every tracked goal with its save state, in the saver's order. */
export interface GoalAutoSaveSnapshot {
  readonly goals: readonly GoalSaveState[];
  readonly status: LoadStatus;
  readonly error: unknown;
}

/** The saver's actions, bound to the current saver (stable while it lives, safe to destructure). */
export interface GoalAutoSaveActions {
  readonly add: <C extends GoalCategory>(category: C, fields?: Patch<C>) => string;
  readonly edit: <C extends GoalCategory>(key: string, category: C, patch: Patch<C>) => void;
  readonly delete: (key: string) => void;
  readonly retry: (key?: string) => void;
  readonly resolveConflict: (key: string, keep: "mine" | "theirs") => void;
  readonly flush: () => Promise<void>;
}

export interface GoalAutoSave extends GoalAutoSaveSnapshot, GoalAutoSaveActions {
  /** The saver itself (`requestsSent`, `live`, `state(key)`…); null before the first mount. */
  readonly saver: AutoSaver | null;
}

const NOT_MOUNTED: GoalAutoSaveSnapshot = Object.freeze({ goals: [], status: "loading", error: null });

/**
 * The goals of one period with their save states, re-rendering on every saver event, and the
 * saver's actions. Options other than `client`, `orgSlug` and `periodId` are read when the saver
 * is created (a change of them alone does not make a new saver).
 */
export function useGoalAutoSave(options: UseGoalAutoSaveOptions): GoalAutoSave {
  const { client, orgSlug, periodId } = options;
  const latestOptions = useRef(options);
  latestOptions.current = options;
  const kept = useRef<SaverView | null>(null);
  const [view, setView] = useState<SaverView | null>(null);

  useEffect(() => {
    const reused = kept.current?.serves(client, orgSlug, periodId) ? kept.current : null;
    const current = reused ?? new SaverView(client, latestOptions.current);
    current.keepOpen();
    kept.current = current;
    setView(current);
    return () => {
      current.closeSoon(() => {
        if (kept.current === current) {
          kept.current = null;
        }
      });
    };
  }, [client, orgSlug, periodId]);

  // Until the effect has made the saver of a new (client, org, period), show none, not the old one.
  const active = view?.isFor(client, orgSlug, periodId) ? view : null;
  const snapshot = useSyncExternalStore(
    active?.subscribe ?? noSubscription,
    active?.getSnapshot ?? notMounted,
    active?.getSnapshot ?? notMounted,
  );
  const actions = useMemo(() => bindActions(active?.saver ?? null), [active]);
  return { ...snapshot, ...actions, saver: active?.saver ?? null };
}

/** One saver and the immutable snapshot `useSyncExternalStore` reads, rebuilt on each event. */
class SaverView {
  readonly saver: AutoSaver;
  private readonly listeners = new Set<() => void>();
  private snapshot: GoalAutoSaveSnapshot;
  private status: LoadStatus = "loading";
  private error: unknown = null;
  private closing = false;

  constructor(
    private readonly client: AutoSaverClient,
    options: UseGoalAutoSaveOptions,
  ) {
    this.saver = new AutoSaver(client, options);
    this.snapshot = this.read();
    this.saver.subscribe(() => {
      this.changed();
    });
    this.saver.load().then(
      () => {
        this.status = "ready";
        this.changed();
      },
      (error: unknown) => {
        this.status = "error";
        this.error = error;
        this.changed();
      },
    );
  }

  isFor(client: AutoSaverClient, orgSlug: string, periodId: string): boolean {
    return this.client === client && this.saver.orgSlug === orgSlug && this.saver.periodId === periodId;
  }

  /** Can be mounted again: the same three, and not closed yet. */
  serves(client: AutoSaverClient, orgSlug: string, periodId: string): boolean {
    return this.isFor(client, orgSlug, periodId) && !this.saver.closed;
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  readonly getSnapshot = (): GoalAutoSaveSnapshot => this.snapshot;

  /** Mounted (again): a close scheduled by the unmount just before is called off. */
  keepOpen(): void {
    this.closing = false;
  }

  /** Unmounted: close (flushing what is pending) unless mounted again within this microtask. */
  closeSoon(onClose: () => void): void {
    this.closing = true;
    queueMicrotask(() => {
      if (this.closing) {
        onClose();
        void this.saver.close();
      }
    });
  }

  private changed(): void {
    this.snapshot = this.read();
    for (const listener of this.listeners) {
      listener();
    }
  }

  private read(): GoalAutoSaveSnapshot {
    const goals = this.saver.keys().map((key) => this.saver.state(key));
    return { goals, status: this.status, error: this.error };
  }
}

function noSubscription(): () => void {
  return () => undefined;
}

function notMounted(): GoalAutoSaveSnapshot {
  return NOT_MOUNTED;
}

function bindActions(saver: AutoSaver | null): GoalAutoSaveActions {
  const live = (): AutoSaver => {
    if (saver === null) {
      throw new Error("useGoalAutoSave: the saver is created when the component mounts");
    }
    return saver;
  };
  return {
    add: (category, fields) => live().add(category, fields),
    edit: (key, category, patch) => {
      live().edit(key, category, patch);
    },
    delete: (key) => {
      live().delete(key);
    },
    retry: (key) => {
      live().retry(key);
    },
    resolveConflict: (key, keep) => {
      live().resolveConflict(key, keep);
    },
    flush: () => live().flush(),
  };
}
