/**
 * The goal sheet (built into goalpost/web/app.js): sign in, pick org and period, edit goals as
 * cards; the package's AutoSaver saves them, one batched request per save cycle. Changes made
 * elsewhere (another person, tab or device) come in live (the package's LiveChanges, and
 * live-sheet.ts); `/?live=0` turns that off (docs/goal-sheet.md).
 *
 * Auto-save windows can be shortened for tests and demos, e.g. `/?debounceMs=100&maxWaitMs=500`
 * (also backoffBaseMs, backoffMaxMs, maxAttempts), or with `window.GOALPOST_AUTOSAVE = {...}`
 * set before this module loads.
 */
import {
  AutoSaver,
  LiveChanges,
  SaverClosed,
  type AnyPatch,
  type AutoSaveEvent,
  type GoalCategory,
  type Timing,
} from "@goalpost/client";

import { SheetApi, describeError, fetchDevTokens, type Me, type Organization, type Period, type SheetGoal } from "./api.js";
import { CATEGORIES, GoalCard, goalValues } from "./cards.js";
import { HistoryLoader, HistoryPanel } from "./history.js";
import { SheetFollower } from "./live-sheet.js";
import { clearOrgSlugCache, orgContext, switchOrg } from "./orgs.js";
import { TeamView, showReviewNote } from "./review.js";
import { clearToasts, dismissToast, showToast } from "./toasts.js";

const TOKEN_KEY = "goalpost.token"; // per tab: a pasted token is not shared with other tabs
const OPTION_NAMES = ["debounceMs", "maxWaitMs", "backoffBaseMs", "backoffMaxMs", "maxAttempts"] as const;

interface Sheet {
  api: SheetApi | null;
  me: Me | null;
  org: Organization | null;
  period: Period | null;
  saver: AutoSaver | null;
  cards: Map<string, GoalCard>;
  history: HistoryLoader | null; // the history panels' loader for the period's own goals
  team: TeamView | null; // the supervisor's view of the period (review.ts)
  live: LiveChanges | null; // the goalChanged subscription of the period (the package's)
  follower: SheetFollower | null; // what the sheet does with its notices (live-sheet.ts)
}

const sheet: Sheet = {
  api: null,
  me: null,
  org: null,
  period: null,
  saver: null,
  cards: new Map(),
  history: null,
  team: null,
  live: null,
  follower: null,
};

function $(id: string): HTMLElement {
  const element = document.getElementById(id);
  if (!element) {
    throw new Error(`the page has no #${id}`);
  }
  return element;
}

/** A control of index.html, of the kind the sheet uses it as. */
function control<T extends HTMLElement>(id: string, kind: new () => T): T {
  const element = $(id);
  if (!(element instanceof kind)) {
    throw new Error(`#${id} is not a ${kind.name}`);
  }
  return element;
}

/** What the page knows for certain once signed in and in a period. */
function signedIn(): { api: SheetApi; me: Me; org: Organization; period: Period; saver: AutoSaver } {
  const { api, me, org, period, saver } = sheet;
  if (!api || !me || !org || !period || !saver) {
    throw new Error("no period is open");
  }
  return { api, me, org, period, saver };
}

function autosaveOptions(): Partial<Timing> {
  const params = new URLSearchParams(location.search);
  const preset = globalThis.GOALPOST_AUTOSAVE ?? {};
  const options: Partial<Record<(typeof OPTION_NAMES)[number], number>> = {};
  for (const name of OPTION_NAMES) {
    const value = Number(params.get(name) ?? preset[name]);
    if (Number.isFinite(value) && value >= 0) {
      options[name] = value;
    }
  }
  return options;
}

function liveEnabled(): boolean {
  return new URLSearchParams(location.search).get("live") !== "0";
}

function setStatus(text: string): void {
  $("sheet-status").textContent = text;
}

const LOCKED_CONTROLS = ["org-select", "period-select", "sign-out"];

/** Run a step with the sheet locked, so nothing is typed into an org that is being left. */
async function locked<T>(message: string, step: () => Promise<T>): Promise<T> {
  const main = $("sheet");
  main.inert = $("team").inert = true;
  main.setAttribute("aria-busy", "true");
  for (const id of LOCKED_CONTROLS) {
    $(id).toggleAttribute("disabled", true);
  }
  setStatus(message);
  try {
    return await step();
  } finally {
    main.inert = $("team").inert = false;
    main.removeAttribute("aria-busy");
    for (const id of LOCKED_CONTROLS) {
      $(id).toggleAttribute("disabled", false);
    }
  }
}

