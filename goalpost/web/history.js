/**
 * The history panel of a goal (docs/history.md): a collapsible list of its events, oldest first,
 * with who, when, the version, the fields changed (before → after) and a review's comment.
 *
 * Loaded when a panel is opened, not with the sheet: one request reads the history of every
 * goal of the period the panel belongs to (`myGoals` or `teamGoals`), which the server answers
 * with one SELECT for all of them, so opening many panels never costs a request per goal, and
 * panels opened while it is under way share it.
 */

import { el } from "./cards.js";
import { EVENT_FIELDS } from "./documents.js";

const HISTORY_QUERIES = {
  mine: `query MyGoalHistory($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) { goals: myGoals { id history { ${EVENT_FIELDS} } } }
  }
}`,
  team: `query TeamGoalHistory($slug: String!, $periodId: ID!) {
  organization(slug: $slug) {
    period(id: $periodId) { goals: teamGoals { id history { ${EVENT_FIELDS} } } }
  }
}`,
};

const OPERATION = { mine: "MyGoalHistory", team: "TeamGoalHistory" };

const KIND_TEXT = {
  CREATED: "Created",
  UPDATED: "Updated",
  DELETED: "Deleted",
  SUBMITTED: "Submitted",
  APPROVED: "Approved",
  RETURNED: "Returned",
};

/** Reads the histories of one period's goals, one request for all open panels at a time. */
export class HistoryLoader {
  /** @param {"mine"|"team"} scope whose goals: the caller's own, or their reports' */
  constructor({ api, orgSlug, periodId, scope }) {
    Object.assign(this, { api, orgSlug, periodId, scope });
    this.loading = null;
  }

  /** A goal's events, read fresh (the goal may have changed since the last look). */
  async historyOf(goalId) {
    this.loading ??= this._load().finally(() => {
      this.loading = null;
    });
    const histories = await this.loading;
    return histories.get(goalId) ?? null;
  }

  async _load() {
    const variables = { slug: this.orgSlug, periodId: this.periodId };
    const query = HISTORY_QUERIES[this.scope];
    const data = await this.api.request(OPERATION[this.scope], query, variables);
    return new Map(data.organization.period.goals.map((g) => [g.id, g.history]));
  }
}

/**
 * A `<details>` panel; `goalId()` is asked when it opens, so a goal created after the panel
 * was built (a new card saved later) shows its history too.
 */
export class HistoryPanel {
  constructor({ loader, goalId, label, competencies = [] }) {
    Object.assign(this, { loader, goalId, competencies });
    this.body = el("div", { className: "history-body", "aria-live": "polite" });
    this.summary = el("summary", {}, "History");
    this.summary.setAttribute("aria-label", `History of ${label}`);
    this.element = el("details", { className: "history" }, this.summary, this.body);
    this.element.addEventListener("toggle", () => {
      if (this.element.open) this.refresh();
    });
  }

  setLabel(label) {
    this.summary.setAttribute("aria-label", `History of ${label}`);
  }

  async refresh() {
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
      const text = `Could not load the history (${error.code ?? "error"}): ${error.message}`;
      this.body.replaceChildren(el("p", { className: "error-text" }, text));
    } finally {
      delete this.element.dataset.loading;
    }
  }

  render(events) {
    if (events.length === 0) {
      const text = "No changes recorded yet.";
      this.body.replaceChildren(el("p", { className: "history-note" }, text));
      return;
    }
    const items = events.map((event) => this._event(event));
    this.body.replaceChildren(el("ol", { className: "history-events" }, ...items));
  }

  _event(event) {
    const head = el(
      "p",
      { className: "history-head" },
      el("strong", { className: "history-kind" }, KIND_TEXT[event.kind] ?? event.kind),
      ` · version ${event.version} · ${event.actor.name} · `,
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
          `: ${this._value(c.field, c.before)} → ${this._value(c.field, c.after)}`,
        ),
      );
      item.append(el("ul", { className: "history-changes" }, ...changes));
    }
    return item;
  }

  /** Values as a person reads them: text in quotes, competencies by name, unset as "—". */
  _value(field, value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return `“${value}”`;
    if (field === "competencyIds" && Array.isArray(value)) {
      return value.map((id) => this.competencies.find((c) => c.id === id)?.name ?? id).join(", ");
    }
    return JSON.stringify(value);
  }
}

/** UTC, to the minute: the same text whatever the viewer's time zone. */
export function formatTime(at) {
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return at;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}
