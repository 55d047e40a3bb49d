/**
 * The language-neutral auto-save cases (clients/autosave-cases/cases.json, whose README.md says
 * how a runner reads them) on this package's real `AutoSaver` and `GoalpostClient`.
 *
 * The server is scripted: a `fetch` passed to the client answers `MyGoals` from the case's goals
 * and holds every `batchSaveGoals` until the case says what it answers, so each request, and
 * each answer, is the case's to check and to choose. Time is virtual: the saver's injectable
 * clock (`now`, `setTimer`, `clearTimer`) runs on the case's integer milliseconds, and its
 * `random` is the case's `jitter`. The Python saver runs the same file
 * (tests/client/test_autosave_cases.py).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { setImmediate } from "node:timers/promises";

import { describe, expect, it } from "vitest";

import { AutoSaver, GoalpostClient, type Goal, type GoalBatchItemInput, type GoalCategory } from "../src/index.js";
import { VirtualClock } from "./virtual-clock.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = Record<string, Json>;

interface Options {
  readonly debounceMs: number;
  readonly maxWaitMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly maxAttempts: number;
  readonly maxBatch: number;
  readonly jitter: number;
}

interface Step extends JsonObject {
  do: string;
}

interface Case {
  readonly name: string;
  readonly about: string;
  readonly options?: Partial<Options>;
  readonly goals?: Record<string, JsonObject>;
  readonly steps: readonly Step[];
}

interface CaseFile {
  readonly orgSlug: string;
  readonly periodId: string;
  readonly options: Options;
  readonly cases: readonly Case[];
}

const FILE = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../autosave-cases/cases.json"), "utf8"),
) as CaseFile;
const URL = "http://goalpost.test/graphql";

// What the runner fills in a goal the case leaves partly unsaid (the GoalFields shape).
const TYPENAMES: Record<GoalCategory, string> = {
  PERFORMANCE: "PerformanceGoal",
  COMPETENCY: "CompetencyGoal",
  CORE_VALUE: "CoreValueGoal",
};
const CATEGORY_FIELDS: Record<GoalCategory, JsonObject> = {
  PERFORMANCE: { title: null, goalType: null, specificGoal: null, achievementCriteria: null, meansMethods: null },
  COMPETENCY: { competencyIds: [], selectedIdealActions: [], actionPlan: null },
  CORE_VALUE: { coreValuePlan: null },
};
const TIMESTAMP = "2026-01-01T00:00:00+00:00";

/** A failed expectation of the case (the step that failed is added to the message). */
class CaseFailure extends Error {
  override readonly name = "CaseFailure";
}

/** A JSON value as text: a string as it is, anything else as JSON. */
function text(value: Json | undefined): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) {
    throw new CaseFailure(message);
  }
}

// -- the scripted server --------------------------------------------------------------------------

/** A batchSaveGoals the saver sent; the case checks it, then answers it. */
interface HeldRequest {
  readonly items: GoalBatchItemInput[];
  readonly answer: (response: Response) => void;
  readonly fail: (error: Error) => void;
  expected: boolean;
  answered: boolean;
}

function graphqlResponse(body: JsonObject): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

function graphqlErrors(errors: Json[]): Response {
  return graphqlResponse({ data: null, errors });
}

class ScriptedServer {
  readonly requests: HeldRequest[] = [];
  /** What the saver did that no case allows; the runner fails the step on it (a throw inside
   * `fetch` would only look like a network fault to the saver). */
  readonly violations: string[] = [];
  closing = false;

  constructor(private readonly goals: JsonObject[]) {}

