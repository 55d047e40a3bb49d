/**
 * The goal sheet: sign in, pick org and period, edit goals as cards; autosave.js saves them,
 * one batched request per save cycle. Changes made elsewhere (another person, tab or device)
 * come in live (live.js, live-sheet.js); `/?live=0` turns that off.
 *
 * Auto-save windows can be shortened for tests and demos, e.g. `/?debounceMs=100&maxWaitMs=500`
 * (also backoffBaseMs, backoffMaxMs, maxAttempts), or with `window.GOALPOST_AUTOSAVE = {...}`
 * set before this module loads.
 */

import { GoalpostApi, fetchDevTokens } from "./api.js";
import { AutoSaver, SaverClosed, clearOrgSlugCache, orgContext, switchOrg } from "./autosave.js";
import { CATEGORIES, GoalCard, goalValues } from "./cards.js";
import { HistoryLoader, HistoryPanel } from "./history.js";
import { LiveChanges } from "./live.js";
import { SheetFollower } from "./live-sheet.js";
import { TeamView, showReviewNote } from "./review.js";
import { clearToasts, dismissToast, showToast } from "./toasts.js";

const TOKEN_KEY = "goalpost.token"; // per tab: a pasted token is not shared with other tabs
const OPTION_NAMES = ["debounceMs", "maxWaitMs", "backoffBaseMs", "backoffMaxMs", "maxAttempts"];

const $ = (id) => document.getElementById(id);

const sheet = {
  api: null,
  me: null,
  org: null,
  period: null,
  saver: null,
  cards: new Map(),
  history: null, // the history panels' loader for the period's own goals
  team: null, // the supervisor's view of the period (review.js)
  live: null, // the goalChanged subscription of the period (live.js)
  follower: null, // what the sheet does with its notices (live-sheet.js)
};

function autosaveOptions() {
  const params = new URLSearchParams(location.search);
  const preset = globalThis.GOALPOST_AUTOSAVE ?? {};
  const options = {};
  for (const name of OPTION_NAMES) {
    const value = Number(params.get(name) ?? preset[name]);
    if (Number.isFinite(value) && value >= 0) options[name] = value;
  }
  return options;
}

function liveEnabled() {
  return new URLSearchParams(location.search).get("live") !== "0";
}

function setStatus(text) {
  $("sheet-status").textContent = text;
}

/** Run a step with the sheet locked, so nothing is typed into an org that is being left. */
async function locked(message, step) {
  const main = $("sheet");
  main.inert = $("team").inert = true;
  main.setAttribute("aria-busy", "true");
  for (const id of ["org-select", "period-select", "sign-out"]) $(id).disabled = true;
  setStatus(message);
  try {
    return await step();
  } finally {
    main.inert = $("team").inert = false;
    main.removeAttribute("aria-busy");
    for (const id of ["org-select", "period-select", "sign-out"]) $(id).disabled = false;
  }
}

// -- sign in --------------------------------------------------------------------------------

async function showSignIn(error = "") {
  $("session").hidden = true;
  $("sheet").hidden = true;
  $("team").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = error;
  setStatus("");
}

