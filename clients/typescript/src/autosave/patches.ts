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
  return typeof value === "string" && Object.hasOwn(PATCH_FIELD, value);
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

/**
 * True when the goal already holds every value of the patch: after a lost response, the resend
 * of an update conflicts with our own write, and this tells it from a real conflict.
 */
export function patchApplied(patch: AnyPatch, goal: GoalFieldsFragment): boolean {
  const fields = goal as unknown as Readonly<Record<string, unknown>>;
  return Object.entries(patch).every(([field, value]) => sameValue(field, value, fields[field]));
}
