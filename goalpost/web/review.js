/**
 * The supervisor's view of the sheet (docs/review.md): the goals of their direct reports in the
 * period, read-only, with Approve / Return on the submitted ones. Decisions are queued and sent
 * batched (review-queue.js): many decisions in one cycle are ONE `reviewGoals` request.
 *
 * Also the review note the owner sees on a goal that was returned or approved.
 */

import { el } from "./cards.js";
import { FORM_FIELDS, GOAL_FIELDS, REVIEW_FIELDS } from "./documents.js";
import { HistoryLoader, HistoryPanel, formatTime } from "./history.js";
import { ReviewQueue, storedDecision } from "./review-queue.js";
import { TabStorage } from "./tab-storage.js";

const TEAM_GOALS = `query TeamGoals($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) { teamGoals { ...GoalFields owner { id name email } ${REVIEW_FIELDS} } }
  }
}
${GOAL_FIELDS}`;

const REVIEW_GOALS = `mutation ReviewGoals($input: ReviewGoalsInput!) {
  reviewGoals(input: $input) {
    results {
      __typename
      ... on GoalReviewed { clientId goal { ...GoalFields ${REVIEW_FIELDS} } }
      ... on GoalSaveProblem { clientId code message retryable }
      ... on GoalValidationFailed { fieldErrors { field message } }
      ... on GoalVersionConflict { current { ...GoalFields ${REVIEW_FIELDS} } }
      ... on GoalNotReviewable { status }
    }
    reviewedCount failedCount
  }
}
${GOAL_FIELDS}`;

const CATEGORY_NAME = {
  PERFORMANCE: "Performance goal",
  COMPETENCY: "Competency goal",
  CORE_VALUE: "Core value goal",
};

const GOAL_TYPE_TEXT = { QUANTITATIVE: "Quantitative", QUALITATIVE: "Qualitative" };

const DECISION_TEXT = { APPROVE: "Approve", RETURN: "Return" };

/** "Returned by Carol Chen · 2026-05-04 09:12 UTC: “Make it measurable”" (null: no review). */
export function reviewNote(review) {
  if (!review) return null;
  const verb = review.decision === "RETURN" ? "Returned" : "Approved";
  const note = el(
    "p",
    { className: "review-note", dataset: { decision: review.decision } },
    el("strong", {}, `${verb} by ${review.reviewer?.name ?? "your supervisor"}`),
    " · ",
    el("time", { datetime: review.reviewedAt }, formatTime(review.reviewedAt)),
  );
  if (review.comment) {
    note.append(": ", el("q", { className: "review-comment" }, review.comment));
  }
  return note;
}

/** Put the goal's review note under a card's head (the owner's sheet), or take it away. */
export function showReviewNote(cardElement, review) {
  cardElement.querySelector(":scope > .review-note")?.remove();
  const note = reviewNote(review);
  if (note) cardElement.querySelector(":scope > header")?.after(note);
}

/**
 * Whether `goal`, as the server has it now, shows this decision made by this reviewer after the
 * version it was made at: our own decision whose answer was lost (a crash, a dropped
 * connection), sent again. Its version conflict is no conflict: the decision was taken.
 */
export function decisionShown(item, goal, reviewerId) {
  const review = goal?.review;
  const status = item.decision === "APPROVE" ? "APPROVED" : "REJECTED";
  return (
    Boolean(review) &&
    goal.version > (item.expectedVersion ?? goal.version) &&
    goal.status === status &&
    review.decision === item.decision &&
    (review.comment ?? null) === (item.comment ?? null) &&
    review.reviewer?.id === reviewerId
  );
}

export class TeamView {
  /**
   * @param {object} init
   * @param {import("./api.js").GoalpostApi} init.api
   * @param {{slug: string, competencies: object[]}} init.org
   * @param {{id: string, status: string}} init.period
   * @param {{id: string}} init.me the supervisor
   * @param {HTMLElement} init.root the page's team section
   * @param {Storage|null} [init.storage] where decisions not answered yet survive a crash
   * @param {{debounceMs?: number, maxWaitMs?: number}} init.options the auto-save windows
   */
  constructor({ api, org, period, me, root, storage = null, options = {} }) {
    Object.assign(this, { api, org, period, me, root });
    this.open = period.status === "ACTIVE";
    this.rows = new Map();
    this.onIdle = () => {}; // a decision came back (the live changes look again)
    this.history = new HistoryLoader({
      api,
      orgSlug: org.slug,
      periodId: period.id,
      scope: "team",
    });
    this.queue = new ReviewQueue({
      send: (items, opts) => this._send(items, opts),
      onState: (goalId, state, message) => this._onState(goalId, state, message),
      onResult: (goalId, result) => this.rows.get(goalId)?.showResult(this._settled(result)),
      onIdle: () => this.onIdle(),
      storage: new TabStorage(
        { storage, storageKey: `goalpost.review.v1.${me.id}.${org.slug}.${period.id}` },
        (record) => storedDecision(record) !== null,
      ),
      debounceMs: options.debounceMs,
      maxWaitMs: options.maxWaitMs,
    });
  }

