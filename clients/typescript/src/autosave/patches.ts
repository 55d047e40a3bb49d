/**
 * What an edit of each goal category may hold, typed by the generated patch inputs, and how a
 * sent patch is recognised in the server's goal (docs/autosave.md, "Results").
 */
import type {
  CompetencyPatchInput,
  CoreValuePatchInput,
  GoalBatchItemInput,
  GoalCategory,
  GoalFieldsFragment,
  PerformancePatchInput,
} from "../generated/graphql.js";
import { INPUT_FIELDS, PATCH_INPUTS } from "../generated/input-fields.js";

/** The patch type of each category: `edit(key, "PERFORMANCE", { actionPlan })` does not compile. */
export interface CategoryPatches {
  PERFORMANCE: PerformancePatchInput;
  COMPETENCY: CompetencyPatchInput;
  CORE_VALUE: CoreValuePatchInput;
}

export type Patch<C extends GoalCategory> = CategoryPatches[C];

/** A patch of any category, as the saver keeps it between edits and requests. */
export type AnyPatch = Readonly<Record<string, unknown>>;

/** The batch item's field that carries each category's patch. */
export const PATCH_FIELD = {
  PERFORMANCE: "performance",
  COMPETENCY: "competency",
  CORE_VALUE: "coreValue",
} as const satisfies Record<GoalCategory, keyof GoalBatchItemInput>;

export function isCategory(value: unknown): value is GoalCategory {
  return typeof value === "string" && Object.hasOwn(PATCH_INPUTS, value);
}

/** Whether `value` fits the GraphQL input type `type` (SDL notation, as INPUT_FIELDS has it).
 * Only the shape: lengths, ranges, enum values and ids stay the server's to judge, goal by goal
 * (a goal type the client does not know may be one the server added). */
function fits(type: string, value: unknown): boolean {
  if (type.endsWith("!")) {
    return value !== null && value !== undefined && fits(type.slice(0, -1), value);
  }
  if (value === null) {
    return true;
  }
  if (type.startsWith("[")) {
    return Array.isArray(value) && value.every((item) => fits(type.slice(1, -1), item));
  }
  switch (type) {
    case "String":
    case "Enum":
      return typeof value === "string";
    case "Float":
      return typeof value === "number" && Number.isFinite(value);
    case "Int":
      return Number.isInteger(value);
    case "Boolean":
      return typeof value === "boolean";
    case "ID":
      return typeof value === "string" || Number.isInteger(value);
    default:
      return fitsInput(type, value);
  }
}

function fitsInput(type: string, value: unknown): boolean {
  const fields = INPUT_FIELDS[type];
  if (!fields || typeof value !== "object" || value === null || Array.isArray(value)) {
    return false;
  }
  const given = value as Readonly<Record<string, unknown>>;
  return (
    Object.keys(given).every((name) => Object.hasOwn(fields, name)) &&
    Object.entries(fields).every(([name, fieldType]) => given[name] === undefined ? !fieldType.endsWith("!") : fits(fieldType, given[name]))
  );
}

function describe(value: unknown): string {
  const json: unknown = JSON.stringify(value); // undefined for undefined and functions
  const text = typeof json === "string" ? json : String(value);
  return `${value === null ? "null" : typeof value} ${text.slice(0, 60)}`;
}

/**
 * The patch without its `undefined` fields (left out: unchanged), after checking its shape
 * against the schema's patch input: RangeError for a field the category does not have,
 * TypeError for a value of the wrong type. Such a patch would make the server refuse the whole
 * request (BAD_USER_INPUT), failing every goal of every later cycle with it, so nothing of it
 * is recorded. TypeScript callers get this at compile time; this is for plain JavaScript.
 */
export function checkPatch(category: GoalCategory, patch: unknown): AnyPatch {
  const fields = INPUT_FIELDS[PATCH_INPUTS[category]];
  if (!fields) {
    throw new RangeError(`unknown goal category ${describe(category)}`);
  }
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
    throw new TypeError(`a patch is an object of fields, not ${describe(patch)}`);
  }
  const checked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(patch)) {
    const type = fields[name];
    if (type === undefined) {
      const known = Object.keys(fields).join(", ");
      throw new RangeError(`${category} goals have no field ${name}; their fields are: ${known}`);
    }
    if (value === undefined) {
      continue;
    }
    if (!fits(type, value)) {
      throw new TypeError(`${name} of a ${category} goal takes ${type} or null, not ${describe(value)}`);
    }
    checked[name] = value;
  }
  return checked;
}

interface Selection {
  readonly competencyId: string | number;
  readonly actions: readonly string[];
}

function selections(value: unknown): string {
  const byCompetency = new Map<string, string[]>();
  for (const s of (value ?? []) as readonly Selection[]) {
    byCompetency.set(String(s.competencyId), [...s.actions].sort());
  }
  return JSON.stringify([...byCompetency].sort(([a], [b]) => a.localeCompare(b)));
}

function sameValue(field: string, sent: unknown, have: unknown): boolean {
  if (field === "selectedIdealActions") {
    return selections(sent) === selections(have);
  }
  if (field === "weight") {
    return Number(sent ?? 0) === Number(have ?? 0); // a cleared weight is 0
  }
  if (Array.isArray(sent)) {
    return JSON.stringify(sent.map(String)) === JSON.stringify(((have ?? []) as unknown[]).map(String));
  }
  return (sent ?? null) === (have ?? null);
}

/** The part of the patch the goal does not hold yet. */
export function unapplied(patch: AnyPatch, goal: GoalFieldsFragment): AnyPatch {
  const fields = goal as unknown as Readonly<Record<string, unknown>>;
  return Object.fromEntries(Object.entries(patch).filter(([field, value]) => !sameValue(field, value, fields[field])));
}

/**
 * True when the goal already holds every value of the patch: after a lost response, the resend
 * of an update conflicts with our own write, and this tells it from a real conflict.
 */
export function patchApplied(patch: AnyPatch, goal: GoalFieldsFragment): boolean {
  return Object.keys(unapplied(patch, goal)).length === 0;
}