  readonly fetch = (_input: RequestInfo | globalThis.URL, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(typeof init?.body === "string" ? init.body : "{}") as {
      query?: string;
      variables?: { orgSlug?: string; periodId?: string; input?: { orgSlug: string; periodId: string; items: GoalBatchItemInput[] } };
    };
    const operation = /\b(?:query|mutation)\s+(\w+)/.exec(body.query ?? "")?.[1];
    const variables = body.variables ?? {};
    const target = operation === "MyGoals" ? variables : variables.input;
    if (target?.orgSlug !== FILE.orgSlug || target.periodId !== FILE.periodId) {
      this.violations.push(`${String(operation)} for ${String(target?.orgSlug)}/${String(target?.periodId)}`);
    }
    if (operation === "MyGoals") {
      const period = { myGoals: this.goals, weightTotals: { performance: 0, competency: 0, coreValue: 0 } };
      return Promise.resolve(graphqlResponse({ data: { organization: { period } } }));
    }
    if (operation !== "BatchSaveGoals" || !variables.input) {
      this.violations.push(`the saver sent an operation no case scripts: ${String(operation)}`);
      return Promise.resolve(graphqlErrors([{ message: "not scripted", extensions: { code: "CASE_OVER" } }]));
    }
    if (this.closing) {
      // After the last step: end whatever the saver still sends.
      return Promise.resolve(graphqlErrors([{ message: "case over", extensions: { code: "CASE_OVER" } }]));
    }
    const items = variables.input.items;
    return new Promise((answer, fail) => {
      this.requests.push({ items, answer, fail, expected: false, answered: false });
    });
  };

  unexpected(): HeldRequest[] {
    return this.requests.filter((r) => !r.expected);
  }

  unanswered(): HeldRequest[] {
    return this.requests.filter((r) => !r.answered);
  }
}

// -- one case -------------------------------------------------------------------------------------

interface Flush {
  done: boolean;
  error: unknown;
}

type Action = (run: CaseRun, step: Step) => void | Promise<void>;

/** The state of one case as it runs: the saver, the scripted server, and the goals by name. */
class CaseRun {
  readonly options: Options;
  readonly clock: VirtualClock;
  readonly names = new Map<string, string>(); // goal name → the saver's key
  readonly clientIds = new Map<string, string>(); // goal name → clientId
  readonly categories = new Map<string, GoalCategory>();
  readonly loadedIds = new Map<string, string>(); // goal id → goal name
  readonly server: ScriptedServer;
  readonly client: GoalpostClient;
  readonly saver: AutoSaver;
  readonly flushes: Flush[] = [];

  constructor(readonly testCase: Case) {
    this.options = { ...FILE.options, ...testCase.options };
    this.clock = new VirtualClock(this.options.jitter);
    const loaded = Object.entries(testCase.goals ?? {}).map(([name, goal]) => {
      const full = this.fullGoal(name, goal);
      this.clientIds.set(name, full.clientId as string);
      this.categories.set(name, full.category as GoalCategory);
      this.loadedIds.set(full.id as string, name);
      return full;
    });
    this.server = new ScriptedServer(loaded);
    this.client = new GoalpostClient({ url: URL, token: "token", fetch: this.server.fetch });
    const { debounceMs, maxWaitMs, backoffBaseMs, backoffMaxMs, maxAttempts, maxBatch } = this.options;
    const { now, random, setTimer, clearTimer } = this.clock;
    this.saver = new AutoSaver(this.client, {
      orgSlug: FILE.orgSlug,
      periodId: FILE.periodId,
      ...{ debounceMs, maxWaitMs, backoffBaseMs, backoffMaxMs, maxAttempts, maxBatch },
      ...{ now, random, setTimer, clearTimer },
    });
  }

  /** A goal in the GoalFields shape: what the case says, the rest filled in. */
  fullGoal(name: string, goal: JsonObject): JsonObject {
    const category = (goal.category ?? this.categories.get(name)) as GoalCategory;
    return {
      __typename: TYPENAMES[category],
      clientId: this.clientIds.get(name) ?? name,
      category,
      status: "DRAFT",
      weight: 0,
      version: 1,
      createdAt: TIMESTAMP,
      updatedAt: TIMESTAMP,
      ...CATEGORY_FIELDS[category],
      ...goal,
    };
  }

