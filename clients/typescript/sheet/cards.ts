/** Goal cards: one editable card per goal, built from plain DOM, labelled for assistive tech. */
import type {
  AnyPatch,
  GoalCategory,
  GoalFieldsFragment,
  GoalStatus,
  Patch,
  SaveState,
} from "@goalpost/client";
import { FORM_FIELDS, type FormField } from "/web/documents.js";

import type { Competency } from "./api.js";

export const CATEGORIES: readonly GoalCategory[] = ["PERFORMANCE", "COMPETENCY", "CORE_VALUE"];

const CATEGORY_NAME: Readonly<Record<GoalCategory, string>> = {
  PERFORMANCE: "Performance goal",
  COMPETENCY: "Competency goal",
  CORE_VALUE: "Core value goal",
};

const STATE_TEXT: Readonly<Record<SaveState, string>> = {
  idle: "Up to date",
  pending: "Pending",
  saving: "Saving…",
  saved: "Saved",
  error: "Error",
};

const EDITABLE_STATUSES: ReadonlySet<GoalStatus> = new Set<GoalStatus>(["DRAFT", "REJECTED"]);

const GOAL_TYPES: readonly (readonly [value: string, text: string])[] = [
  ["", "Not set"],
  ["QUANTITATIVE", "Quantitative"],
  ["QUALITATIVE", "Qualitative"],
];

/** A form field of a card: the server's declaration, or the weight every category has. */
interface CardField {
  readonly name: string;
  readonly label: string;
  readonly kind: FormField["kind"] | "number";
  readonly options?: typeof GOAL_TYPES;
  /** The input's text as the patch sends it. */
  readonly parse?: (value: string) => string | number | null;
}

/** Each category's form fields from the server's field declarations (/web/documents.js);
 * a choice field offers the goal types. */
function cardFields(fields: readonly FormField[]): readonly CardField[] {
  return fields.map((field) => (field.kind === "select" ? { ...field, options: GOAL_TYPES } : field));
}

const FIELDS: Readonly<Record<GoalCategory, readonly CardField[]>> = {
  PERFORMANCE: cardFields(FORM_FIELDS.PERFORMANCE),
  COMPETENCY: cardFields(FORM_FIELDS.COMPETENCY),
  CORE_VALUE: cardFields(FORM_FIELDS.CORE_VALUE),
};

/** A competency's chosen ideal actions, as a card reads them from its values. */
interface IdealActions {
  readonly competencyId: string;
  readonly actions: readonly string[];
}

/** The category's fields of a goal as the server sent it (GoalFields). */
export function goalValues(goal: GoalFieldsFragment): AnyPatch {
  const fields: Readonly<Record<string, unknown>> = goal;
  const values: Record<string, unknown> = { weight: goal.weight };
  for (const field of FIELDS[goal.category]) {
    values[field.name] = fields[field.name] ?? null;
  }
  if (goal.__typename === "CompetencyGoal") {
    values.competencyIds = [...goal.competencyIds];
    values.selectedIdealActions = goal.selectedIdealActions.map((s) => ({
      competencyId: s.competencyId,
      actions: [...s.actions],
    }));
  }
  return values;
}

export function isEditable(status: GoalStatus | null): boolean {
  return status === null || EDITABLE_STATUSES.has(status);
}

/** An attribute's value: `true` sets it empty, `false`/null/undefined leaves it out. */
export type AttributeValue = string | number | boolean | null | undefined;

/** `el`'s attributes: `className`, `dataset` (the one object-valued entry: data-* attributes),
 * and any other attribute by its HTML name (`for`, `aria-live`, ...). */
export interface Attributes {
  readonly className?: string | null | undefined;
  readonly dataset?: Readonly<Record<string, string>> | undefined;
  readonly [name: string]: AttributeValue | Readonly<Record<string, string>>;
}

export type Child = Node | string | null | undefined;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (typeof value === "object") {
      if (name === "dataset") Object.assign(node.dataset, value);
    } else if (name === "className") {
      node.className = String(value);
    } else {
      node.setAttribute(name, value === true ? "" : String(value));
    }
  }
  node.append(...children.filter((c): c is Node | string => c !== null && c !== undefined));
  return node;
}