async function signIn(token) {
  const api = new GoalpostApi(token.trim());
  let me;
  try {
    me = await api.me();
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    await showSignIn(`Sign-in failed (${error.code ?? "error"}): ${error.message}`);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  Object.assign(sheet, { api, me });
  $("sign-in").hidden = true;
  $("session").hidden = false;
  $("whoami").textContent = `${me.name} (${me.email})`;
  fillOrgSelect(me.memberships);
  const last = readLast();
  const slugs = me.memberships.map((m) => m.organization.slug);
  if (slugs.length === 0) {
    setStatus("You are not a member of any organization.");
    return;
  }
  const slug = slugs.includes(last.org) ? last.org : slugs[0];
  await openOrg(slug, last.periodId);
}

async function signOut() {
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
  await showSignIn();
}

function fillOrgSelect(memberships) {
  const select = $("org-select");
  select.replaceChildren(
    ...memberships.map(
      (m) => new Option(`${m.organization.name} (${m.role.toLowerCase()})`, m.organization.slug),
    ),
  );
}

function lastKey() {
  return `goalpost.last.${sheet.me.id}`;
}

function readLast() {
  try {
    return JSON.parse(localStorage.getItem(lastKey()) ?? "{}");
  } catch {
    return {};
  }
}

// -- org and period -------------------------------------------------------------------------

const loadOrg = (slug) => sheet.api.organization(slug);

async function openOrg(slug, periodId = null) {
  const org = await orgContext(slug, loadOrg);
  await showOrg(org, periodId);
}

async function showOrg(org, periodId) {
  sheet.org = org;
  $("org-select").value = org.slug;
  const select = $("period-select");
  select.replaceChildren(
    ...org.periods.map((p) => new Option(`${p.name} (${p.status.toLowerCase()})`, p.id)),
  );
  const period =
    org.periods.find((p) => p.id === periodId) ??
    org.periods.find((p) => p.status === "ACTIVE") ??
    org.periods[0];
  if (!period) {
    setStatus(`${org.name} has no evaluation periods yet.`);
    return;
  }
  select.value = period.id;
  await openPeriod(period);
}

async function changeOrg(slug) {
  if (slug === sheet.org?.slug) return;
  const leaving = sheet.org;
  await locked(`Saving your edits to ${leaving.name}…`, async () => {
    stopLive();
    // Flush and close the old org's saver first, then clear the org cache (docs/autosave.md).
    const org = await switchOrg(sheet.saver, slug, loadOrg);
    forgetSaver(leaving);
    await closeTeam(); // after forgetSaver, which clears the toasts: its own one stays
    await showOrg(org, null);
  });
}

async function changePeriod(periodId) {
  const period = sheet.org.periods.find((p) => p.id === periodId);
  await locked("Saving your edits…", async () => {
    stopLive();
    await sheet.saver?.close();
    forgetSaver(sheet.org);
    await closeTeam();
    await openPeriod(period);
  });
}

/**
 * Drop the closed saver and its toasts. Goals it could not save stay in localStorage and are
 * resent when the user comes back: say so instead of losing them silently.
 */
function forgetSaver(org) {
  const failed = [...(sheet.saver?.states().values() ?? [])].filter((s) => s.state === "error");
  sheet.saver = null;
  clearToasts();
  if (failed.length) {
    showToast(
      "left-behind",
      `${failed.length} goal(s) in ${org.name} are not saved yet. They are kept on this ` +
        "device and sent again when you come back.",
    );
  }
}

// -- the sheet ------------------------------------------------------------------------------

async function openPeriod(period) {
  const { api, org, me } = sheet;
  setStatus(`Loading ${org.name} · ${period.name}…`);
  const goals = await api.myGoals(org.slug, period.id);
  sheet.period = period;
  sheet.history = new HistoryLoader({
    api,
    orgSlug: org.slug,
    periodId: period.id,
    scope: "mine",
  });
  localStorage.setItem(lastKey(), JSON.stringify({ org: org.slug, periodId: period.id }));
  const saver = new AutoSaver({
    transport: api,
    orgSlug: org.slug,
    periodId: period.id,
    storage: localStorage,
    storageKey: `goalpost.unsaved.v1.${me.id}.${org.slug}.${period.id}`,
    ...autosaveOptions(),
  });
  sheet.saver = saver;
  saver.subscribe((event) => onSaveEvent(saver, event));
  for (const goal of goals) saver.track(goal);
  // Edits a previous page could not save come back first, so the cards show them.
  const restored = (await saver.restore()).filter(
    (key) => !goals.some((g) => g.clientId === key),
  );
  renderCards(goals);
  for (const key of restored)
    addCard(key, saver.state(key).category, null, saver.state(key).unsaved);
  for (const key of saver.states().keys()) refreshCard(key);
  $("sheet").hidden = false;
  const open = period.status === "ACTIVE";
  for (const button of document.querySelectorAll("[data-add]")) button.disabled = !open;
  await openTeam(period);
  startLive(period);
  setStatus(open ? "" : `${period.name} is ${period.status.toLowerCase()}: goals are read-only.`);
  updateTotals();
}

/** The supervisor's view; it stays hidden for someone without direct reports. */
async function openTeam(period) {
  const { api, org, me } = sheet;
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
    const text = `Could not load your team's goals (${error.code ?? "error"}): ${error.message}`;
    $("team").replaceChildren(Object.assign(document.createElement("p"), { textContent: text }));
    $("team").hidden = false;
  }
}

