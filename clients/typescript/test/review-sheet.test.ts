// @vitest-environment jsdom
/** The supervisor's team view (sheet/review.ts) in a DOM against the real server: the reports'
 * goals grouped by owner, Approve / Return on the submitted ones only, and a decision the
 * server refuses shown on its row. (No decision is taken: the shared demo data stays.) */
import { afterEach, describe, expect, inject, it } from "vitest";

import { SheetApi } from "../sheet/api.js";
import { TeamView, showReviewNote } from "../sheet/review.js";

const server = inject("goalpost");
const views: TeamView[] = [];

afterEach(async () => {
  await Promise.all(views.splice(0).map((view) => view.close()));
  document.body.replaceChildren();
});

async function teamView(): Promise<{ view: TeamView; root: HTMLElement }> {
  const api = new SheetApi(server.tokens.carol, server.url);
  const me = await api.me();
  const org = await api.organization(server.orgSlug);
  const period = org.periods.find((p) => p.id === server.periodId);
  if (!period) {
    throw new Error("no active period");
  }
  const root = document.createElement("section");
  root.id = "team";
  root.hidden = true;
  document.body.append(root);
  const view = new TeamView({ api, org, period, me, root, storage: null, options: { debounceMs: 10, maxWaitMs: 50 } });
  views.push(view);
  await view.load();
  return { view, root };
}

function row(root: HTMLElement, title: string): HTMLElement {
  const found = [...root.querySelectorAll<HTMLElement>("article.team-goal")].find(
    (article) => article.querySelector("h4")?.textContent === title,
  );
  if (!found) {
    throw new Error(`no row ${title}`);
  }
  return found;
}

function button(scope: HTMLElement, name: RegExp): HTMLButtonElement {
  const found = [...scope.querySelectorAll("button")].find((b) => name.test(b.getAttribute("aria-label") ?? b.textContent));
  if (!found) {
    throw new Error(`no button ${String(name)}`);
  }
  return found;
}

describe("TeamView", () => {
  it("shows the reports' goals by owner, with a decision only on the submitted ones", async () => {
    const { view, root } = await teamView();
    expect(root.hidden).toBe(false);
    expect(root.querySelector("h2#team-title")?.textContent).toBe("Team goals");
    expect(root.querySelector('[data-owner="alice@acme.example"] > h3')?.textContent).toBe("Alice Anders (alice@acme.example)");
    expect(root.querySelector('output[aria-label="Decisions waiting"]')?.textContent).toBe("No decisions waiting");

    const submitted = row(root, "Reduce churn");
    expect(submitted.dataset.status).toBe("SUBMITTED");
    expect(submitted.dataset.owner).toBe("alice@acme.example");
    expect(submitted.getAttribute("aria-labelledby")).toBe(`team-goal-${submitted.dataset.goalId ?? ""}`);
    expect(submitted.querySelector<HTMLElement>(".decision")?.hidden).toBe(false);
    expect(submitted.querySelector(".team-fields")?.textContent).toContain("Churn under 3%");
    expect(submitted.querySelector(".team-fields")?.textContent).toContain("Quantitative");
    expect(button(submitted, /^Approve Reduce churn \(Alice Anders\)$/).disabled).toBe(false);
    expect(submitted.querySelector("details.history summary")?.getAttribute("aria-label")).toBe(
      "History of Reduce churn (Alice Anders)",
    );
    expect(view.versionOf(submitted.dataset.goalId ?? "")).toBe(Number(submitted.dataset.version));

    const rejected = row(root, "Be more awesome");
    expect(rejected.querySelector<HTMLElement>(".decision")?.hidden).toBe(true);
    expect(rejected.querySelector(".review-note")?.textContent).toMatch(/^Returned by Carol Chen · \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
  });

  it("asks for a comment to return, and shows the server's refusal of one too long", async () => {
    const { view, root } = await teamView();
    const submitted = row(root, "Reduce churn");
    const comment = submitted.querySelector("textarea");
    if (!comment) {
      throw new Error("no comment field");
    }
    button(submitted, /^Return /).click();
    expect(submitted.querySelector(".field-error")?.textContent).toBe(
      "Write a comment to return this goal: tell Alice Anders why.",
    );
    expect(comment.hasAttribute("aria-invalid")).toBe(true);
    expect(view.busy).toBe(false);

    comment.value = "x".repeat(2001);
    comment.dispatchEvent(new Event("input"));
    expect(comment.hasAttribute("aria-invalid")).toBe(false);
    button(submitted, /^Return /).click();
    expect(submitted.querySelector(".decision-state")?.textContent).toBe("Return: waiting to be sent");
    expect(root.querySelector("output.decisions-waiting")?.textContent).toBe("1 decision(s) waiting to be sent");
    await view.flush();
    expect(submitted.querySelector(".decision-state")?.textContent).toBe("Not decided");
    expect(submitted.querySelector(".field-error")?.textContent).toContain("2000");
    expect(submitted.dataset.status).toBe("SUBMITTED");
    expect(await view.close()).toBe(0);
  });

  it("puts a review note under a card's head, and takes it away", () => {
    const card = document.createElement("article");
    card.append(document.createElement("header"), document.createElement("div"));
    const review = {
      __typename: "GoalReview",
      decision: "APPROVE",
      comment: "Good one",
      reviewedAt: "2026-05-04T09:12:30Z",
      reviewer: { __typename: "User", id: "u", name: "Carol Chen" },
    } as const;
    showReviewNote(card, review);
    expect(card.children[1]?.className).toBe("review-note");
    expect(card.children[1]?.textContent).toBe("Approved by Carol Chen · 2026-05-04 09:12 UTC: Good one");
    expect(card.querySelector(".review-note q")?.textContent).toBe("Good one");
    showReviewNote(card, null);
    expect(card.querySelector(".review-note")).toBeNull();
  });
});
