/**
 * The supervisor's view of the sheet (docs/review.md): the goals of their direct reports in the
 * period, read-only, with Approve / Return on the submitted ones. Decisions are queued and sent
 * batched (review-queue.ts): many decisions in one cycle are ONE `reviewGoals` request.
 *
 * Also the review note the owner sees on a goal that was returned or approved.
 */
import { TabStorage, type GoalCategory, type GoalReviewDecision, type StorageLike } from "@goalpost/client";
import { FORM_FIELDS } from "/web/documents.js";

import type { Competency, Me, Organization, Period, SheetApi, SheetGoal } from "./api.js";
import { el, markInvalid } from "./cards.js";
import { TeamGoalsDocument, type TeamGoalsQuery } from "./generated/graphql.js";
import { HistoryLoader, HistoryPanel, formatTime } from "./history.js";
import {
  ReviewQueue,
  isStoredDecision,
  type DecisionState,
  type ReviewOutcome,
  type StoredDecision,
} from "./review-queue.js";

/** A report's goal as the team view reads it: the goal, its review and its owner. */
export type TeamGoal = TeamGoalsQuery["organization"]["period"]["teamGoals"][number];
export type GoalOwner = TeamGoal["owner"];
/** A goal's review as the server sends it (null: not reviewed). */
export type Review = SheetGoal["review"];

const CATEGORY_NAME: Readonly<Record<GoalCategory, string>> = {
  PERFORMANCE: "Performance goal",
  COMPETENCY: "Competency goal",
  CORE_VALUE: "Core value goal",
};

const GOAL_TYPE_TEXT: ReadonlyMap<unknown, string> = new Map([
  ["QUANTITATIVE", "Quantitative"],
  ["QUALITATIVE", "Qualitative"],
]);

const DECISION_TEXT: Readonly<Record<GoalReviewDecision, string>> = { APPROVE: "Approve", RETURN: "Return" };