/**
 * Follow the period's changes made elsewhere: a card refreshes in place, or shows the
 * Keep mine / Use theirs choice at once when it has edits not saved yet (live-sheet.js).
 */
function startLive(period) {
  if (!liveEnabled()) return;
  const { api, org, me, saver } = sheet;
  const follower = new SheetFollower({
    saver,
    meId: me.id,
    loadGoals: () => api.myGoals(org.slug, period.id),
    onNewGoal: showNewGoal,
    team: () => sheet.team,
  });
  if (sheet.team) sheet.team.onIdle = () => follower.wake();
  sheet.follower = follower;
  sheet.live = new LiveChanges({
    api,
    orgSlug: org.slug,
    periodId: period.id,
    onNotice: (notice) => follower.notice(notice),
    onResync: () => follower.resync(),
    onState: (state) => {
      document.body.dataset.live = state;
    },
  }).start();
}

function stopLive() {
  sheet.live?.close();
  sheet.follower?.close();
  sheet.live = sheet.follower = null;
}

/** A goal created elsewhere (another tab of mine): its card appears. */
function showNewGoal(goal) {
  if (sheet.cards.has(goal.clientId)) return;
  const card = addCard(goal.clientId, goal.category, goal.status, goalValues(goal));
  card.setGoal(goal);
  showReviewNote(card.element, goal.review);
  refreshCard(goal.clientId);
  updateTotals();
}

/** Send the decisions still queued, then hide the view (leaving the period or the org). */
async function closeTeam() {
  const unsent = (await sheet.team?.close()) ?? 0;
  sheet.team = null;
  $("team").hidden = true;
  if (unsent) {
    // Like edits, they stay in localStorage (review-queue.js): say so rather than look done.
    showToast(
      "decisions-left",
      `${unsent} review decision(s) could not be sent. They are kept on this device and sent ` +
        "again when you come back.",
    );
  }
}

function renderCards(goals) {
  sheet.cards.clear();
  for (const category of CATEGORIES)
    document.querySelector(`[data-cards-for="${category}"]`).replaceChildren();
  for (const goal of goals) {
    const unsaved = sheet.saver.state(goal.clientId).unsaved;
    const card = addCard(goal.clientId, goal.category, goal.status, {
      ...goalValues(goal),
      ...unsaved,
    });
    card.setGoal(goal);
    showReviewNote(card.element, goal.review);
  }
}

function addCard(key, category, status, values) {
  const card = new GoalCard({
    key,
    category,
    values,
    status,
    competencies: sheet.org.competencies,
    periodOpen: sheet.period.status === "ACTIVE",
    onEdit: (patch) => edit(key, patch),
    onDelete: () => removeGoal(key),
  });
  const history = new HistoryPanel({
    loader: sheet.history,
    goalId: () => card.element.dataset.goalId,
    competencies: sheet.org.competencies,
  });
  card.element.append(history.element);
  sheet.cards.set(key, card);
  document.querySelector(`[data-cards-for="${category}"]`).append(card.element);
  return card;
}

function refreshCard(key) {
  const card = sheet.cards.get(key);
  const state = sheet.saver.state(key);
  card?.setSaveState(state.state, state.message);
}

function addGoal(category) {
  const key = sheet.saver.add(category, {});
  const card = addCard(key, category, null, {});
  refreshCard(key);
  updateTotals();
  card.element.querySelector("input, textarea")?.focus();
}

function edit(key, patch) {
  try {
    sheet.saver.edit(key, patch);
  } catch (error) {
    if (!(error instanceof SaverClosed)) throw error;
  }
  updateTotals();
}

function removeGoal(key) {
  const card = sheet.cards.get(key);
  card.markDeleting();
  updateTotals();
  sheet.saver.delete(key);
}

/** Live totals from what the cards show, unsaved edits included. */
function updateTotals() {
  for (const category of CATEGORIES) {
    const cards = [...sheet.cards.values()].filter((c) => c.category === category && !c.deleting);
    const total = Math.round(cards.reduce((sum, c) => sum + c.weight, 0) * 100) / 100;
    const output = document.querySelector(`[data-total-for="${category}"]`);
    output.textContent =
      category === "PERFORMANCE" ? `Total weight: ${total} / 100` : `Total weight: ${total}`;
    output.dataset.total = String(total);
    output.classList.toggle("off-target", category === "PERFORMANCE" && total !== 100);
  }
}

