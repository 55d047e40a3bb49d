/** Goal cards: one editable card per goal, built from plain DOM, labelled for assistive tech. */

import { FORM_FIELDS } from "./documents.js";

export const CATEGORIES = ["PERFORMANCE", "COMPETENCY", "CORE_VALUE"];

const CATEGORY_NAME = {
  PERFORMANCE: "Performance goal",
  COMPETENCY: "Competency goal",
  CORE_VALUE: "Core value goal",
};

const STATE_TEXT = {
  idle: "Up to date",
  pending: "Pending",
  saving: "Saving…",
  saved: "Saved",
  error: "Error",
};

const EDITABLE_STATUSES = new Set(["DRAFT", "REJECTED"]);

const GOAL_TYPES = [
  ["", "Not set"],
  ["QUANTITATIVE", "Quantitative"],
  ["QUALITATIVE", "Qualitative"],
];

// Each category's form fields come from the server's field declarations (documents.js);
// a choice field offers the goal types.
const FIELDS = Object.fromEntries(
  Object.entries(FORM_FIELDS).map(([category, fields]) => [
    category,
    fields.map((field) => (field.kind === "select" ? { ...field, options: GOAL_TYPES } : field)),
  ]),
);

/** The category's fields of a goal as the server sent it (GoalFields). */
export function goalValues(goal) {
  const values = { weight: goal.weight };
  for (const field of FIELDS[goal.category]) values[field.name] = goal[field.name] ?? null;
  if (goal.category === "COMPETENCY") {
    values.competencyIds = [...(goal.competencyIds ?? [])];
    values.selectedIdealActions = (goal.selectedIdealActions ?? []).map((s) => ({
      competencyId: s.competencyId,
      actions: [...s.actions],
    }));
  }
  return values;
}

export function isEditable(status) {
  return status === null || EDITABLE_STATUSES.has(status);
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === "className") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

let uniqueIds = 0;
const nextId = (prefix) => `${prefix}-${++uniqueIds}`;

export class GoalCard {
  /**
   * @param {object} init
   * @param {string} init.key the goal's clientId (the auto-saver's key)
   * @param {string} init.category
   * @param {object} init.values the category's fields, unsaved edits included
   * @param {string|null} init.status DRAFT, REJECTED, ... or null for a goal not yet created
   * @param {{id: string, name: string, idealActions: string[]}[]} init.competencies the org's
   * @param {boolean} init.periodOpen false in a CLOSED period: read-only
   * @param {(patch: object) => void} init.onEdit
   * @param {() => void} init.onDelete
   */
  constructor({ key, category, values, status, competencies, periodOpen, onEdit, onDelete }) {
    Object.assign(this, { key, category, competencies, periodOpen, onEdit, onDelete });
    this.values = { weight: 0, ...values };
    this.status = status;
    this.inputs = new Map();
    this.errors = new Map();
    this.element = this._build();
    this._render();
  }

  get weight() {
    return Number(this.values.weight ?? 0) || 0;
  }

  get editable() {
    return this.periodOpen && isEditable(this.status) && !this.deleting;
  }

  // -- called by the app --------------------------------------------------------------------

  setSaveState(state, message = null) {
    this.badge.dataset.state = state;
    this.badgeText.textContent = STATE_TEXT[state] ?? state;
    this.badge.title = message ?? "";
    this.message.textContent = state === "error" || message ? (message ?? "") : "";
  }

  /** The server's view of the goal after a save: id, version, status. */
  setGoal(goal) {
    if (!goal) return;
    this.element.dataset.goalId = goal.id;
    this.element.dataset.version = String(goal.version);
    this.status = goal.status;
    this._render();
  }

  /** Replace what the inputs show (e.g. with the server's goal after a conflict). */
  setValues(values) {
    this.values = { ...this.values, ...values };
    for (const [name, input] of this.inputs) input.value = displayValue(this.values[name]);
    if (this.competencyBox) this._renderCompetencies();
    this._render();
  }