// -- sign in --------------------------------------------------------------------------------

function showSignIn(error = ""): void {
  $("session").hidden = true;
  $("sheet").hidden = true;
  $("team").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = error;
  setStatus("");
}

async function signIn(token: string): Promise<void> {
  const api = new SheetApi(token.trim());
  let me: Me;
  try {
    me = await api.me();
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    showSignIn(`Sign-in failed ${describeError(error)}`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  Object.assign(sheet, { api, me });
  $("sign-in").hidden = true;
  $("session").hidden = false;
  $("whoami").textContent = `${me.name} (${me.email})`;
  fillOrgSelect(me.memberships);
  const last = readLast(me);
  const slugs = me.memberships.map((m) => m.organization.slug);
  const first = slugs[0];
  if (first === undefined) {
    setStatus("You are not a member of any organization.");
    return;
  }
  const slug = last.org !== undefined && slugs.includes(last.org) ? last.org : first;
  await openOrg(slug, last.periodId ?? null);
}

async function signOut(): Promise<void> {
  await locked("Saving your edits…", async () => {
    stopLive();
    await closeTeam();
    await sheet.saver?.close();
    sheet.saver = null;
  });
  sessionStorage.removeItem(TOKEN_KEY);
  clearOrgSlugCache();
  clearToasts();
  Object.assign(sheet, { api: null, me: null, org: null, period: null });
  showSignIn();
}

function fillOrgSelect(memberships: Me["memberships"]): void {
  $("org-select").replaceChildren(
    ...memberships.map((m) => new Option(`${m.organization.name} (${m.role.toLowerCase()})`, m.organization.slug)),
  );
}

function lastKey(me: Me): string {
  return `goalpost.last.${me.id}`;
}

/** The org and period this person had open last on this device (anything unreadable: none). */
function readLast(me: Me): { org?: string; periodId?: string } {
  try {
    const last: unknown = JSON.parse(localStorage.getItem(lastKey(me)) ?? "{}");
    const { org, periodId } = typeof last === "object" && last !== null ? (last as Record<string, unknown>) : {};
    return {
      ...(typeof org === "string" ? { org } : {}),
      ...(typeof periodId === "string" ? { periodId } : {}),
    };
  } catch {
    return {};
  }
}

// -- org and period -------------------------------------------------------------------------

function loadOrg(slug: string): Promise<Organization> {
  const { api } = sheet;
  if (!api) {
    throw new Error("not signed in");
  }
  return api.organization(slug);
}

async function openOrg(slug: string, periodId: string | null = null): Promise<void> {
  const org = await orgContext(slug, loadOrg);
  await showOrg(org, periodId);
}

async function showOrg(org: Organization, periodId: string | null): Promise<void> {
  sheet.org = org;
  control("org-select", HTMLSelectElement).value = org.slug;
  const select = control("period-select", HTMLSelectElement);
  select.replaceChildren(...org.periods.map((p) => new Option(`${p.name} (${p.status.toLowerCase()})`, p.id)));
  const period =
    org.periods.find((p) => p.id === periodId) ?? org.periods.find((p) => p.status === "ACTIVE") ?? org.periods[0];
  if (!period) {
    setStatus(`${org.name} has no evaluation periods yet.`);
    return;
  }
  select.value = period.id;
  await openPeriod(period);
}

async function changeOrg(slug: string): Promise<void> {
  const leaving = sheet.org;
  if (!leaving || slug === leaving.slug) {
    return;
  }
  await locked(`Saving your edits to ${leaving.name}…`, async () => {
    stopLive();
    // Flush and close the old org's saver first, then clear the org cache (docs/autosave.md).
    const org = await switchOrg(sheet.saver, slug, loadOrg);
    forgetSaver(leaving);
    await closeTeam(); // after forgetSaver, which clears the toasts: its own one stays
    await showOrg(org, null);
  });
}

async function changePeriod(periodId: string): Promise<void> {
  const { org } = sheet;
  const period = org?.periods.find((p) => p.id === periodId);
  if (!org || !period) {
    return;
  }
  await locked("Saving your edits…", async () => {
    stopLive();
    await sheet.saver?.close();
    forgetSaver(org);
    await closeTeam();
    await openPeriod(period);
  });
}

/**
 * Drop the closed saver and its toasts. Goals it could not save stay in localStorage and are
 * resent when the user comes back: say so instead of losing them silently.
 */
function forgetSaver(org: Organization): void {
  const saver = sheet.saver;
  const failed = saver ? saver.keys().filter((key) => saver.state(key).state === "error") : [];
  sheet.saver = null;
  clearToasts();
  if (failed.length > 0) {
    showToast(
      "left-behind",
      `${String(failed.length)} goal(s) in ${org.name} are not saved yet. They are kept on this ` +
        "device and sent again when you come back.",
    );
  }
}

// -- the sheet ------------------------------------------------------------------------------

async function openPeriod(period: Period): Promise<void> {
  const { api, org, me } = sheet;
  if (!api || !org || !me) {
    return;
  }
  setStatus(`Loading ${org.name} · ${period.name}…`);
  const saver = new AutoSaver(api, {
    orgSlug: org.slug,
    periodId: period.id,
    storage: localStorage,
    storageKey: `goalpost.unsaved.v1.${me.id}.${org.slug}.${period.id}`,
    keepalive: true, // every save may be the page's last: a reload or a closed tab must not cut it off
    ...autosaveOptions(),
  });
  saver.subscribe((event) => {
    onSaveEvent(saver, event);
  });
  // Edits a previous page could not save come back first, then the period's goals.
  const keys = await saver.load();
  sheet.period = period;
  sheet.saver = saver;
  sheet.history = new HistoryLoader({ api, orgSlug: org.slug, periodId: period.id, scope: "mine" });
  localStorage.setItem(lastKey(me), JSON.stringify({ org: org.slug, periodId: period.id }));
  renderCards(keys);
  $("sheet").hidden = false;
  const open = period.status === "ACTIVE";
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-add]")) {
    button.disabled = !open;
  }
  await openTeam(period);
  startLive(period);
  setStatus(open ? "" : `${period.name} is ${period.status.toLowerCase()}: goals are read-only.`);
  updateTotals();
}

