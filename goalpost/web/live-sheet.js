/**
 * What the goal sheet does with live changes (docs/live.md): keep the cards and the team view up
 * to date with changes made elsewhere — another person, another tab, another device.
 *
 * A notice is a poke: it says which goal changed and its version now. A version the page has
 * already (its own save, answered before the notice came) costs nothing. Otherwise the page
 * reads its goals again (`myGoals`, one request however many notices came meanwhile) and hands
 * each newer goal to the auto-saver, which follows it when nothing of this page waits, and holds
 * the page's edits in a version conflict at once when something does (autosave.js
 * `changedElsewhere`). A supervisor's team view is read again when a report's goal changed.
 * While a save (or a decision) is in flight nothing is read: its answer may bring the version,
 * and the notices are looked at again when it is back (`wake`).
 */

export class SheetFollower {
  /**
   * @param {object} init
   * @param {import("./autosave.js").AutoSaver} init.saver
   * @param {string} init.meId the signed-in person: a goal unknown here created by them is theirs
   * @param {() => Promise<object[]>} init.loadGoals the period's own goals (`myGoals`)
   * @param {(goal: object) => void} init.onNewGoal a goal created elsewhere, now tracked
   * @param {() => import("./review.js").TeamView|null} init.team the supervisor's view, if any
   */
  constructor({ saver, meId, loadGoals, onNewGoal, team }) {
    Object.assign(this, { saver, meId, loadGoals, onNewGoal, team });
    this.mine = new Map(); // goalId -> the newest version a notice announced
    this.reports = new Map(); // the same, for the team view's goals
    this.everything = false;
    this.running = false;
    this.again = false;
    this.closed = false;
  }

  /** One notice (from the socket, or read back while catching up). */
  notice({ goalId, kind, version, actorId }) {
    if (this.closed) return;
    const key = this._keyOf(goalId);
    const team = this.team();
    if (key !== null) {
      if (this._known(key, version)) return;
      this.mine.set(goalId, Math.max(version, this.mine.get(goalId) ?? 0));
    } else if (team?.versionOf(goalId) != null) {
      if (team.versionOf(goalId) >= version) return;
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
  resync() {
    this.everything = true;
    this.wake();
  }

  /** Look at the waiting notices again (a save or a decision came back). */
  wake() {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this._run()
      .catch((error) => console.error("live changes: refreshing failed", error))
      .finally(() => {
        this.running = false;
      });
  }

  close() {
    this.closed = true;
  }

  // -- refreshing -------------------------------------------------------------------------------

  async _run() {
    do {
      this.again = false;
      if (this.closed) return;
      if (this.everything || this._mineDue()) await this._refreshMine();
      const team = this.team();
      if (team && !this.closed && (this.everything || this._reportsDue(team))) {
        const due = [...this.reports.keys()];
        await team.refresh();
        for (const goalId of due) this.reports.delete(goalId);
      }
      this.everything = false;
    } while (this.again);
  }

  /** Notices of own goals whose version is not here yet, unless a save's answer may bring it. */
  _mineDue() {
    for (const [goalId, version] of this.mine) {
      const key = this._keyOf(goalId);
      if (key !== null && this._known(key, version)) this.mine.delete(goalId);
    }
    return this.mine.size > 0 && !this.saver.inFlight;
  }

  _reportsDue(team) {
    for (const [goalId, version] of this.reports) {
      if ((team.versionOf(goalId) ?? -1) >= version) this.reports.delete(goalId);
    }
    return this.reports.size > 0 && !team.busy;
  }

  async _refreshMine() {
    const due = [...this.mine.keys()];
    const goals = await this.loadGoals();
    if (this.closed) return;
    for (const goalId of due) this.mine.delete(goalId);
    const onServer = new Set();
    for (const goal of goals) {
      onServer.add(goal.clientId);
      if (this.saver.has(goal.clientId)) {
        this.saver.changedElsewhere(goal.clientId, goal);
      } else {
        this.saver.track(goal);
        this.onNewGoal(goal);
      }
    }
    for (const [key, state] of this.saver.states()) {
      if (state.id !== null && !onServer.has(key)) this.saver.changedElsewhere(key, null);
    }
  }

  _known(key, version) {
    const known = this.saver.state(key).version;
    return known !== null && known >= version;
  }

  _keyOf(goalId) {
    for (const [key, state] of this.saver.states()) if (state.id === goalId) return key;
    return null;
  }
}
