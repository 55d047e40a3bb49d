/** The goal sheet's GraphQL client: one `fetch` per operation, errors as ApiError. */

// The fragments come from the server, generated from the Python client's (one copy).
// A goal's review (a returned goal's comment) is shown on the owner's card: read it too.
import { GOAL_FIELDS, REVIEW_FIELDS, SAVE_RESULT_FIELDS } from "./documents.js";

const ME = `query Me {
  me { id email name memberships { role organization { slug name } } }
}`;

const ORGANIZATION = `query Organization($slug: String!) {
  organization(slug: $slug) {
    slug name
    competencies { id name idealActions }
    periods { id name status startsOn endsOn }
  }
}`;

const MY_GOALS = `query MyGoals($slug: String!, $periodId: ID!) {
  organization(slug: $slug) { period(id: $periodId) { myGoals { ...GoalFields ${REVIEW_FIELDS} } } }
}
${GOAL_FIELDS}`;

const BATCH_SAVE = `mutation BatchSaveGoals($input: BatchSaveGoalsInput!) {
  batchSaveGoals(input: $input) {
    results { ...SaveResultFields }
    savedCount failedCount
    weightTotals { performance competency coreValue }
  }
}
${SAVE_RESULT_FIELDS}
${GOAL_FIELDS}`;

// Browsers refuse keepalive bodies over 64 KiB (all in-flight keepalive requests together).
const KEEPALIVE_MAX_BYTES = 60_000;

export class ApiError extends Error {
  constructor(message, { code = "UNKNOWN", retryable = false, status = 0, errors = [] } = {}) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.retryable = retryable;
    this.status = status;
    this.errors = errors; // every GraphQL error (a BAD_USER_INPUT per bad item, with its path)
  }
}

function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

export class GoalpostApi {
  constructor(token, url = "/graphql") {
    this.token = token;
    this.url = url;
  }

  /**
   * POST one operation. `keepalive` lets the request outlive the page (pagehide, reload);
   * `fetch` is called synchronously so an unload handler still gets it out.
   */
  async request(operationName, query, variables, { keepalive = false } = {}) {
    const body = JSON.stringify({ operationName, query, variables });
    let response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          authorization: `Bearer ${this.token}`,
        },
        body,
        keepalive: keepalive && byteLength(body) <= KEEPALIVE_MAX_BYTES,
      });
    } catch (error) {
      throw new ApiError(`network error: ${error.message}`, { code: "NETWORK", retryable: true });
    }
    return this._read(response);
  }

  async _read(response) {
    const status = response.status;
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      // A cut-off or non-JSON answer (a proxy's error page) says nothing about our data.
      throw new ApiError(`HTTP ${status} without a GraphQL answer`, {
        code: `HTTP_${status}`,
        retryable: status === 200 || status === 429 || status >= 500,
        status,
      });
    }
    const first = payload?.errors?.[0];
    if (first) {
      const code = first.extensions?.code ?? `HTTP_${status}`;
      const retryable = Boolean(first.extensions?.retryable);
      throw new ApiError(first.message, { code, retryable, status, errors: payload.errors });
    }
    if (!response.ok || !payload?.data) {
      throw new ApiError(`HTTP ${status}`, {
        code: `HTTP_${status}`,
        retryable: status === 429 || status >= 500,
        status,
      });
    }
    return payload.data;
  }

  async me() {
    return (await this.request("Me", ME, {})).me;
  }

  async organization(slug) {
    return (await this.request("Organization", ORGANIZATION, { slug })).organization;
  }

  async myGoals(slug, periodId) {
    const data = await this.request("MyGoals", MY_GOALS, { slug, periodId });
    return data.organization.period.myGoals;
  }

  /** One save cycle: `batchSaveGoals` with every due goal, sent with keepalive. */
  async batchSave(orgSlug, periodId, items) {
    const input = { orgSlug, periodId, items };
    const data = await this.request("BatchSaveGoals", BATCH_SAVE, { input }, { keepalive: true });
    return data.batchSaveGoals;
  }
}

/** Demo users' tokens, offered only by a dev-mode server (404 elsewhere: no picker). */
export async function fetchDevTokens() {
  try {
    const response = await fetch("/dev/tokens", { headers: { accept: "application/json" } });
    return response.ok ? await response.json() : [];
  } catch {
    return [];
  }
}