/** The supervisor's view; it stays hidden for someone without direct reports. */
async function openTeam(period: Period): Promise<void> {
  const { api, org, me } = sheet;
  if (!api || !org || !me) {
    return;
  }
  const team = new TeamView({
    api,
    org,
    period,
    me,
    root: $("team"),
    storage: localStorage,
    options: autosaveOptions(),
  });
  sheet.team = team;
  try {
    await team.load();
    await team.restore(); // decisions a crashed or closed tab could not send go out now
  } catch (error) {
    const text = `Could not load your team's goals ${describeError(error)}`;
    $("team").replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
    $("team").hidden = false;
  }
}

/**
 * Follow the period's changes made elsewhere: a card refreshes in place, or shows the
 * Keep mine / Use theirs choice at once when it has edits not saved yet (live-sheet.ts).
 */
function startLive(period: Period): void {
  if (!liveEnabled()) {
    return;
  }
  const { api, org, me, saver } = signedIn();
  const follower = new SheetFollower({
    saver,
    meId: me.id,
    loadGoals: () => api.goals(org.slug, period.id),
    onNewGoal: showNewGoal,
    team: () => sheet.team,
  });
  if (sheet.team) {
    sheet.team.onIdle = () => {
      follower.wake();
    };
  }
  sheet.follower = follower;
  sheet.live = new LiveChanges({
    client: api.client,
    orgSlug: org.slug,
    periodId: period.id,
    onNotice: (notice) => {
      follower.notice(notice);
    },
    onResync: () => {
      follower.resync();
    },
    onState: (state) => {
      document.body.dataset.live = state;
    },
  }).start();
}

function stopLive(): void {
  sheet.live?.close();
  sheet.follower?.close();
  sheet.live = sheet.follower = null;
}

/** A goal created elsewhere (another tab of mine): its card appears. */
function showNewGoal(goal: SheetGoal): void {
  if (sheet.cards.has(goal.clientId)) {
    return;
  }
  const card = addCard(goal.clientId, goal.category, goal.status, goalValues(goal));
  card.setGoal(goal);
  showReviewNote(card.element, goal.review);
  refreshCard(goal.clientId);
  updateTotals();
}

/** Send the decisions still queued, then hide the view (leaving the period or the org). */
async function closeTeam(): Promise<void> {
  const unsent = (await sheet.team?.close()) ?? 0;
  sheet.team = null;
  $("team").hidden = true;
  if (unsent) {
    // Like edits, they stay in localStorage (review-queue.ts): say so rather than look done.
    showToast(
      "decisions-left",
      `${String(unsent)} review decision(s) could not be sent. They are kept on this device and sent ` +
        "again when you come back.",
    );
  }
}