  /** Mark the fields the server rejected (paths like `performance.title`). */
  setFieldErrors(fieldErrors) {
    let shown = false;
    for (const [name, node] of this.errors) {
      const error = fieldErrors.find((e) => e.field.split(".").pop() === name);
      node.textContent = error ? error.message : "";
      this.inputs.get(name)?.toggleAttribute("aria-invalid", Boolean(error));
      shown ||= Boolean(error);
    }
    if (shown) this.message.textContent = ""; // said next to the field already
  }

  markDeleting() {
    this.deleting = true;
    this.element.classList.add("deleting");
    this._render();
  }

  unmarkDeleting() {
    this.deleting = false;
    this.element.classList.remove("deleting");
    this._render();
  }

  /** For toasts and button names: long titles are cut, not wrapped over the screen. */
  get shortLabel() {
    const label = this.label;
    return label.length > 60 ? `${label.slice(0, 57).trimEnd()}…` : label;
  }

  get label() {
    if (this.category === "PERFORMANCE" && this.values.title) return this.values.title;
    if (this.category === "COMPETENCY") {
      const names = (this.values.competencyIds ?? [])
        .map((id) => this.competencies.find((c) => c.id === id)?.name)
        .filter(Boolean);
      if (names.length) return `${CATEGORY_NAME.COMPETENCY}: ${names.join(", ")}`;
    }
    return this.category === "PERFORMANCE"
      ? "Untitled performance goal"
      : CATEGORY_NAME[this.category];
  }

  // -- building -----------------------------------------------------------------------------

  _build() {
    const headingId = nextId("goal-heading");
    this.heading = el("h3", { id: headingId });
    this.statusChip = el("span", { className: "goal-status" });
    this.badgeText = el("span", {}, STATE_TEXT.idle);
    this.badge = el(
      "span",
      { className: "badge", dataset: { state: "idle" } },
      el("span", { className: "sr-only" }, "Save state: "),
      this.badgeText,
    );
    this.deleteButton = el("button", { type: "button", className: "delete" }, "Delete");
    this.deleteButton.addEventListener("click", () => this.onDelete());
    this.message = el("p", { className: "card-message", "aria-live": "polite" });
    const body = el("div", { className: "fields" });
    for (const field of FIELDS[this.category]) body.append(this._field(field));
    if (this.category === "COMPETENCY") {
      this.competencyBox = el("div", { className: "competencies" });
      body.prepend(this.competencyBox);
      this._renderCompetencies();
    }
    body.append(this._weightField());
    return el(
      "article",
      {
        className: "card",
        "aria-labelledby": headingId,
        dataset: { key: this.key, category: this.category },
      },
      el(
        "header",
        { className: "card-head" },
        this.heading,
        this.statusChip,
        this.badge,
        this.deleteButton,
      ),
      body,
      this.message,
    );
  }

  _field({ name, label, kind, options, parse = (value) => (value === "" ? null : value) }) {
    const id = nextId(`goal-${name}`);
    const errorId = `${id}-error`;
    const attributes = { id, name, "aria-describedby": errorId, autocomplete: "off" };
    let input;
    if (kind === "select") {
      input = el(
        "select",
        attributes,
        ...options.map(([value, text]) => el("option", { value }, text)),
      );
    } else if (kind === "textarea") {
      input = el("textarea", { ...attributes, rows: 2 });
    } else {
      input = el("input", { ...attributes, type: kind === "number" ? "number" : "text" });
    }
    input.value = displayValue(this.values[name]);
    // An emptied field is sent as null: the server clears it (a cleared weight is 0).
    input.addEventListener(kind === "select" ? "change" : "input", () => {
      this._edit({ [name]: parse(input.value) });
    });
    this.inputs.set(name, input);
    const error = el("p", { id: errorId, className: "field-error" });
    this.errors.set(name, error);
    return el(
      "div",
      { className: `field field-${name}` },
      el("label", { for: id }, label),
      input,
      error,
    );
  }

