/**
 * The history panel of a goal (docs/history.md): a collapsible list of its events, oldest first,
 * with who, when, the version, the fields changed (before → after) and a review's comment.
 *
 * Loaded when a panel is opened, not with the sheet: one request reads the history of every
 * goal of the period the panel belongs to (`myGoals` or `teamGoals`), which the server answers
 * with one SELECT for all of them, so opening many panels never costs a request per goal, and
 * panels opened while it is under way share it.
 */
import type { GoalEventKind } from "@goalpost/client";

import { describeError, type Competency, type SheetApi } from "./api.js";
import { el } from "./cards.js";
import {
  MyGoalHistoryDocument,
  TeamGoalHistoryDocument,
  type EventFieldsFragment,
} from "./generated/graphql.js";

/** One event of a goal's history. */
export type HistoryEvent = EventFieldsFragment;

/** Whose goals a loader reads: the caller's own, or their reports'. */
export type HistoryScope = "mine" | "team";

const KIND_TEXT: Readonly<Record<GoalEventKind, string>> = {
  CREATED: "Created",
  UPDATED: "Updated",
  DELETED: "Deleted",
  SUBMITTED: "Submitted",
  APPROVED: "Approved",
  RETURNED: "Returned",
};

export interface HistoryLoaderInit {
  readonly api: Pick<SheetApi, "client">;
  readonly orgSlug: string;
  readonly periodId: string;
  readonly scope: HistoryScope;
}

/** Reads the histories of one period's goals, one request for all open panels at a time. */
export class HistoryLoader {
  readonly api: Pick<SheetApi, "client">;
  readonly orgSlug: string;
  readonly periodId: string;
  readonly scope: HistoryScope;
  private loading: Promise<Map<string, readonly HistoryEvent[]>> | null = null;

  constructor({ api, orgSlug, periodId, scope }: HistoryLoaderInit) {
    this.api = api;
    this.orgSlug = orgSlug;
    this.periodId = periodId;
    this.scope = scope;
  }

  /** A goal's events, read fresh (the goal may have changed since the last look). */
  async historyOf(goalId: string): Promise<readonly HistoryEvent[] | null> {
    this.loading ??= this.load().finally(() => {
      this.loading = null;
    });
    const histories = await this.loading;
    return histories.get(goalId) ?? null;
  }

  private async load(): Promise<Map<string, readonly HistoryEvent[]>> {
    const variables = { slug: this.orgSlug, periodId: this.periodId };
    const { client } = this.api;
    const data =
      this.scope === "mine"
        ? await client.execute(MyGoalHistoryDocument, variables)
        : await client.execute(TeamGoalHistoryDocument, variables);
    return new Map(data.organization.period.goals.map((g) => [g.id, g.history]));
  }
}

export interface HistoryPanelInit {
  readonly loader: HistoryLoader;
  /** Asked when the panel opens: null/undefined while the goal is not saved yet. */
  readonly goalId: () => string | null | undefined;
  /** The goal's name for the summary's accessible name ("History of …"). */
  readonly label?: string | undefined;
  /** The organization's competencies: a change of `competencyIds` reads as their names. */
  readonly competencies?: readonly Competency[] | undefined;
}

/**
 * A `<details>` panel; `goalId()` is asked when it opens, so a goal created after the panel
 * was built (a new card saved later) shows its history too.
 */
export class HistoryPanel {
  readonly loader: HistoryLoader;
  readonly goalId: () => string | null | undefined;
  readonly competencies: readonly Competency[];
  readonly element: HTMLDetailsElement;
  private readonly body = el("div", { className: "history-body", "aria-live": "polite" });
  private readonly summary = el("summary", {}, "History");

  constructor({ loader, goalId, label, competencies = [] }: HistoryPanelInit) {
    this.loader = loader;
    this.goalId = goalId;
    this.competencies = competencies;
    if (label !== undefined) this.setLabel(label);
    this.element = el("details", { className: "history" }, this.summary, this.body);
    this.element.addEventListener("toggle", () => {
      if (this.element.open) void this.refresh();
    });
  }

  setLabel(label: string): void {
    this.summary.setAttribute("aria-label", `History of ${label}`);
  }

  /** Read the goal's history and show it; a failure is shown in the panel, not thrown. */
  async refresh(): Promise<void> {
    const goalId = this.goalId();
    if (!goalId) {
      this.body.replaceChildren(el("p", { className: "history-note" }, "Not saved yet."));
      return;
    }
    this.element.dataset.loading = "true";
    this.body.replaceChildren(el("p", { className: "history-note" }, "Loading history…"));
    try {
      const events = await this.loader.historyOf(goalId);
      this.render(events ?? []);
    } catch (error) {
      const text = `Could not load the history ${describeError(error)}`;
      this.body.replaceChildren(el("p", { className: "error-text" }, text));
    } finally {
      delete this.element.dataset.loading;
    }
  }

  render(events: readonly HistoryEvent[]): void {
    if (events.length === 0) {
      const text = "No changes recorded yet.";
      this.body.replaceChildren(el("p", { className: "history-note" }, text));
      return;
    }
    const items = events.map((event) => this.event(event));
    this.body.replaceChildren(el("ol", { className: "history-events" }, ...items));
  }

  private event(event: HistoryEvent): HTMLLIElement {
    const head = el(
      "p",
      { className: "history-head" },
      el("strong", { className: "history-kind" }, KIND_TEXT[event.kind]),
      ` · version ${String(event.version)} · ${event.actor.name} · `,
      el("time", { datetime: event.at }, formatTime(event.at)),
    );
    const item = el("li", { className: "history-event", dataset: { kind: event.kind } }, head);
    if (event.comment) {
      item.append(el("p", { className: "history-comment" }, `Comment: ${event.comment}`));
    }
    if (event.changes.length) {
      const changes = event.changes.map((c) =>
        el(
          "li",
          { dataset: { field: c.field } },
          el("span", { className: "history-field" }, c.field),
          `: ${this.value(c.field, c.before)} → ${this.value(c.field, c.after)}`,
        ),
      );
      item.append(el("ul", { className: "history-changes" }, ...changes));
    }
    return item;
  }

  /** Values as a person reads them: text in quotes, competencies by name, unset as "—". */
  private value(field: string, value: unknown): string {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return `“${value}”`;
    if (field === "competencyIds" && Array.isArray(value)) {
      return value
        .map((id: unknown) => this.competencies.find((c) => c.id === id)?.name ?? String(id))
        .join(", ");
    }
    return JSON.stringify(value);
  }
}

/** UTC, to the minute: the same text whatever the viewer's time zone. */
export function formatTime(at: string): string {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