/** "Returned by Carol Chen · 2026-05-04 09:12 UTC: “Make it measurable”" (null: no review). */
export function reviewNote(review: Review | undefined): HTMLParagraphElement | null {
  if (!review) {
    return null;
  }
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
export function showReviewNote(cardElement: Element, review: Review | undefined): void {
  cardElement.querySelector(":scope > .review-note")?.remove();
  const note = reviewNote(review);
  if (note) {
    cardElement.querySelector(":scope > header")?.after(note);
  }
}

/**
 * Whether `goal`, as the server has it now, shows this decision made by this reviewer after the
 * version it was made at: our own decision whose answer was lost (a crash, a dropped
 * connection), sent again. Its version conflict is no conflict: the decision was taken.
 */
export function decisionShown(
  item: Pick<StoredDecision, "decision" | "comment" | "expectedVersion">,
  goal: SheetGoal | null | undefined,
  reviewerId: string,
): boolean {
  const review = goal?.review;
  if (!goal || !review) {
    return false;
  }
  const status = item.decision === "APPROVE" ? "APPROVED" : "REJECTED";
  return (
    goal.version > (item.expectedVersion ?? goal.version) &&
    goal.status === status &&
    review.decision === item.decision &&
    review.comment === item.comment &&
    review.reviewer?.id === reviewerId
  );
}

/** The auto-save windows, which decisions share (docs/goal-sheet.md). */
export interface TeamViewOptions {
  readonly debounceMs?: number | undefined;
  readonly maxWaitMs?: number | undefined;
}

export interface TeamViewInit {
  readonly api: SheetApi;
  readonly org: Pick<Organization, "slug" | "competencies">;
  readonly period: Pick<Period, "id" | "name" | "status">;
  /** The supervisor. */
  readonly me: Pick<Me, "id">;
  /** The page's team section. */
  readonly root: HTMLElement;
  /** Where decisions not answered yet survive a crash. */
  readonly storage?: StorageLike | null;
  readonly options?: TeamViewOptions;
}

export class TeamView {
  readonly api: SheetApi;
  readonly org: TeamViewInit["org"];
  readonly period: TeamViewInit["period"];
  readonly me: TeamViewInit["me"];
  readonly root: HTMLElement;
  /** Decisions can be made (an ACTIVE period). */
  readonly open: boolean;
  readonly rows = new Map<string, TeamGoalRow>();
  /** A decision came back (the live changes look again). */
  onIdle: () => void = () => undefined;
  readonly history: HistoryLoader;
  readonly queue: ReviewQueue;
  private readonly sendButton: HTMLButtonElement;
  private readonly waiting: HTMLOutputElement;

  constructor({ api, org, period, me, root, storage = null, options = {} }: TeamViewInit) {
    this.api = api;
    this.org = org;
    this.period = period;
    this.me = me;
    this.root = root;
    this.open = period.status === "ACTIVE";
    this.history = new HistoryLoader({ api, orgSlug: org.slug, periodId: period.id, scope: "team" });
    const storageKey = `goalpost.review.v1.${me.id}.${org.slug}.${period.id}`;
    this.queue = new ReviewQueue({
      send: (items, requestOptions) =>
        api.client.reviewGoals({ orgSlug: org.slug, periodId: period.id, items }, requestOptions),
      onState: (goalId, state, message) => {
        this.onState(goalId, state, message);
      },
      onResult: (goalId, outcome) => {
        this.rows.get(goalId)?.showResult(this.settled(outcome));
      },
      onIdle: () => {
        this.onIdle();
      },
      storage: storage ? new TabStorage<StoredDecision>(storage, storageKey, isStoredDecision) : null,
      debounceMs: options.debounceMs,
      maxWaitMs: options.maxWaitMs,
    });
    // Built once, placed again by each redraw.
    this.sendButton = el("button", { type: "button", className: "send-decisions" }, "Send decisions");
    this.sendButton.addEventListener("click", () => {
      void this.flush();
    });
    this.waiting = el("output", { className: "decisions-waiting", "aria-live": "polite" });
    this.waiting.setAttribute("aria-label", "Decisions waiting");
  }

  /** Read the reports' goals; the section stays hidden for someone who supervises nobody. */
  async load(): Promise<void> {
    const goals = await this.teamGoals();
    this.render(goals);
    this.root.hidden = goals.length === 0;
  }

  /**
   * Send the decisions a tab that crashed or was killed left unanswered (or this tab's, from
   * before a period switch); call after `load()`, so their results have rows to show on.
   */
  restore(): Promise<void> {
    return this.queue.restore();
  }

  /** The version of a report's goal shown here, or null for a goal not shown. */
  versionOf(goalId: string): number | null {
    return this.rows.get(goalId)?.goal.version ?? null;
  }

  /** A decision is in flight: its answer may bring the goal's new version. */
  get busy(): boolean {
    return this.queue.inFlight !== null;
  }

  /**
   * Read the reports' goals again (a live change): rows whose goal changed show it in place;
   * a goal added or deleted redraws the view. Either way a comment being typed is kept.
   */
  async refresh(): Promise<void> {
    const goals = await this.teamGoals();
    const same = goals.length === this.rows.size && goals.every((g) => this.rows.has(g.id));
    if (!same) {
      this.redrawKeepingComments(goals);
      this.root.hidden = goals.length === 0;
      return;
    }
    for (const goal of goals) {
      const row = this.rows.get(goal.id);
      if (row && goal.version > row.goal.version) {
        row.setGoal(goal);
      }
    }
  }

  flush(): Promise<void> {
    return this.queue.flush();
  }

  flushOnHide(): void {
    this.queue.flushOnHide();
  }

  /** Send what is queued, then stop (leaving the period, the org, or signing out).
   * Returns how many decisions could not be sent (the server was unreachable). */
  async close(): Promise<number> {
    await this.queue.close();
    return this.queue.size;
  }

  decide(goal: SheetGoal, decision: GoalReviewDecision, comment: string | null): void {
    this.queue.decide(goal, decision, comment);
  }

  cancel(goalId: string): void {
    this.queue.cancel(goalId);
  }

  private async teamGoals(): Promise<TeamGoal[]> {
    const variables = { slug: this.org.slug, periodId: this.period.id };
    const data = await this.api.client.execute(TeamGoalsDocument, variables);
    return data.organization.period.teamGoals;
  }

  /** Redraw with the rows of `goals`; comments being typed (and the focus) stay where they were. */
  private redrawKeepingComments(goals: readonly TeamGoal[]): void {
    const typed = new Map<string, string>();
    for (const [goalId, row] of this.rows) {
      if (row.comment.value) {
        typed.set(goalId, row.comment.value);
      }
    }
    const focused = document.activeElement?.id;
    this.render(goals);
    for (const [goalId, text] of typed) {
      const row = this.rows.get(goalId);
      if (row) {
        row.comment.value = text;
      }
    }
    if (focused) {
      document.getElementById(focused)?.focus();
    }
  }

  /** A conflict that shows our own decision taken (its answer was lost) is that decision. */
  private settled(outcome: ReviewOutcome): ReviewOutcome {
    if (outcome.__typename !== "GoalVersionConflict") {
      return outcome;
    }
    if (!decisionShown(outcome.item, outcome.current, this.me.id)) {
      return outcome;
    }
    return { __typename: "GoalReviewed", clientId: outcome.clientId, goal: outcome.current, item: outcome.item };
  }

  private onState(goalId: string, state: DecisionState, message?: string): void {
    this.rows.get(goalId)?.setDecisionState(state, message);
    this.renderWaiting();
  }

  private renderWaiting(): void {
    const waiting = this.queue.size;
    this.waiting.textContent =
      waiting === 0 ? "No decisions waiting" : `${String(waiting)} decision(s) waiting to be sent`;
    this.waiting.dataset.count = String(waiting);
    this.sendButton.disabled = waiting === 0;
  }

  private render(goals: readonly TeamGoal[]): void {
    this.rows.clear();
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
    const groups: HTMLElement[] = [];
    for (const [owner, owned] of byOwner(goals)) {
      const rows = owned.map((goal) => new TeamGoalRow(goal, owner, this));
      for (const row of rows) {
        this.rows.set(row.goal.id, row);
      }
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
    this.renderWaiting();
  }
}

/** The goals grouped by owner, owners in the order their first goal comes. */
function byOwner(goals: readonly TeamGoal[]): [GoalOwner, TeamGoal[]][] {
  const groups = new Map<string, [GoalOwner, TeamGoal[]]>();
  for (const goal of goals) {
    const group = groups.get(goal.owner.id);
    if (group) {
      group[1].push(goal);
    } else {
      groups.set(goal.owner.id, [goal.owner, [goal]]);
    }
  }
  return [...groups.values()];
}

/** The competencies' names (an id no longer in the catalog shows as itself). */
function competencyNames(ids: readonly string[], competencies: readonly Competency[]): string[] {
  return ids.map((id) => competencies.find((c) => c.id === id)?.name ?? id);
}

/** A field's value as text: unset shows as "—". */
function shown(value: unknown): string {
  if (value === null || value === undefined || value === "") {
    return "—";
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One report's goal: its fields read-only, its review, its history, and the decision. */
class TeamGoalRow {
  goal: SheetGoal;
  readonly heading: HTMLHeadingElement;
  readonly statusChip = el("span", { className: "goal-status" });
  readonly decisionState = el("span", { className: "decision-state", dataset: { state: "idle" } });
  readonly fields = el("dl", { className: "team-fields" });
  readonly message = el("p", { className: "card-message decision-message", "aria-live": "polite" });
  readonly comment: HTMLTextAreaElement;
  readonly commentErrorText: HTMLParagraphElement;
  readonly approveButton = el("button", { type: "button", className: "approve" }, "Approve");
  readonly returnButton = el("button", { type: "button", className: "return" }, "Return");
  readonly cancelButton = el("button", { type: "button", className: "cancel", hidden: true }, "Cancel decision");
  readonly decisionBox: HTMLDivElement;
  readonly history: HistoryPanel;
  readonly element: HTMLElement;
  /** Not a report's goal (any more): nothing to decide here. */
  private gone = false;

  constructor(
    goal: TeamGoal,
    readonly owner: GoalOwner,
    readonly view: TeamView,
  ) {
    this.goal = goal;
    this.heading = el("h4", { id: `team-goal-${goal.id}` });
    const commentId = `review-comment-${goal.id}`;
    this.comment = el("textarea", {
      id: commentId,
      rows: "2",
      "aria-describedby": `${commentId}-error`,
      autocomplete: "off",
    });
    this.commentErrorText = el("p", { id: `${commentId}-error`, className: "field-error" });
    this.decisionBox = this.buildDecisionBox(commentId);
    this.history = new HistoryPanel({
      loader: view.history,
      goalId: () => this.goal.id,
      label: this.fullLabel,
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
    this.render();
  }

  /** Named like the owner's card: the title, or the competencies chosen. */
  get label(): string {
    const goal = this.goal;
    if (goal.__typename === "PerformanceGoal" && goal.title) {
      return goal.title;
    }
    const names = goal.__typename === "CompetencyGoal" ? this.competencyNames() : [];
    if (names.length) {
      return `${CATEGORY_NAME.COMPETENCY}: ${names.join(", ")}`;
    }
    return CATEGORY_NAME[goal.category];
  }

  /** The label with the owner's name, for the row's buttons and history panel. */
  private get fullLabel(): string {
    return `${this.label} (${this.owner.name})`;
  }

  private competencyNames(): string[] {
    const goal = this.goal;
    return goal.__typename === "CompetencyGoal" ? competencyNames(goal.competencyIds, this.view.org.competencies) : [];
  }

  get decidable(): boolean {
    return this.view.open && this.goal.status === "SUBMITTED" && !this.gone;
  }

  /** The server's goal after a decision, a conflict or a live change. */
  setGoal(goal: SheetGoal): void {
    this.goal = goal;
    this.render();
  }

  setDecisionState(state: DecisionState, message: string | null = null): void {
    const queued = this.view.queue.decisionOn(this.goal.id);
    const text: Record<DecisionState, string> = {
      idle: "",
      pending: queued ? `${DECISION_TEXT[queued]}: waiting to be sent` : "",
      sending: "Sending…",
      error: "Not sent yet",
    };
    this.decisionState.dataset.state = state;
    this.decisionState.textContent = text[state];
    this.cancelButton.hidden = !(state === "pending" || state === "error");
    for (const button of [this.approveButton, this.returnButton]) {
      button.disabled = state === "sending" || !this.decidable;
    }
    if (state === "error") {
      this.message.textContent = `${message ?? ""} Use “Send decisions”.`;
    } else if (state !== "idle") {
      this.message.textContent = "";
    }
  }

  /** What the server said about this goal's decision. */
  showResult(outcome: ReviewOutcome): void {
    this.decisionState.dataset.state = "done";
    this.cancelButton.hidden = true;
    const decided = DECISION_TEXT[outcome.item.decision].toLowerCase();
    switch (outcome.__typename) {
      case "GoalReviewed":
        this.setGoal(outcome.goal);
        this.comment.value = "";
        this.decided(outcome.goal.status === "APPROVED" ? "Approved." : "Returned.");
        return;
      case "GoalVersionConflict": {
        const current = outcome.current;
        this.setGoal(current);
        this.failed(
          "conflict",
          `Not ${decided}d: ${this.owner.name} changed this goal since you loaded it ` +
            `(now version ${String(current.version)}, ${current.status.toLowerCase()}).` +
            (this.decidable ? " Look at it again and decide." : ""),
        );
        return;
      }
      case "GoalNotReviewable":
        this.setGoal({ ...this.goal, status: outcome.status });
        this.failed("error", `Not ${decided}d: the goal is ${outcome.status.toLowerCase()}, not submitted.`);
        return;
      case "GoalValidationFailed":
        this.failed("error", "");
        this.commentError(outcome.fieldErrors.map((e) => e.message).join(" ") || outcome.message);
        return;
      case "GoalNotFound":
        this.gone = true;
        this.render();
        this.failed("error", `Not ${decided}d: ${outcome.message}`);
        return;
      case "GoalSaveFailed":
      case "RequestFailed":
        this.failed("error", `Not ${decided}d (${outcome.code}): ${outcome.message}`);
        return;
      default: {
        // A result this bundle does not know (a newer server): still not decided.
        const unknown: { readonly __typename: string } = outcome;
        this.failed("error", `Not ${decided}d (${unknown.__typename}).`);
      }
    }
  }

  private decided(text: string): void {
    this.decisionState.textContent = text;
    this.message.textContent = "";
  }

  private failed(state: "conflict" | "error", text: string): void {
    this.decisionState.dataset.state = state;
    this.decisionState.textContent = state === "conflict" ? "Changed meanwhile" : "Not decided";
    this.message.textContent = text;
  }

  private buildDecisionBox(commentId: string): HTMLDivElement {
    this.comment.addEventListener("input", () => {
      this.commentError("");
    });
    this.approveButton.addEventListener("click", () => {
      this.decide("APPROVE");
    });
    this.returnButton.addEventListener("click", () => {
      this.decide("RETURN");
    });
    this.cancelButton.addEventListener("click", () => {
      this.view.cancel(this.goal.id);
    });
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
      el("div", { className: "decision-buttons" }, this.approveButton, this.returnButton, this.cancelButton),
    );
  }

  private decide(decision: GoalReviewDecision): void {
    const comment = this.comment.value.trim() || null;
    if (decision === "RETURN" && comment === null) {
      this.commentError(`Write a comment to return this goal: tell ${this.owner.name} why.`);
      this.comment.focus();
      return;
    }
    this.commentError("");
    this.view.decide(this.goal, decision, comment);
  }

  private commentError(text: string): void {
    this.commentErrorText.textContent = text;
    markInvalid(this.comment, Boolean(text));
  }

  private render(): void {
    const goal = this.goal;
    this.element.setAttribute("data-status", goal.status);
    this.element.setAttribute("data-version", String(goal.version));
    this.heading.textContent = this.label;
    this.statusChip.textContent = goal.status.toLowerCase();
    this.statusChip.dataset.status = goal.status;
    this.decisionBox.hidden = !this.decidable;
    const label = this.fullLabel;
    this.approveButton.setAttribute("aria-label", `Approve ${label}`);
    this.returnButton.setAttribute("aria-label", `Return ${label}`);
    this.cancelButton.setAttribute("aria-label", `Cancel decision on ${label}`);
    this.history.setLabel(label);
    this.approveButton.disabled = this.returnButton.disabled = !this.decidable;
    this.renderFields();
    this.element.querySelector(":scope > .review-note")?.remove();
    const note = reviewNote(goal.review);
    if (note) {
      this.fields.before(note);
    }
  }

  private renderFields(): void {
    const goal = this.goal;
    const rows: [string, unknown][] = [[CATEGORY_NAME[goal.category], `weight ${String(goal.weight)}`]];
    if (goal.__typename === "CompetencyGoal") {
      rows.push(["Competencies", this.competencyNames().join(", ")]);
      for (const selection of goal.selectedIdealActions) {
        const name = this.view.org.competencies.find((c) => c.id === selection.competencyId)?.name;
        rows.push([`Ideal actions: ${name ?? ""}`, selection.actions.join("; ")]);
      }
    }
    const values: Readonly<Record<string, unknown>> = goal;
    for (const field of FORM_FIELDS[goal.category]) {
      const value = values[field.name];
      rows.push([field.label, field.kind === "select" ? (GOAL_TYPE_TEXT.get(value) ?? value) : value]);
    }
    this.fields.replaceChildren(...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, shown(value))]));
  }
}