/** A card per goal the saver knows: the server's (with any unsaved edits on top), then edits
 * storage brought back for goals the server does not have yet. */
function renderCards(keys: readonly string[]): void {
  const { saver } = signedIn();
  sheet.cards.clear();
  for (const category of CATEGORIES) {
    document.querySelector(`[data-cards-for="${category}"]`)?.replaceChildren();
  }
  for (const key of keys) {
    const { category, goal, unsaved } = saver.state(key);
    const shown = goal as SheetGoal | undefined; // read by SheetApi.myGoals, review included
    const card = addCard(key, category, shown?.status ?? null, { ...(shown ? goalValues(shown) : {}), ...unsaved });
    if (shown) {
      card.setGoal(shown);
      showReviewNote(card.element, shown.review);
    }
    refreshCard(key);
  }
}

function addCard(key: string, category: GoalCategory, status: SheetGoal["status"] | null, values: AnyPatch): GoalCard {
  const { org, period } = signedIn();
  const loader = sheet.history;
  if (!loader) {
    throw new Error("no period is open");
  }
  const card = new GoalCard({
    key,
    category,
    values,
    status,
    competencies: org.competencies,
    periodOpen: period.status === "ACTIVE",
    onEdit: (patch) => {
      edit(key, category, patch);
    },
    onDelete: () => {
      removeGoal(key);
    },
  });
  const history = new HistoryPanel({
    loader,
    goalId: () => card.element.dataset.goalId,
    competencies: org.competencies,
  });
  card.element.append(history.element);
  sheet.cards.set(key, card);
  document.querySelector(`[data-cards-for="${category}"]`)?.append(card.element);
  return card;
}

function refreshCard(key: string): void {
  const card = sheet.cards.get(key);
  const saver = sheet.saver;
  if (card && saver?.has(key)) {
    const state = saver.state(key);
    card.setSaveState(state.state, state.message);
  }
}

function addGoal(category: GoalCategory): void {
  const { saver } = signedIn();
  const key = saver.add(category, {});
  const card = addCard(key, category, null, {});
  refreshCard(key);
  updateTotals();
  card.element.querySelector<HTMLElement>("input, textarea")?.focus();
}

function edit(key: string, category: GoalCategory, patch: AnyPatch): void {
  try {
    sheet.saver?.edit(key, category, patch);
  } catch (error) {
    if (!(error instanceof SaverClosed)) {
      throw error;
    }
  }
  updateTotals();
}

function removeGoal(key: string): void {
  const card = sheet.cards.get(key);
  card?.markDeleting();
  updateTotals();
  sheet.saver?.delete(key);
}

/** Live totals from what the cards show, unsaved edits included. */
function updateTotals(): void {
  for (const category of CATEGORIES) {
    const cards = [...sheet.cards.values()].filter((c) => c.category === category && !c.deleting);
    const total = Math.round(cards.reduce((sum, c) => sum + c.weight, 0) * 100) / 100;
    const output = document.querySelector<HTMLOutputElement>(`[data-total-for="${category}"]`);
    if (!output) {
      continue;
    }
    output.textContent =
      category === "PERFORMANCE" ? `Total weight: ${String(total)} / 100` : `Total weight: ${String(total)}`;
    output.dataset.total = String(total);
    output.classList.toggle("off-target", category === "PERFORMANCE" && total !== 100);
  }
}

// -- save events → badges and toasts --------------------------------------------------------

function onSaveEvent(saver: AutoSaver, event: AutoSaveEvent): void {
  if (saver !== sheet.saver) {
    return; // a closed saver of an org we left, or one still loading
  }
  sheet.follower?.wake(); // a save came back: notices waiting for it are looked at again
  const card = sheet.cards.get(event.key);
  if (event.restored) {
    showRestored(event.key, card);
    return;
  }
  if (!card) {
    return;
  }
  if (event.deleted) {
    card.element.remove();
    sheet.cards.delete(event.key);
    dismissToast(event.key);
    updateTotals();
    return;
  }
  if (event.refreshed && event.goal) {
    showRefreshed(card, event.goal as SheetGoal, saver.state(event.key).unsaved);
    return;
  }
  card.setSaveState(event.state, event.message);
  if ((event.state === "saved" || event.state === "saving") && event.goal) {
    card.setGoal(event.goal);
  }
  card.setFieldErrors(event.problem?.fieldErrors ?? []);
  if (event.state === "error") {
    failureToast(card, event);
  } else {
    dismissToast(event.key);
  }
}