  _weightField() {
    const parse = (value) => (value === "" ? null : Number(value));
    const field = this._field({ name: "weight", label: "Weight (%)", kind: "number", parse });
    Object.assign(this.inputs.get("weight"), { min: "0", max: "100", step: "0.01" });
    return field;
  }

  _renderCompetencies() {
    const chosen = new Set(this.values.competencyIds ?? []);
    const selections = new Map(
      (this.values.selectedIdealActions ?? []).map((s) => [s.competencyId, new Set(s.actions)]),
    );
    const pick = el("fieldset", { className: "competency-pick" }, el("legend", {}, "Competencies"));
    for (const competency of this.competencies) {
      const box = el("input", {
        type: "checkbox",
        value: competency.id,
        checked: chosen.has(competency.id),
      });
      box.addEventListener("change", () => this._toggleCompetency(competency.id, box.checked));
      pick.append(el("label", { className: "check" }, box, ` ${competency.name}`));
    }
    const actions = [];
    for (const competency of this.competencies.filter((c) => chosen.has(c.id))) {
      const picked = selections.get(competency.id) ?? new Set();
      const group = el(
        "fieldset",
        { className: "ideal-actions" },
        el("legend", {}, `Ideal actions: ${competency.name}`),
      );
      for (const action of competency.idealActions) {
        const box = el("input", { type: "checkbox", value: action, checked: picked.has(action) });
        box.addEventListener("change", () =>
          this._toggleAction(competency.id, action, box.checked),
        );
        group.append(el("label", { className: "check" }, box, ` ${action}`));
      }
      actions.push(group);
    }
    this.competencyBox.replaceChildren(pick, ...actions);
    this._applyDisabled();
  }

  _toggleCompetency(competencyId, on) {
    const ids = new Set(this.values.competencyIds ?? []);
    if (on) ids.add(competencyId);
    else ids.delete(competencyId);
    // Keep the org's order, and drop the ideal actions of a competency no longer chosen.
    const competencyIds = this.competencies.map((c) => c.id).filter((id) => ids.has(id));
    const selectedIdealActions = (this.values.selectedIdealActions ?? []).filter((s) =>
      ids.has(s.competencyId),
    );
    this._edit({ competencyIds, selectedIdealActions });
    this._renderCompetencies();
  }

  _toggleAction(competencyId, action, on) {
    const current = new Map(
      (this.values.selectedIdealActions ?? []).map((s) => [s.competencyId, new Set(s.actions)]),
    );
    const actions = current.get(competencyId) ?? new Set();
    if (on) actions.add(action);
    else actions.delete(action);
    current.set(competencyId, actions);
    const competency = this.competencies.find((c) => c.id === competencyId);
    const selectedIdealActions = [...current]
      .filter(([, set]) => set.size > 0)
      .map(([id, set]) => ({
        competencyId: id,
        // The competency's own order, so equal selections compare equal.
        actions: (id === competencyId ? competency.idealActions : [...set]).filter((a) =>
          set.has(a),
        ),
      }));
    this._edit({ selectedIdealActions });
  }

  _edit(patch) {
    this.values = { ...this.values, ...patch };
    this._render();
    this.onEdit(patch);
  }

  _render() {
    this.heading.textContent = this.label;
    this.statusChip.textContent = this.status ? this.status.toLowerCase().replace("_", " ") : "new";
    this.statusChip.dataset.status = this.status ?? "NEW";
    this.deleteButton.setAttribute("aria-label", `Delete ${this.shortLabel}`);
    this._applyDisabled();
  }

  _applyDisabled() {
    const disabled = !this.editable;
    for (const control of this.element?.querySelectorAll("input, select, textarea, button") ?? []) {
      control.disabled = disabled;
    }
  }
}

function displayValue(value) {
  return value === null || value === undefined ? "" : String(value);
}
