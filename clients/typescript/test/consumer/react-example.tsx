import { GoalpostClient } from "@goalpost/client";
import { useGoalAutoSave } from "@goalpost/client/react";

const client = new GoalpostClient({
  url: "http://127.0.0.1:8000/graphql",
  getToken: () => sessionStorage.getItem("goalpost.token") ?? "",
});

export function PerformanceGoals({ orgSlug, periodId }: { orgSlug: string; periodId: string }) {
  // One saver per (client, orgSlug, periodId): loaded on mount, flushed and closed on unmount.
  const { goals, status, add, edit, retry } = useGoalAutoSave({ client, orgSlug, periodId, storage: localStorage });
  if (status !== "ready") {
    return <p>{status === "loading" ? "Loading…" : "Could not load the goals"}</p>;
  }
  return (
    <ul>
      {goals
        .filter((g) => g.category === "PERFORMANCE")
        .map((g) => (
          <li key={g.key}>
            <input
              aria-label="Title"
              defaultValue={g.goal?.__typename === "PerformanceGoal" ? (g.goal.title ?? "") : ""}
              onChange={(e) => edit(g.key, "PERFORMANCE", { title: e.target.value })}
            />
            <span>{g.state}</span>
            {g.state === "error" && <button onClick={() => retry(g.key)}>Retry</button>}
          </li>
        ))}
      <li>
        <button onClick={() => add("PERFORMANCE", { title: "New goal" })}>Add a goal</button>
      </li>
    </ul>
  );
}