/** Changed elsewhere (or our own write, whose answer was lost, seen at last): the card shows the
 * goal as it is now, with whatever typed here still waits on top. */
function showRefreshed(card: GoalCard, goal: SheetGoal, waiting: AnyPatch): void {
  card.setValues({ ...goalValues(goal), ...waiting });
  card.setGoal(goal);
  card.setFieldErrors([]);
  showReviewNote(card.element, goal.review);
  updateTotals();
}

/** Edits another tab of this sheet left when it closed or crashed came back into this one. */
function showRestored(key: string, card: GoalCard | undefined): void {
  const { saver } = signedIn();
  const { category, unsaved } = saver.state(key);
  if (card) {
    card.setValues(unsaved);
  } else {
    addCard(key, category, null, unsaved);
  }
  refreshCard(key);
  updateTotals();
}

function failureToast(card: GoalCard, event: AutoSaveEvent): void {
  const { key, problem } = event;
  const saver = sheet.saver;
  if (!saver) {
    return;
  }
  const message = `Could not save “${card.shortLabel}”: ${event.message ?? ""}`;
  const current = problem?.code === "VERSION_CONFLICT" ? problem.current : undefined;
  if (current) {
    const text = problem?.live
      ? `Someone else changed “${card.shortLabel}” (now version ${String(current.version)}) ` +
        "while you were editing it: your edits are not saved yet."
      : `${message} Someone else changed it.`;
    showToast(key, text, [
      {
        label: "Keep mine",
        ariaLabel: `Keep mine for ${card.shortLabel}`,
        onClick: () => {
          saver.resolveConflict(key, "mine");
        },
      },
      {
        label: "Use theirs",
        ariaLabel: `Use theirs for ${card.shortLabel}`,
        onClick: () => {
          const theirs = current as SheetGoal;
          saver.resolveConflict(key, "theirs");
          card.unmarkDeleting();
          card.setValues(goalValues(theirs));
          card.setGoal(theirs);
          showReviewNote(card.element, theirs.review);
          updateTotals();
        },
      },
    ]);
    return;
  }
  showToast(key, message, [
    {
      label: "Retry",
      ariaLabel: `Retry saving ${card.shortLabel}`,
      onClick: () => {
        saver.retry(key);
      },
    },
  ]);
}

/** Event handlers cannot await: show what failed instead of losing it in the console. */
function reported(promise: Promise<unknown>): void {
  promise.catch((error: unknown) => {
    console.error(error);
    setStatus(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
  });
}

// -- wiring ---------------------------------------------------------------------------------

/** Closing or hiding the page: send what is pending now, with keepalive (docs/autosave.md). */
function flushOnHide(): void {
  sheet.saver?.flushOnHide();
  sheet.team?.flushOnHide();
}

function wire(): void {
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    reported(signIn(control("token-input", HTMLTextAreaElement).value));
  });
  $("dev-form").addEventListener("submit", (event) => {
    event.preventDefault();
    reported(signIn(control("dev-user", HTMLSelectElement).value));
  });
  $("sign-out").addEventListener("click", () => {
    reported(signOut());
  });
  $("org-select").addEventListener("change", (event) => {
    reported(changeOrg((event.target as HTMLSelectElement).value));
  });
  $("period-select").addEventListener("change", (event) => {
    reported(changePeriod((event.target as HTMLSelectElement).value));
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-add]")) {
    button.addEventListener("click", () => {
      addGoal(button.dataset.add as GoalCategory);
    });
  }
  addEventListener("pagehide", flushOnHide);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      flushOnHide();
    }
  });
}

async function offerDevTokens(): Promise<void> {
  const tokens = await fetchDevTokens();
  if (tokens.length === 0) {
    return;
  }
  $("dev-user").replaceChildren(...tokens.map((t) => new Option(`${t.full_name} — ${t.memberships.join(", ")}`, t.token)));
  $("dev-form").hidden = false;
}

async function boot(): Promise<void> {
  wire();
  await offerDevTokens();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    await signIn(token);
  } else {
    showSignIn();
  }
  document.body.dataset.ready = "true";
}

reported(boot());