  /** `$name` anywhere in an expected item or an answer: that goal's clientId. */
  named(value: Json): Json {
    if (typeof value === "string" && value.startsWith("$")) {
      const clientId = this.clientIds.get(value.slice(1));
      check(clientId !== undefined, `${value}: no goal of this case is called ${value.slice(1)}`);
      return clientId;
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.named(v));
    }
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.named(v)]));
    }
    return value;
  }

  key(name: Json | undefined): string {
    const key = this.names.get(text(name));
    check(key !== undefined, `no goal of this case is called ${text(name)}`);
    return key;
  }

  nameOfClientId(clientId: string): string {
    const found = [...this.clientIds].find(([, c]) => c === clientId);
    check(found !== undefined, `the saver sent a goal no case knows: ${clientId}`);
    return found[0];
  }

  /**
   * Let the saver and the client run until they wait on time or on the case. Nothing does real
   * I/O (a scripted fetch, virtual timers), so a bounded number of event loop turns is enough
   * and deterministic (every case passes with one; 20 is a wide margin). A timer due already
   * fires: the saver waits on no time for it.
   */
  async quiet(): Promise<void> {
    for (;;) {
      for (let turn = 0; turn < 20; turn++) {
        await setImmediate();
      }
      const timer = this.clock.takeDue(this.clock.time);
      if (!timer) {
        return;
      }
      timer.fn();
    }
  }

  async run(): Promise<void> {
    const keys = await this.saver.load();
    for (const key of keys) {
      const id = this.saver.state(key).id;
      const name = id === undefined ? undefined : this.loadedIds.get(id);
      check(name !== undefined, `load() tracked an unknown goal ${String(id)}`);
      this.names.set(name, key);
    }
    check(keys.length === this.loadedIds.size, `load() returned ${String(keys.length)} keys`);
    for (const [index, step] of this.testCase.steps.entries()) {
      const action = STEPS[step.do];
      if (action === undefined) {
        throw new CaseFailure(`step ${String(index)}: unknown step kind ${JSON.stringify(step.do)}`);
      }
      try {
        await action(this, step);
        await this.quiet();
        check(this.server.violations.length === 0, this.server.violations.join("; "));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CaseFailure(`step ${String(index)} ${JSON.stringify(step)}: ${message}`, { cause: error });
      }
    }
    this.checkNothingUnexpected();
    check(this.server.unanswered().length === 0, "the case ended with a request left unanswered");
    for (const flush of this.flushes) {
      check(flush.done, "a flush() did not resolve by the end of the case");
      check(flush.error === undefined, `a flush() failed: ${String(flush.error)}`);
    }
  }

  /** Refuse whatever the saver still sends, close it and the client. */
  async close(): Promise<void> {
    this.server.closing = true;
    for (const held of this.server.unanswered()) {
      held.answered = true;
      held.answer(graphqlErrors([{ message: "case over", extensions: { code: "CASE_OVER" } }]));
    }
    const closed = this.saver.close();
    await this.quiet();
    await closed;
    await this.client.close();
  }

  checkNothingUnexpected(): void {
    const extra = this.server.unexpected()[0];
    check(extra === undefined, `the saver sent a request the case did not expect: ${JSON.stringify(extra?.items)}`);
  }

  // -- the steps ----------------------------------------------------------------------------

  add(step: Step): void {
    const name = text(step.goal);
    check(!this.clientIds.has(name), `goal name ${name} is already used`);
    const category = step.category as GoalCategory;
    const key = this.saver.add(category, (step.patch ?? {}) as JsonObject);
    this.names.set(name, key);
    this.clientIds.set(name, key); // a new goal's key is its clientId
    this.categories.set(name, category);
  }

  edit(step: Step): void {
    this.saver.edit(this.key(step.goal), step.category as GoalCategory, step.patch as JsonObject);
  }

  delete(step: Step): void {
    this.saver.delete(this.key(step.goal));
  }

  /** Move virtual time by `ms`, firing each timer at its own due time, in order. */
  async wait(step: Step): Promise<void> {
    const end = this.clock.time + Number(step.ms);
    for (;;) {
      await this.quiet();
      const timer = this.clock.takeDue(end);
      if (!timer) {
        break;
      }
      this.clock.time = Math.max(this.clock.time, timer.at);
      timer.fn();
    }
    this.clock.time = end;
  }

  flush(): void {
    const flush: Flush = { done: false, error: undefined };
    this.flushes.push(flush);
    this.saver.flush().then(
      () => {
        flush.done = true;
      },
      (error: unknown) => {
        Object.assign(flush, { done: true, error });
      },
    );
  }

  expectFlush(step: Step): void {
    const last = this.flushes.at(-1);
    check(last !== undefined, "no flush() was started");
    check(last.done === step.done, `the last flush() is ${last.done ? "done" : "still waiting"}`);
  }

  retry(step: Step): void {
    this.saver.retry("goal" in step ? this.key(step.goal) : undefined);
  }

  resolveConflict(step: Step): void {
    this.saver.resolveConflict(this.key(step.goal), step.keep as "mine" | "theirs");
  }

  /** A live change the page hands over: the server's goal now (null: deleted). */
  changedElsewhere(step: Step): void {
    const name = text(step.goal);
    const given = step.current ?? null;
    const current = given === null ? null : (this.fullGoal(name, given as JsonObject) as unknown as Goal);
    const outcome = this.saver.changedElsewhere(this.key(name), current);
    check(outcome === step.outcome, `changedElsewhere returned ${outcome}, not ${text(step.outcome)}`);
  }

  expectRequest(step: Step): void {
    const held = this.server.unexpected()[0];
    check(held !== undefined, "no request was sent");
    held.expected = true;
    const byClientId = (items: readonly Json[]): Json[] =>
      [...items].sort((a, b) => text((a as JsonObject).clientId).localeCompare(text((b as JsonObject).clientId)));
    const sent = byClientId(held.items as unknown as Json[]);
    const wanted = byClientId(this.named(step.items as Json[]) as Json[]);
    expect(sent, `sent ${JSON.stringify(held.items)}`).toStrictEqual(wanted);
    this.checkNothingUnexpected();
  }

  expectNoRequest(): void {
    this.checkNothingUnexpected();
  }

  respond(step: Step): void {
    const held = this.server.unanswered().find((r) => r.expected);
    check(held !== undefined, "no request is waiting for an answer");
    held.answered = true;
    if (step.networkError === true) {
      held.fail(new TypeError("fetch failed: the case dropped the connection"));
    } else if ("errors" in step) {
      held.answer(graphqlErrors(this.requestErrors(held, step.errors as JsonObject[])));
    } else {
      held.answer(graphqlResponse(this.batchPayload(held, step.results as Record<string, JsonObject>)));
    }
  }

  /** GraphQL errors; `$name` in an `extensions.inputPath` is that goal's item index. */
  requestErrors(held: HeldRequest, errors: readonly JsonObject[]): Json[] {
    const clientIds = held.items.map((item) => item.clientId);
    return errors.map((error) => {
      const extensions = { ...(error.extensions as JsonObject | undefined) };
      const path = extensions.inputPath;
      if (Array.isArray(path)) {
        extensions.inputPath = path.map((part) =>
          typeof part === "string" && part.startsWith("$") ? clientIds.indexOf(this.named(part) as string) : part,
        );
      }
      return { ...error, extensions };
    });
  }

  /** The case's results by goal name, put in the order of the request's items. */
  batchPayload(held: HeldRequest, answers: Record<string, JsonObject>): JsonObject {
    const names = held.items.map((item) => this.nameOfClientId(item.clientId));
    check(
      JSON.stringify(Object.keys(answers).sort()) === JSON.stringify([...names].sort()),
      `the request holds ${names.join(", ")}, answered ${Object.keys(answers).join(", ")}`,
    );
    const results = names.map((name) => this.result(name, answers[name] ?? {}));
    const saved = results.filter((r) => r.__typename === "GoalSaved" || r.__typename === "GoalDeleted").length;
    const weightTotals = { performance: 0, competency: 0, coreValue: 0 };
    const payload = { results, savedCount: saved, failedCount: results.length - saved, weightTotals };
    return { data: { batchSaveGoals: payload } };
  }

  result(name: string, answer: JsonObject): JsonObject {
    const result: JsonObject = { clientId: this.clientIds.get(name) ?? name, ...(this.named(answer) as JsonObject) };
    for (const field of ["goal", "current"]) {
      const goal = result[field];
      if (typeof goal === "object" && goal !== null && !Array.isArray(goal)) {
        result[field] = this.fullGoal(name, goal);
      }
    }
    return result;
  }

  expectState(step: Step): void {
    for (const [name, wanted] of Object.entries(step.goals as Record<string, JsonObject | null>)) {
      const key = this.key(name);
      if (wanted === null) {
        check(!this.saver.keys().includes(key), `${name} is still tracked`);
        continue;
      }
      check(this.saver.has(key), `${name} is not tracked`);
      const state = this.saver.state(key);
      const seen: JsonObject = {
        state: state.state,
        id: state.id ?? null,
        version: state.version ?? null,
        problem: state.problem?.code ?? null,
        conflictVersion: state.conflict?.version ?? null,
      };
      const picked = Object.fromEntries(Object.keys(wanted).map((field) => [field, seen[field] ?? null]));
      expect(picked, `${name}: ${JSON.stringify(seen)}`).toStrictEqual(wanted);
    }
  }
}

