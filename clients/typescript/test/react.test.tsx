// @vitest-environment jsdom
/** useGoalAutoSave in a component (Testing Library, jsdom) against the real server
 * (test/server.ts): one request for edits in two goals, the states as the page shows them, a
 * validation failure on its goal only, and the unmount's flush. */
import { StrictMode, useEffect, useState, type JSX } from "react";
import { afterEach, describe, expect, inject, it } from "vitest";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";

import { GoalpostClient, type AutoSaver, type GoalBatchItemInput } from "../src/index.js";
import { useGoalAutoSave } from "../src/react/index.js";
import { VirtualClock } from "./virtual-clock.js";

const server = inject("goalpost");
const period = { orgSlug: server.orgSlug, periodId: server.periodId };
const SLOW = { timeout: 15_000 };

/** A client whose fetch records each batchSaveGoals request's items and counts the loads. */
function countingClient(): { client: GoalpostClient; batches: GoalBatchItemInput[][]; loads: () => number } {
  const batches: GoalBatchItemInput[][] = [];
  let loads = 0;
  const counting: typeof fetch = (input, init) => {
    const body = JSON.parse(typeof init?.body === "string" ? init.body : "{}") as {
      query?: string;
      variables?: { input?: { items: GoalBatchItemInput[] } };
    };
    if (body.query?.includes("batchSaveGoals") && body.variables?.input) {
      batches.push(body.variables.input.items);
    }
    if (body.query?.includes("query MyGoals")) {
      loads += 1;
    }
    return fetch(input, init);
  };
  const client = new GoalpostClient({ url: server.url, token: server.tokens.alice, fetch: counting });
  return { client, batches, loads: () => loads };
}

interface SheetProps {
  readonly client: GoalpostClient;
  /** The saver's timers: a cycle starts only when the test advances it past debounceMs. */
  readonly clock: VirtualClock;
  /** Every state each goal was shown in, in order. */
  readonly shown?: Map<string, string[]>;
  readonly onSaver?: (saver: AutoSaver | null) => void;
}

/** A goal sheet as an app would write it: new performance goals, a title each, their states. */
function Sheet({ client, clock, shown, onSaver }: SheetProps): JSX.Element {
  const { now, random, setTimer, clearTimer } = clock;
  const { goals, status, saver, add, edit } = useGoalAutoSave({ client, ...period, debounceMs: 800, now, random, setTimer, clearTimer });
  const [mine, setMine] = useState<string[]>([]);
  useEffect(() => {
    onSaver?.(saver);
  }, [saver, onSaver]);
  useEffect(() => {
    for (const goal of goals) {
      const states = shown?.get(goal.key) ?? [];
      if (states.at(-1) !== goal.state) {
        shown?.set(goal.key, [...states, goal.state]);
      }
    }
  }, [goals, shown]);
  return (
    <main>
      <p>{status}</p>
      <button
        type="button"
        onClick={() => {
          const key = add("PERFORMANCE"); // not inside the updater: StrictMode calls that twice
          setMine((keys) => [...keys, key]);
        }}
      >
        Add a goal
      </button>
      <ol>
        {goals
          .filter((goal) => mine.includes(goal.key))
          .map((goal, index) => (
            <li key={goal.key} aria-label={`Goal ${String(index + 1)}`} data-key={goal.key}>
              <input
                aria-label="Title"
                onChange={(event) => {
                  edit(goal.key, "PERFORMANCE", { title: event.target.value });
                }}
              />
              <output>{goal.state}</output>
              {goal.problem ? <span role="alert">{goal.problem.code}</span> : null}
            </li>
          ))}
      </ol>
    </main>
  );
}

/** Add `count` goals and type a title in each; returns their rows. */
async function addAndType(titles: string[]): Promise<HTMLElement[]> {
  await screen.findByText("ready", undefined, SLOW);
  titles.forEach(() => {
    fireEvent.click(screen.getByRole("button", { name: "Add a goal" }));
  });
  const rows = titles.map((_, i) => screen.getByRole("listitem", { name: `Goal ${String(i + 1)}` }));
  rows.forEach((row, i) => {
    fireEvent.change(within(row).getByRole("textbox", { name: "Title" }), { target: { value: titles[i] } });
  });
  return rows;
}