let uniqueIds = 0;
const nextId = (prefix: string): string => `${prefix}-${String(++uniqueIds)}`;

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export interface GoalCardInit<C extends GoalCategory> {
  /** The goal's clientId (the auto-saver's key). */
  readonly key: string;
  readonly category: C;
  /** The category's fields, unsaved edits included. */
  readonly values: AnyPatch;
  /** DRAFT, REJECTED, ... or null for a goal not yet created. */
  readonly status: GoalStatus | null;
  /** The organization's competencies. */
  readonly competencies: readonly Competency[];
  /** False in a CLOSED period: read-only. */
  readonly periodOpen: boolean;
  readonly onEdit: (patch: Patch<C>) => void;
  readonly onDelete: () => void;
}

/** What `setGoal` takes of the server's goal. */
export type CardGoal = Pick<GoalFieldsFragment, "id" | "version" | "status">;

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Tell assistive tech a field is wrong: `aria-invalid="true"` (an empty value reads as
 * "false" in Chromium's accessibility tree), removed when it is right again. */
export function markInvalid(input: HTMLElement, invalid: boolean): void {
  if (invalid) {
    input.setAttribute("aria-invalid", "true");
  } else {
    input.removeAttribute("aria-invalid");
  }
}

export class GoalCard<C extends GoalCategory = GoalCategory> {
  readonly key: string;
  readonly category: C;
  readonly competencies: readonly Competency[];
  readonly periodOpen: boolean;
  readonly element: HTMLElement;
  private readonly onEdit: (patch: Patch<C>) => void;
  private readonly onDelete: () => void;
  private currentValues: AnyPatch;
  private currentStatus: GoalStatus | null;
  private isDeleting = false;
  private readonly inputs = new Map<string, Control>();
  private readonly errors = new Map<string, HTMLElement>();
  private readonly heading = el("h3", { id: nextId("goal-heading") });
  private readonly statusChip = el("span", { className: "goal-status" });
  private readonly badgeText = el("span", {}, STATE_TEXT.idle);
  private readonly badge = el(
    "span",
    { className: "badge", dataset: { state: "idle" } },
    el("span", { className: "sr-only" }, "Save state: "),
    this.badgeText,
  );
  private readonly deleteButton = el("button", { type: "button", className: "delete" }, "Delete");
  private readonly message = el("p", { className: "card-message", "aria-live": "polite" });
  private readonly competencyBox: HTMLElement | null;

  constructor({ key, category, values, status, competencies, periodOpen, onEdit, onDelete }: GoalCardInit<C>) {
    this.key = key;
    this.category = category;
    this.competencies = competencies;
    this.periodOpen = periodOpen;
    this.onEdit = onEdit;
    this.onDelete = onDelete;
    this.currentValues = { weight: 0, ...values };
    this.currentStatus = status;
    this.deleteButton.addEventListener("click", () => {
      this.onDelete();
    });
    const body = el("div", { className: "fields" });
    for (const field of FIELDS[category]) body.append(this.field(field));
    this.competencyBox = category === "COMPETENCY" ? el("div", { className: "competencies" }) : null;
    if (this.competencyBox) body.prepend(this.competencyBox);
    body.append(this.weightField());
    this.element = el(
      "article",
      { className: "card", "aria-labelledby": this.heading.id, dataset: { key, category } },
      el("header", { className: "card-head" }, this.heading, this.statusChip, this.badge, this.deleteButton),
      body,
      this.message,
    );
    this.render();
    if (this.competencyBox) this.renderCompetencies();
  }

  /** The category's fields as the card shows them, unsaved edits included. */
  get values(): AnyPatch {
    return this.currentValues;
  }

  get status(): GoalStatus | null {
    return this.currentStatus;
  }

  /** Marked for deletion (markDeleting): read-only, and out of the totals. */
  get deleting(): boolean {
    return this.isDeleting;
  }

  get weight(): number {
    return Number(this.currentValues.weight ?? 0) || 0;
  }

  get editable(): boolean {
    return this.periodOpen && isEditable(this.currentStatus) && !this.isDeleting;
  }

  // -- called by the app --------------------------------------------------------------------

  setSaveState(state: SaveState, message: string | null = null): void {
    this.badge.dataset.state = state;
    this.badgeText.textContent = STATE_TEXT[state];
    this.badge.title = message ?? "";
    this.message.textContent = state === "error" || message ? (message ?? "") : "";
  }

  /** The server's view of the goal after a save: id, version, status. */
  setGoal(goal: CardGoal | null | undefined): void {
    if (!goal) return;
    this.element.dataset.goalId = goal.id;
    this.element.dataset.version = String(goal.version);
    this.currentStatus = goal.status;
    this.render();
  }

  /** Replace what the inputs show (e.g. with the server's goal after a conflict). */
  setValues(values: AnyPatch): void {
    this.currentValues = { ...this.currentValues, ...values };
    for (const [name, input] of this.inputs) input.value = displayValue(this.currentValues[name]);
    this.render();
    if (this.competencyBox) this.renderCompetencies();
  }

  /** Mark the fields the server rejected (paths like `performance.title`). */
  setFieldErrors(fieldErrors: readonly FieldError[]): void {
    let shown = false;
    for (const [name, node] of this.errors) {
      const error = fieldErrors.find((e) => e.field.split(".").pop() === name);
      node.textContent = error ? error.message : "";
      const input = this.inputs.get(name);
      if (input) {
        markInvalid(input, Boolean(error));
      }
      shown ||= Boolean(error);
    }
    if (shown) this.message.textContent = ""; // said next to the field already
  }

  markDeleting(): void {
    this.isDeleting = true;
    this.element.classList.add("deleting");
    this.render();
  }

  unmarkDeleting(): void {
    this.isDeleting = false;
    this.element.classList.remove("deleting");
    this.render();
  }

  /** For toasts and button names: long titles are cut, not wrapped over the screen. */
  get shortLabel(): string {
    const label = this.label;
    return label.length > 60 ? `${label.slice(0, 57).trimEnd()}…` : label;
  }

  get label(): string {
    const title = this.currentValues.title;
    if (this.category === "PERFORMANCE" && typeof title === "string" && title) return title;
    if (this.category === "COMPETENCY") {
      const names = this.chosenIds()
        .map((id) => this.competencies.find((c) => c.id === id)?.name)
        .filter(Boolean);
      if (names.length) return `${CATEGORY_NAME.COMPETENCY}: ${names.join(", ")}`;
    }
    return this.category === "PERFORMANCE" ? "Untitled performance goal" : CATEGORY_NAME[this.category];
  }

  // -- building -----------------------------------------------------------------------------

  private field({ name, label, kind, options = [], parse = (value) => (value === "" ? null : value) }: CardField): HTMLElement {
    const id = nextId(`goal-${name}`);
    const errorId = `${id}-error`;
    const attributes = { id, name, "aria-describedby": errorId, autocomplete: "off" };
    let input: Control;
    if (kind === "select") {
      input = el("select", attributes, ...options.map(([value, text]) => el("option", { value }, text)));
    } else if (kind === "textarea") {
      input = el("textarea", { ...attributes, rows: 2 });
    } else {
      input = el("input", { ...attributes, type: kind === "number" ? "number" : "text" });
    }
    input.value = displayValue(this.currentValues[name]);
    // An emptied field is sent as null: the server clears it (a cleared weight is 0).
    input.addEventListener(kind === "select" ? "change" : "input", () => {
      this.edit({ [name]: parse(input.value) });
    });
    this.inputs.set(name, input);
    const error = el("p", { id: errorId, className: "field-error" });
    this.errors.set(name, error);
    return el("div", { className: `field field-${name}` }, el("label", { for: id }, label), input, error);
  }

  private weightField(): HTMLElement {
    const parse = (value: string): number | null => (value === "" ? null : Number(value));
    const field = this.field({ name: "weight", label: "Weight (%)", kind: "number", parse });
    const input = this.inputs.get("weight");
    if (input instanceof HTMLInputElement) Object.assign(input, { min: "0", max: "100", step: "0.01" });
    return field;
  }

  /** The chosen competencies' ids, as the values hold them. */
  private chosenIds(): string[] {
    const ids = this.currentValues.competencyIds;
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
  }

  /** The chosen ideal actions, as the values hold them. */
  private selections(): IdealActions[] {
    const selections = this.currentValues.selectedIdealActions;
    return Array.isArray(selections) ? selections.filter(isIdealActions) : [];
  }

  private renderCompetencies(): void {
    if (!this.competencyBox) return;
    const chosen = new Set(this.chosenIds());
    const selections = new Map(this.selections().map((s) => [s.competencyId, new Set(s.actions)]));
    const pick = el("fieldset", { className: "competency-pick" }, el("legend", {}, "Competencies"));
    for (const competency of this.competencies) {
      const box = el("input", { type: "checkbox", value: competency.id, checked: chosen.has(competency.id) });
      box.addEventListener("change", () => {
        this.toggleCompetency(competency.id, box.checked);
      });
      pick.append(el("label", { className: "check" }, box, ` ${competency.name}`));
    }
    const actions: HTMLElement[] = [];
    for (const competency of this.competencies.filter((c) => chosen.has(c.id))) {
      const picked = selections.get(competency.id) ?? new Set<string>();
      const group = el(
        "fieldset",
        { className: "ideal-actions" },
        el("legend", {}, `Ideal actions: ${competency.name}`),
      );
      for (const action of competency.idealActions) {
        const box = el("input", { type: "checkbox", value: action, checked: picked.has(action) });
        box.addEventListener("change", () => {
          this.toggleAction(competency.id, action, box.checked);
        });
        group.append(el("label", { className: "check" }, box, ` ${action}`));
      }
      actions.push(group);
    }
    this.competencyBox.replaceChildren(pick, ...actions);
    this.applyDisabled();
  }

  private toggleCompetency(competencyId: string, on: boolean): void {
    const ids = new Set(this.chosenIds());
    if (on) ids.add(competencyId);
    else ids.delete(competencyId);
    // Keep the org's order, and drop the ideal actions of a competency no longer chosen.
    const competencyIds = this.competencies.map((c) => c.id).filter((id) => ids.has(id));
    const selectedIdealActions = this.selections().filter((s) => ids.has(s.competencyId));
    this.edit({ competencyIds, selectedIdealActions });
    this.renderCompetencies();
  }

  private toggleAction(competencyId: string, action: string, on: boolean): void {
    const current = new Map(this.selections().map((s) => [s.competencyId, new Set(s.actions)]));
    const actions = current.get(competencyId) ?? new Set<string>();
    if (on) actions.add(action);
    else actions.delete(action);
    current.set(competencyId, actions);
    const competency = this.competencies.find((c) => c.id === competencyId);
    const selectedIdealActions = [...current]
      .filter(([, set]) => set.size > 0)
      .map(([id, set]) => ({
        competencyId: id,
        // The competency's own order, so equal selections compare equal.
        actions: (id === competencyId && competency ? competency.idealActions : [...set]).filter((a) => set.has(a)),
      }));
    this.edit({ selectedIdealActions });
  }

  /**
   * An edit of the card's own fields. They are the server's declarations of the category's
   * patch input (FORM_FIELDS, goalpost/sheet.py), named at run time, so only the saver's check
   * of every patch's shape (checkPatch) holds it to Patch<C>, not the compiler.
   */
  private edit(patch: AnyPatch): void {
    this.currentValues = { ...this.currentValues, ...patch };
    this.render();
    this.onEdit(patch);
  }

  private render(): void {
    this.heading.textContent = this.label;
    this.statusChip.textContent = this.currentStatus ? this.currentStatus.toLowerCase().replace("_", " ") : "new";
    this.statusChip.dataset.status = this.currentStatus ?? "NEW";
    this.deleteButton.setAttribute("aria-label", `Delete ${this.shortLabel}`);
    this.applyDisabled();
  }

  private applyDisabled(): void {
    const disabled = !this.editable;
    const controls = this.element.querySelectorAll<Control | HTMLButtonElement>("input, select, textarea, button");
    for (const control of controls) control.disabled = disabled;
  }
}

function isIdealActions(value: unknown): value is IdealActions {
  if (typeof value !== "object" || value === null) return false;
  const { competencyId, actions } = value as Readonly<Record<string, unknown>>;
  return typeof competencyId === "string" && Array.isArray(actions) && actions.every((a) => typeof a === "string");
}

/** What an input shows of a value: a form field's values are text, numbers or unset. */
function displayValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  return typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}