const STEPS: Partial<Record<string, Action>> = {
  add: (run, step) => {
    run.add(step);
  },
  edit: (run, step) => {
    run.edit(step);
  },
  delete: (run, step) => {
    run.delete(step);
  },
  wait: (run, step) => run.wait(step),
  flush: (run) => {
    run.flush();
  },
  expectFlush: (run, step) => {
    run.expectFlush(step);
  },
  retry: (run, step) => {
    run.retry(step);
  },
  resolveConflict: (run, step) => {
    run.resolveConflict(step);
  },
  expectRequest: (run, step) => {
    run.expectRequest(step);
  },
  expectNoRequest: (run) => {
    run.expectNoRequest();
  },
  respond: (run, step) => {
    run.respond(step);
  },
  expectState: (run, step) => {
    run.expectState(step);
  },
  changedElsewhere: (run, step) => {
    run.changedElsewhere(step);
  },
};

async function runCase(testCase: Case): Promise<void> {
  const run = new CaseRun(testCase);
  try {
    await run.run();
  } finally {
    await run.close();
  }
}

describe("the shared auto-save cases", () => {
  it.each(FILE.cases.map((c) => [c.name, c] as const))("%s", async (_name, testCase) => {
    await runCase(testCase);
  });

  it("fails a case loudly on a step kind the runner does not know", async () => {
    // Never skipped: the case would pass unchecked.
    const unknown: Case = { name: "unknown", about: "", steps: [{ do: "expectNothingAtAll" }] };
    await expect(runCase(unknown)).rejects.toThrow(/unknown step kind "expectNothingAtAll"/);
  });

  it("fails a case whose saver sends a request the case does not expect", async () => {
    const unexpected: Case = {
      name: "unexpected",
      about: "",
      steps: [
        { do: "add", goal: "a", category: "CORE_VALUE", patch: { coreValuePlan: "M" } },
        { do: "wait", ms: 800 },
        { do: "expectNoRequest" },
      ],
    };
    await expect(runCase(unexpected)).rejects.toThrow(/step 2 .*a request the case did not expect/);
  });

  it("fails a case that ends with a request left unanswered", async () => {
    const unanswered: Case = {
      name: "unanswered",
      about: "",
      steps: [
        { do: "add", goal: "a", category: "CORE_VALUE", patch: { coreValuePlan: "M" } },
        { do: "wait", ms: 800 },
        { do: "expectRequest", items: [{ clientId: "$a", coreValue: { coreValuePlan: "M" } }] },
      ],
    };
    await expect(runCase(unanswered)).rejects.toThrow(/left unanswered/);
  });

  it("knows every step kind the cases use", () => {
    const used = new Set(FILE.cases.flatMap((c) => c.steps.map((s) => s.do)));
    expect([...used].filter((kind) => STEPS[kind] === undefined)).toEqual([]);
  });
});
