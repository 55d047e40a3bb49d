/**
 * What the goal sheet does with live changes (docs/live.md): keep the cards and the team view up
 * to date with changes made elsewhere — another person, another tab, another device.
 *
 * A notice is a poke: it says which goal changed and its version now. A version the page has
 * already (its own save, answered before the notice came) costs nothing. Otherwise the page
 * reads its goals again (`myGoals`, one request however many notices came meanwhile) and hands
 * each newer goal to the auto-saver, which follows it when nothing of this page waits, and holds
 * the page's edits in a version conflict at once when something does (the saver's
 * `changedElsewhere`, docs/autosave.md). A supervisor's team view is read again when a report's
 * goal changed. While a save (or a decision) is in flight nothing is read: its answer may bring
 * the version, and the notices are looked at again when it is back (`wake`).
 */
import type { AutoSaver, LiveNotice } from "@goalpost/client";

import type { SheetGoal } from "./api.js";

/** What the follower asks of the page's auto-saver. */
export type FollowedSaver = Pick<AutoSaver, "has" | "keys" | "keyOf" | "state" | "track" | "changedElsewhere" | "sending">;

/** What the follower asks of a supervisor's team view (review.ts's TeamView). */
export interface FollowedTeam {
  /** The version of a report's goal the view shows; null (or undefined) when it has none. */
  versionOf(goalId: string): number | null | undefined;
  /** A decision is in flight: its answer may bring the goal's new version. */
  readonly busy: boolean;
  /** Read the team's goals again, updating the view in place. */
  refresh(): Promise<unknown>;
}

export interface SheetFollowerOptions {
  readonly saver: FollowedSaver;
  /** The signed-in person: a goal unknown here created by them is theirs. */
  readonly meId: string;
  /** The period's own goals (`myGoals`). */
  readonly loadGoals: () => Promise<readonly SheetGoal[]>;
  /** A goal created elsewhere, now tracked: its card appears. */
  readonly onNewGoal: (goal: SheetGoal) => void;
  /** The supervisor's view, if any (asked each time: it comes and goes with the period). */
  readonly team: () => FollowedTeam | null;
}

export class SheetFollower {
  private readonly saver: FollowedSaver;
  private readonly meId: string;
  private readonly loadGoals: () => Promise<readonly SheetGoal[]>;
  private readonly onNewGoal: (goal: SheetGoal) => void;
  private readonly team: () => FollowedTeam | null;
  /** goalId -> the newest version a notice announced, for the page's own goals. */
  private readonly mine = new Map<string, number>();
  /** Those of `mine` whose notice said DELETED. */
  private readonly deleted = new Set<string>();
  /** The same, for the team view's goals. */
  private readonly reports = new Map<string, number>();
  private everything = false;
  private running = false;
  private again = false;
  private closed = false;

  constructor(options: SheetFollowerOptions) {
    this.saver = options.saver;
    this.meId = options.meId;
    this.loadGoals = options.loadGoals;
    this.onNewGoal = options.onNewGoal;
    this.team = options.team;
  }

  /** One notice (from the socket, or read back while catching up). */
  notice({ goalId, kind, version, actorId }: LiveNotice): void {
    if (this.closed) {
      return;
    }
    const key = this.saver.keyOf(goalId);
    const team = this.team();
    const shown = team?.versionOf(goalId) ?? null;
    if (key !== null) {
      if (this.known(key, version)) {
        return;
      }
      this.mine.set(goalId, Math.max(version, this.mine.get(goalId) ?? 0));
      if (kind === "DELETED") {
        this.deleted.add(goalId); // this page's delete in flight, or one made elsewhere
      }
    } else if (shown !== null) {
      if (shown >= version) {
        return;
      }
      this.reports.set(goalId, version);
    } else if (kind === "DELETED") {
      return; // a goal this page never showed, gone already
    } else if (actorId === this.meId) {
      this.mine.set(goalId, version); // created in another tab (or this page's create in flight)
    } else {
      this.reports.set(goalId, version); // a report's new goal
    }
    this.wake();
  }

  /** Reconnected without knowing where it stopped: read everything again. */
  resync(): void {
    this.everything = true;
    this.wake();
  }

  /** Look at the waiting notices again (a save or a decision came back). */
  wake(): void {
    if (this.closed) {
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.run()
      .catch((error: unknown) => {
        console.error("live changes: refreshing failed", error);
      })
      .finally(() => {
        this.running = false;
      });
  }

  close(): void {
    this.closed = true;
  }

  // -- refreshing -------------------------------------------------------------------------------

  /** Rounds until no wake came during one; a round reads what is due. */
  private async run(): Promise<void> {
    // A wake from a save's event comes while the saver still counts that request in flight
    // (its answer is being applied): look once it is done.
    await Promise.resolve();
    this.again = true;
    while (this.takeAgain() && !this.isClosed()) {
      if (this.everything || this.mineDue()) {
        await this.refreshMine();
      }
      const team = this.team();
      if (team && !this.isClosed() && (this.everything || this.reportsDue(team))) {
        const due = [...this.reports.keys()];
        await team.refresh();
        for (const goalId of due) {
          this.reports.delete(goalId);
        }
      }
      this.everything = false;
    }
  }

  private takeAgain(): boolean {
    const again = this.again;
    this.again = false;
    return again;
  }

  /** Read afresh after an await (a property test there would be narrowed by the one before). */
  private isClosed(): boolean {
    return this.closed;
  }

  /** Notices of own goals whose version is not here yet, unless a save's answer may bring it. */
  private mineDue(): boolean {
    for (const [goalId, version] of this.mine) {
      const key = this.saver.keyOf(goalId);
      // Known here already; or deleted and gone from here (this page's delete, whose notice
      // came before its answer): nothing to read either way.
      if (key !== null ? this.known(key, version) : this.deleted.has(goalId)) {
        this.mine.delete(goalId);
        this.deleted.delete(goalId);
      }
    }
    return this.mine.size > 0 && !this.saver.sending;
  }

  private reportsDue(team: FollowedTeam): boolean {
    for (const [goalId, version] of this.reports) {
      if ((team.versionOf(goalId) ?? -1) >= version) {
        this.reports.delete(goalId);
      }
    }
    return this.reports.size > 0 && !team.busy;
  }

  private async refreshMine(): Promise<void> {
    const due = [...this.mine.keys()];
    const goals = await this.loadGoals();
    if (this.closed) {
      return;
    }
    for (const goalId of due) {
      this.mine.delete(goalId);
      this.deleted.delete(goalId);
    }
    const onServer = new Set<string>();
    for (const goal of goals) {
      onServer.add(goal.clientId);
      if (this.saver.has(goal.clientId)) {
        this.saver.changedElsewhere(goal.clientId, goal);
      } else {
        this.saver.track(goal);
        this.onNewGoal(goal);
      }
    }
    for (const key of this.saver.keys()) {
      if (this.saver.state(key).id !== undefined && !onServer.has(key)) {
        this.saver.changedElsewhere(key, null); // deleted elsewhere
      }
    }
  }

  private known(key: string, version: number): boolean {
    const known = this.saver.state(key).version;
    return known !== undefined && known >= version;
  }

}
