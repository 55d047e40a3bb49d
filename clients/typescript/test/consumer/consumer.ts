/**
 * A strict TypeScript consumer of the BUILT package (`@goalpost/client` resolves to dist/
 * through package.json's `exports`). `npm test` compiles it with `tsc --noEmit`: the exhaustive
 * switch must compile, and every `@ts-expect-error` line must stay an error (if one ever
 * compiles, tsc reports the unused directive and the test fails).
 */
import { AutoSaver, GoalpostClient, type BatchSaveGoalsInput, type GoalSaveResult } from "@goalpost/client";
import { useGoalAutoSave } from "@goalpost/client/react";

/** Every member of GoalSaveResult handled; a new member makes `unhandled` fail to compile. */
export function summary(result: GoalSaveResult): string {
  switch (result.__typename) {
    case "GoalSaved":
      return `${result.clientId}: saved as ${result.goal.id} v${String(result.goal.version)}`;
    case "GoalDeleted":
      return `${result.clientId}: deleted ${result.id}`;
    case "GoalValidationFailed":
      return `${result.clientId}: ${result.fieldErrors.map((e) => e.field).join(", ")}`;
    case "GoalVersionConflict":
      return `${result.clientId}: the server has v${String(result.current.version)}`;
    case "GoalNotFound":
      return `${result.clientId}: ${result.code}`;
    case "GoalNotEditable":
      return `${result.clientId}: ${result.status}`;
    case "GoalSaveFailed":
      return `${result.clientId}: retryable ${String(result.retryable)}`;
    default: {
      const unhandled: never = result;
      return unhandled;
    }
  }
}

/** The same switch missing a member does not compile: the `never` check has teeth. */
export function incomplete(result: GoalSaveResult): string {
  switch (result.__typename) {
    case "GoalSaved":
    case "GoalDeleted":
    case "GoalValidationFailed":
    case "GoalVersionConflict":
    case "GoalNotFound":
    case "GoalNotEditable":
      return result.clientId;
    default: {
      // @ts-expect-error: GoalSaveFailed is not handled.
      const unhandled: never = result;
      return unhandled;
    }
  }
}

export async function save(client: GoalpostClient): Promise<string[]> {
  const payload = await client.batchSaveGoals({
    orgSlug: "acme",
    periodId: "p-1",
    items: [
      { clientId: "tmp-1", performance: { title: "Grow ARR", weight: 40, goalType: "QUANTITATIVE" } },
      { clientId: "g-7", id: "g-7", expectedVersion: 3, competency: { actionPlan: "Pair weekly" } },
      { clientId: "g-9", id: "g-9", delete: true },
    ],
  });
  // A result's fields exist only after narrowing by __typename.
  const first = payload.results[0];
  // @ts-expect-error: `first` may be undefined (noUncheckedIndexedAccess) and is not yet narrowed.
  const notNarrowed = first.goal;
  return payload.results.map(summary);
}

export const misspelt: BatchSaveGoalsInput = {
  orgSlug: "acme",
  periodId: "p-1",
  // @ts-expect-error: `titel` is not a field of a performance patch.
  items: [{ clientId: "tmp-2", performance: { titel: "Grow ARR" } }],
};

export const competencyFieldInPerformancePatch: BatchSaveGoalsInput = {
  orgSlug: "acme",
  periodId: "p-1",
  // @ts-expect-error: `actionPlan` belongs to a competency patch, not a performance one.
  items: [{ clientId: "tmp-3", performance: { title: "Grow ARR", actionPlan: "Pair weekly" } }],
};

export const wrongGoalType: BatchSaveGoalsInput = {
  orgSlug: "acme",
  periodId: "p-1",
  // @ts-expect-error: goalType is QUANTITATIVE or QUALITATIVE.
  items: [{ clientId: "tmp-4", performance: { goalType: "SOMETIMES" } }],
};

// @ts-expect-error: a client needs a token or a getToken function.
export const tokenless = new GoalpostClient({ url: "http://127.0.0.1:8000/graphql" });

/** The saver's edits are typed by the goal's category. */
export function edits(client: GoalpostClient): AutoSaver {
  const saver = new AutoSaver(client, { orgSlug: "acme", periodId: "p-1" });
  const key = saver.add("PERFORMANCE", { title: "Grow ARR" });
  saver.edit(key, "PERFORMANCE", { specificGoal: "+20 %", weight: 40 });
  saver.edit(key, "COMPETENCY", { actionPlan: "Pair weekly", competencyIds: ["c-1"] });
  // @ts-expect-error: `actionPlan` is a competency field, not a performance one.
  saver.edit(key, "PERFORMANCE", { actionPlan: "Pair weekly" });
  // @ts-expect-error: `titel` is no field of any goal.
  saver.add("PERFORMANCE", { titel: "Grow ARR" });
  // @ts-expect-error: there is no such category.
  saver.add("OBJECTIVE", {});
  const state = saver.state(key);
  switch (state.state) {
    case "idle":
    case "pending":
    case "saving":
    case "saved":
      return saver;
    case "error":
      return state.problem?.retryable ? saver : saver;
  }
}

/** The React hook's edits are typed by category too (`@goalpost/client/react`). */
export function useTypedEdits(client: GoalpostClient): void {
  const { add, edit, goals } = useGoalAutoSave({ client, orgSlug: "acme", periodId: "p-1", debounceMs: 500 });
  const key = add("COMPETENCY", { actionPlan: "Pair weekly" });
  edit(key, "COMPETENCY", { competencyIds: ["c-1"] });
  // @ts-expect-error: `title` is a performance field, not a competency one.
  edit(key, "COMPETENCY", { title: "Grow ARR" });
  // @ts-expect-error: the hook needs the period it saves into.
  useGoalAutoSave({ client, orgSlug: "acme" });
  const states: ("idle" | "pending" | "saving" | "saved" | "error")[] = goals.map((g) => g.state);
  void states;
}