  /** Read the reports' goals; the section stays hidden for someone who supervises nobody. */
  async load() {
    const variables = { slug: this.org.slug, periodId: this.period.id };
    const data = await this.api.request("TeamGoals", TEAM_GOALS, variables);
    const goals = data.organization.period.teamGoals;
    this._render(goals);
    this.root.hidden = goals.length === 0;
  }

  /**
   * Send the decisions a tab that crashed or was killed left unanswered (or this tab's, from
   * before a period switch); call after `load()`, so their results have rows to show on.
   */
  restore() {
    return this.queue.restore();
  }

  /** The version of a report's goal shown here, or null for a goal not shown. */
  versionOf(goalId) {
    return this.rows.get(goalId)?.goal.version ?? null;
  }

  /** A decision is in flight: its answer may bring the goal's new version. */
  get busy() {
    return Boolean(this.queue.inFlight);
  }

  /**
   * Read the reports' goals again (a live change): rows whose goal changed show it in place;
   * a goal added or deleted redraws the view. Either way a comment being typed is kept.
   */
  async refresh() {
    const variables = { slug: this.org.slug, periodId: this.period.id };
    const data = await this.api.request("TeamGoals", TEAM_GOALS, variables);
    const goals = data.organization.period.teamGoals;
    const same = goals.length === this.rows.size && goals.every((g) => this.rows.has(g.id));
    if (!same) {
      this._redrawKeepingComments(goals);
      this.root.hidden = goals.length === 0;
      return;
    }
    for (const goal of goals) {
      const row = this.rows.get(goal.id);
      if (goal.version > row.goal.version) row.setGoal(goal);
    }
  }