// -- save events → badges and toasts --------------------------------------------------------

function onSaveEvent(saver, event) {
  if (saver !== sheet.saver) return; // a closed saver of an org we left
  sheet.follower?.wake(); // a save came back: notices waiting for it are looked at again
  const card = sheet.cards.get(event.key);
  if (event.restored) return showRestored(event.key, card);
  if (!card) return;
  if (event.deleted) {
    card.element.remove();
    sheet.cards.delete(event.key);
    dismissToast(event.key);
    updateTotals();
    return;
  }
  if (event.refreshed) return showRefreshed(card, event.goal);
  card.setSaveState(event.state, event.message);
  if (event.state === "saved" || event.state === "saving") card.setGoal(event.goal);
  card.setFieldErrors(event.problem?.fieldErrors ?? []);
  if (event.state === "error") failureToast(card, event);
  else dismissToast(event.key);
}

/** Changed elsewhere, nothing typed here waiting: the card shows the goal as it is now. */
function showRefreshed(card, goal) {
  card.setValues(goalValues(goal));
  card.setGoal(goal);
  card.setFieldErrors([]);
  showReviewNote(card.element, goal.review);
  updateTotals();
}

/** Edits another tab of this sheet left when it closed or crashed came back into this one. */
function showRestored(key, card) {
  const { category, unsaved } = sheet.saver.state(key);
  if (card) card.setValues(unsaved);
  else addCard(key, category, null, unsaved);
  refreshCard(key);
  updateTotals();
}

function failureToast(card, event) {
  const key = event.key;
  const message = `Could not save “${card.shortLabel}”: ${event.message}`;
  if (event.problem?.code === "VERSION_CONFLICT") {
    const text = event.problem.live
      ? `Someone else changed “${card.shortLabel}” (now version ${event.problem.current.version}) ` +
        "while you were editing it: your edits are not saved yet."
      : `${message} Someone else changed it.`;
    showToast(key, text, [
      {
        label: "Keep mine",
        ariaLabel: `Keep mine for ${card.shortLabel}`,
        onClick: () => sheet.saver.resolveConflict(key, "mine"),
      },
      {
        label: "Use theirs",
        ariaLabel: `Use theirs for ${card.shortLabel}`,
        onClick: () => {
          const current = event.problem.current;
          sheet.saver.resolveConflict(key, "theirs");
          card.unmarkDeleting();
          card.setValues(goalValues(current));
          card.setGoal(current);
          showReviewNote(card.element, current.review);
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
      onClick: () => sheet.saver.retry(key),
    },
  ]);
}

/** Event handlers cannot await: show what failed instead of losing it in the console. */
function reported(promise) {
  promise.catch((error) => {
    console.error(error);
    setStatus(`Something went wrong: ${error.message}`);
  });
}

// -- wiring ---------------------------------------------------------------------------------

function wire() {
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    reported(signIn($("token-input").value));
  });
  $("dev-form").addEventListener("submit", (event) => {
    event.preventDefault();
    reported(signIn($("dev-user").value));
  });
  $("sign-out").addEventListener("click", () => reported(signOut()));
  $("org-select").addEventListener("change", (event) => reported(changeOrg(event.target.value)));
  $("period-select").addEventListener("change", (event) =>
    reported(changePeriod(event.target.value)),
  );
  for (const button of document.querySelectorAll("[data-add]")) {
    button.addEventListener("click", () => addGoal(button.dataset.add));
  }
  // Closing or hiding the page: send what is pending now, with keepalive (docs/autosave.md).
  addEventListener("pagehide", () => {
    sheet.saver?.flushOnHide();
    sheet.team?.flushOnHide();
  });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") {
      sheet.saver?.flushOnHide();
      sheet.team?.flushOnHide();
    }
  });
}

async function offerDevTokens() {
  const tokens = await fetchDevTokens();
  if (tokens.length === 0) return;
  $("dev-user").replaceChildren(
    ...tokens.map((t) => new Option(`${t.full_name} — ${t.memberships.join(", ")}`, t.token)),
  );
  $("dev-form").hidden = false;
}

async function boot() {
  wire();
  await offerDevTokens();
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) await signIn(token);
  else await showSignIn();
  document.body.dataset.ready = "true";
}

reported(boot());