function stateOf(row: HTMLElement): string | null {
  return row.querySelector("output")?.textContent ?? null;
}

afterEach(() => {
  cleanup();
});

describe("useGoalAutoSave", () => {
  it("saves typing in two goals with one request, showing pending, saving, saved (StrictMode)", async () => {
    const { client, batches, loads } = countingClient();
    const shown = new Map<string, string[]>();
    const clock = new VirtualClock();
    render(
      <StrictMode>
        <Sheet client={client} clock={clock} shown={shown} />
      </StrictMode>,
    );
    const rows = await addAndType(["Grow ARR", "Ship the mobile app"]);
    expect(rows.map(stateOf)).toEqual(["pending", "pending"]);

    act(() => {
      clock.advance(800); // the debounce window is over: one cycle
    });
    expect(rows.map(stateOf)).toEqual(["saving", "saving"]);
    await waitFor(() => {
      expect(rows.map(stateOf)).toEqual(["saved", "saved"]);
    }, SLOW);
    const keys = rows.map((row) => row.dataset.key ?? "");
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([
      { clientId: keys[0], performance: { title: "Grow ARR" } },
      { clientId: keys[1], performance: { title: "Ship the mobile app" } },
    ]);
    for (const key of keys) {
      expect(shown.get(key)).toEqual(["pending", "saving", "saved"]);
    }
    // StrictMode mounted, unmounted and mounted the sheet: still one saver, loaded once.
    expect(loads()).toBe(1);
  });

  it("shows a validation failure on its goal only", async () => {
    const { client, batches } = countingClient();
    const clock = new VirtualClock();
    render(<Sheet client={client} clock={clock} />);
    const [bad, good] = await addAndType(["x".repeat(201), "Fine"]);
    if (!bad || !good) {
      throw new Error("two rows expected");
    }
    act(() => {
      clock.advance(800);
    });

    await waitFor(() => {
      expect([stateOf(bad), stateOf(good)]).toEqual(["error", "saved"]);
    }, SLOW);
    expect(within(bad).getByRole("alert").textContent).toBe("VALIDATION_FAILED");
    expect(within(good).queryByRole("alert")).toBeNull();
    expect(batches).toHaveLength(1);
  });

  it("closes the saver when the component unmounts, sending the edits still pending", async () => {
    const { client, batches } = countingClient();
    let saver: AutoSaver | null = null;
    const { unmount } = render(
      <Sheet
        client={client}
        clock={new VirtualClock()} // never advanced: only the unmount sends
        onSaver={(current) => {
          saver = current;
        }}
      />,
    );
    const [row] = await addAndType(["Typed just before leaving"]);
    const key = row?.dataset.key ?? "";
    expect(row && stateOf(row)).toBe("pending");
    expect(batches).toHaveLength(0);

    unmount();

    await waitFor(() => {
      expect(saver?.closed).toBe(true);
    }, SLOW);
    expect(batches).toEqual([[{ clientId: key, performance: { title: "Typed just before leaving" } }]]);
    const { myGoals } = await client.myGoals({ ...period, category: "PERFORMANCE" });
    expect(myGoals.filter((goal) => goal.clientId === key).map((goal) => goal.__typename === "PerformanceGoal" && goal.title)).toEqual([
      "Typed just before leaving",
    ]);
  });
  it("makes a new saver for a new client, closing the old one with its pending edits", async () => {
    const first = countingClient();
    const second = countingClient();
    const clock = new VirtualClock();
    const savers: AutoSaver[] = [];
    const onSaver = (current: AutoSaver | null): void => {
      if (current !== null && !savers.includes(current)) {
        savers.push(current);
      }
    };
    const { rerender } = render(<Sheet client={first.client} clock={clock} onSaver={onSaver} />);
    const [row] = await addAndType(["Typed before the switch"]);
    const key = row?.dataset.key ?? "";

    rerender(<Sheet client={second.client} clock={clock} onSaver={onSaver} />);

    await waitFor(() => {
      expect(second.loads()).toBe(1);
      expect(savers[0]?.closed).toBe(true);
    }, SLOW);
    expect(first.batches).toEqual([[{ clientId: key, performance: { title: "Typed before the switch" } }]]);
    expect(savers).toHaveLength(2);
    expect(savers[1]?.closed).toBe(false);
    expect(first.loads()).toBe(1);
  });
});