  /** Redraw with the rows of `goals`; comments being typed (and the focus) stay where they were. */
  _redrawKeepingComments(goals) {
    const typed = new Map();
    for (const [goalId, row] of this.rows) {
      if (row.comment?.value) typed.set(goalId, row.comment.value);
    }
    const focused = document.activeElement?.id;
    this._render(goals);
    for (const [goalId, text] of typed) {
      const row = this.rows.get(goalId);
      if (row?.comment) row.comment.value = text;
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  flush() {
    return this.queue.flush();
  }

  flushOnHide() {
    this.queue.flushOnHide();
  }

  /** Send what is queued, then stop (leaving the period, the org, or signing out).
   * Returns how many decisions could not be sent (the server was unreachable). */
  async close() {
    await this.queue.close();
    return this.queue.size;
  }

  decide(goal, decision, comment) {
    this.queue.decide(goal, decision, comment);
  }

  cancel(goalId) {
    this.queue.cancel(goalId);
  }

  async _send(items, { keepalive = false } = {}) {
    const input = { orgSlug: this.org.slug, periodId: this.period.id, items };
    const data = await this.api.request("ReviewGoals", REVIEW_GOALS, { input }, { keepalive });
    return data.reviewGoals;
  }

  /** A conflict that shows our own decision taken (its answer was lost) is that decision. */
  _settled(result) {
    if (result.__typename !== "GoalVersionConflict") return result;
    if (!decisionShown(result.item, result.current, this.me.id)) return result;
    return { ...result, __typename: "GoalReviewed", goal: result.current };
  }

  _onState(goalId, state, message) {
    this.rows.get(goalId)?.setDecisionState(state, message);
    this._renderWaiting();
  }

  _renderWaiting() {
    const waiting = this.queue.size;
    this.waiting.textContent =
      waiting === 0 ? "No decisions waiting" : `${waiting} decision(s) waiting to be sent`;
    this.waiting.dataset.count = String(waiting);
    this.sendButton.disabled = waiting === 0;
  }

  _render(goals) {
    this.rows.clear();
    this.sendButton = el("button", { type: "button", className: "send-decisions" });
    this.sendButton.textContent = "Send decisions";
    this.sendButton.addEventListener("click", () => this.flush());
    this.waiting = el("output", { className: "decisions-waiting", "aria-live": "polite" });
    this.waiting.setAttribute("aria-label", "Decisions waiting");
    const head = el(
      "header",
      { className: "category-head" },
      el("h2", { id: "team-title" }, "Team goals"),
      this.waiting,
      this.open ? this.sendButton : null,
    );
    const intro = el(
      "p",
      { className: "team-intro" },
      this.open
        ? "Your direct reports' goals. Approve or return the submitted ones: decisions made " +
            "close together are sent in one request."
        : `${this.period.name} is ${this.period.status.toLowerCase()}: goals are read-only.`,
    );
    const groups = [];
    for (const [owner, owned] of byOwner(goals)) {
      const rows = owned.map((goal) => new TeamGoalRow({ goal, owner, view: this }));
      for (const row of rows) this.rows.set(row.goal.id, row);
      groups.push(
        el(
          "section",
          { className: "team-owner", dataset: { owner: owner.email } },
          el("h3", {}, `${owner.name} (${owner.email})`),
          el("div", { className: "cards" }, ...rows.map((row) => row.element)),
        ),
      );
    }
    this.root.replaceChildren(head, intro, ...groups);
    this._renderWaiting();
  }
}

function byOwner(goals) {
  const groups = new Map();
  for (const goal of goals) {
    const key = goal.owner.id;
    if (!groups.has(key)) groups.set(key, [goal.owner, []]);
    groups.get(key)[1].push(goal);
  }
  return [...groups.values()];
}

/** One report's goal: its fields read-only, its review, its history, and the decision. */
class TeamGoalRow {
  constructor({ goal, owner, view }) {
    Object.assign(this, { goal, owner, view });
    this.heading = el("h4", { id: `team-goal-${goal.id}` });
    this.statusChip = el("span", { className: "goal-status" });
    this.decisionState = el("span", { className: "decision-state", dataset: { state: "idle" } });
    this.fields = el("dl", { className: "team-fields" });
    this.message = el("p", { className: "card-message decision-message", "aria-live": "polite" });
    this.decisionBox = this._decisionBox();
    this.history = new HistoryPanel({
      loader: view.history,
      goalId: () => this.goal.id,
      competencies: view.org.competencies,
    });
    this.element = el(
      "article",
      {
        className: "card team-goal",
        "aria-labelledby": this.heading.id,
        dataset: { goalId: goal.id, clientId: goal.clientId, owner: owner.email },
      },
      el("header", { className: "card-head" }, this.heading, this.statusChip, this.decisionState),
      this.fields,
      this.decisionBox,
      this.message,
      this.history.element,
    );
    this._render();
  }

  /** Named like the owner's card: the title, or the competencies chosen. */
  get label() {
    const goal = this.goal;
    if (goal.category === "PERFORMANCE" && goal.title) return goal.title;
    const names = goal.category === "COMPETENCY" ? this._competencyNames() : [];
    if (names.length) return `${CATEGORY_NAME.COMPETENCY}: ${names.join(", ")}`;
    return CATEGORY_NAME[goal.category];
  }

  _competencyNames() {
    const competencies = this.view.org.competencies;
    return (this.goal.competencyIds ?? []).map(
      (id) => competencies.find((c) => c.id === id)?.name ?? id,
    );
  }

  get decidable() {
    return this.view.open && this.goal.status === "SUBMITTED" && !this.gone;
  }

  /** The server's goal after a decision or a conflict; the owner is not sent again. */
  setGoal(goal) {
    this.goal = { ...this.goal, ...goal };
    this._render();
  }

  setDecisionState(state, message = null) {
    const queued = this.view.queue.decisionOn(this.goal.id);
    const text = {
      idle: "",
      pending: queued ? `${DECISION_TEXT[queued]}: waiting to be sent` : "",
      sending: "Sending…",
      error: "Not sent yet",
    }[state];
    this.decisionState.dataset.state = state;
    this.decisionState.textContent = text ?? "";
    this.cancelButton.hidden = !(state === "pending" || state === "error");
    for (const button of [this.approveButton, this.returnButton]) {
      button.disabled = state === "sending" || !this.decidable;
    }
    if (state === "error") this.message.textContent = `${message ?? ""} Use “Send decisions”.`;
    else if (state !== "idle") this.message.textContent = "";
  }

  /** What the server said about this goal's decision. */
  showResult(result) {
    this.decisionState.dataset.state = "done";
    this.cancelButton.hidden = true;
    const decided = DECISION_TEXT[result.item.decision].toLowerCase();
    switch (result.__typename) {
      case "GoalReviewed":
        this.setGoal(result.goal);
        this.comment.value = "";
        this._decided(result.goal.status === "APPROVED" ? "Approved." : "Returned.");
        return;
      case "GoalVersionConflict":
        this.setGoal(result.current);
        this._failed(
          "conflict",
          `Not ${decided}d: ${this.owner.name} changed this goal since you loaded it ` +
            `(now version ${result.current.version}, ${result.current.status.toLowerCase()}).` +
            (this.decidable ? " Look at it again and decide." : ""),
        );
        return;
      case "GoalNotReviewable":
        this.setGoal({ status: result.status });
        this._failed(
          "error",
          `Not ${decided}d: the goal is ${result.status.toLowerCase()}, not submitted.`,
        );
        return;
      case "GoalValidationFailed":
        this._failed("error", "");
        this._commentError(
          (result.fieldErrors ?? []).map((e) => e.message).join(" ") || result.message,
        );
        return;
      case "GoalNotFound":
        this.gone = true; // not a report's goal (any more): nothing to decide here
        this._render();
        this._failed("error", `Not ${decided}d: ${result.message}`);
        return;
      default:
        this._failed("error", `Not ${decided}d (${result.code}): ${result.message}`);
    }
  }

  _decided(text) {
    this.decisionState.textContent = text;
    this.message.textContent = "";
  }

  _failed(state, text) {
    this.decisionState.dataset.state = state;
    this.decisionState.textContent = state === "conflict" ? "Changed meanwhile" : "Not decided";
    this.message.textContent = text;
  }

  _decisionBox() {
    const commentId = `review-comment-${this.goal.id}`;
    this.comment = el("textarea", {
      id: commentId,
      rows: 2,
      "aria-describedby": `${commentId}-error`,
      autocomplete: "off",
    });
    this.comment.addEventListener("input", () => this._commentError(""));
    this.commentErrorText = el("p", { id: `${commentId}-error`, className: "field-error" });
    this.approveButton = el("button", { type: "button", className: "approve" }, "Approve");
    this.returnButton = el("button", { type: "button", className: "return" }, "Return");
    this.cancelButton = el("button", { type: "button", className: "cancel", hidden: true });
    this.cancelButton.textContent = "Cancel decision";
    this.approveButton.addEventListener("click", () => this._decide("APPROVE"));
    this.returnButton.addEventListener("click", () => this._decide("RETURN"));
    this.cancelButton.addEventListener("click", () => this.view.cancel(this.goal.id));
    return el(
      "div",
      { className: "decision" },
      el(
        "div",
        { className: "field field-comment" },
        el("label", { for: commentId }, "Comment (needed to return)"),
        this.comment,
        this.commentErrorText,
      ),
      el(
        "div",
        { className: "decision-buttons" },
        this.approveButton,
        this.returnButton,
        this.cancelButton,
      ),
    );
  }

  _decide(decision) {
    const comment = this.comment.value.trim() || null;
    if (decision === "RETURN" && comment === null) {
      this._commentError(`Write a comment to return this goal: tell ${this.owner.name} why.`);
      this.comment.focus();
      return;
    }
    this._commentError("");
    this.view.decide(this.goal, decision, comment);
  }

  _commentError(text) {
    this.commentErrorText.textContent = text;
    this.comment.toggleAttribute("aria-invalid", Boolean(text));
  }

  _render() {
    const goal = this.goal;
    this.element?.setAttribute("data-status", goal.status);
    this.element?.setAttribute("data-version", String(goal.version));
    this.heading.textContent = this.label;
    this.statusChip.textContent = goal.status.toLowerCase();
    this.statusChip.dataset.status = goal.status;
    this.decisionBox.hidden = !this.decidable;
    const label = `${this.label} (${this.owner.name})`;
    this.approveButton.setAttribute("aria-label", `Approve ${label}`);
    this.returnButton.setAttribute("aria-label", `Return ${label}`);
    this.cancelButton.setAttribute("aria-label", `Cancel decision on ${label}`);
    this.approveButton.disabled = this.returnButton.disabled = !this.decidable;
    this._renderFields();
    this.element?.querySelector(":scope > .review-note")?.remove();
    const note = reviewNote(goal.review);
    if (note) this.fields.before(note);
  }

  _renderFields() {
    const goal = this.goal;
    const rows = [[CATEGORY_NAME[goal.category], `weight ${goal.weight}`]];
    if (goal.category === "COMPETENCY") {
      rows.push(["Competencies", this._competencyNames().join(", ")]);
      for (const selection of goal.selectedIdealActions ?? []) {
        const name = this.view.org.competencies.find((c) => c.id === selection.competencyId);
        rows.push([`Ideal actions: ${name?.name ?? ""}`, selection.actions.join("; ")]);
      }
    }
    for (const field of FORM_FIELDS[goal.category]) {
      const value = goal[field.name];
      rows.push([field.label, field.kind === "select" ? (GOAL_TYPE_TEXT[value] ?? value) : value]);
    }
    this.fields.replaceChildren(
      ...rows.flatMap(([term, value]) => [
        el("dt", {}, term),
        el("dd", {}, value === null || value === undefined || value === "" ? "—" : String(value)),
      ]),
    );
  }
}
