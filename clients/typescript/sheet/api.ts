/**
 * The goal sheet's GraphQL access: the package's GoalpostClient for the page's own server, and
 * the sheet's own typed operations (sheet/operations/: sign-in, organizations, goals with their
 * review). Saving and live changes are the package's; the sheet adds nothing to them.
 */
import {
  GoalpostClient,
  isGoalpostError,
  type AutoSaverClient,
  type BatchSaveGoalsPayload,
  type GoalBatchItemInput,
  type OperationDocument,
  type PeriodRef,
  type RequestOptions,
} from "@goalpost/client";

import {
  MeDocument,
  OrganizationDocument,
  MyGoalsDocument,
  type MeQuery,
  type OrganizationQuery,
  type MyGoalsQuery,
} from "./generated/graphql.js";

export type Me = MeQuery["me"];
export type Organization = OrganizationQuery["organization"];
export type Period = Organization["periods"][number];
export type Competency = Organization["competencies"][number];
/** A goal as the sheet shows it: the package's goal fields and its review. */
export type SheetGoal = MyGoalsQuery["organization"]["period"]["myGoals"][number];

/** One signed-in page's access to the API it was served by. */
export class SheetApi implements AutoSaverClient {
  readonly client: GoalpostClient;

  constructor(
    readonly token: string,
    url: string = new URL("/graphql", location.href).href,
  ) {
    this.client = new GoalpostClient({ url, token });
  }

  async me(): Promise<Me> {
    return (await this.client.execute(MeDocument, {})).me;
  }

  async organization(slug: string): Promise<Organization> {
    return (await this.client.execute(OrganizationDocument, { slug })).organization;
  }

  /** The caller's goals of a period, with each one's review. */
  async goals(orgSlug: string, periodId: string): Promise<SheetGoal[]> {
    const data = await this.client.execute(MyGoalsDocument, { orgSlug, periodId });
    return data.organization.period.myGoals;
  }

  // -- what the package's AutoSaver asks of its client ------------------------------------------

  batchSaveGoals(
    input: { orgSlug: string; periodId: string; items: GoalBatchItemInput[] },
    options?: RequestOptions,
  ): Promise<BatchSaveGoalsPayload> {
    return this.client.batchSaveGoals(input, options);
  }

  /** The saver's reads come with reviews, so a card can show a returned goal's comment. */
  async myGoals(period: PeriodRef): Promise<{ myGoals: SheetGoal[] }> {
    return { myGoals: await this.goals(period.orgSlug, period.periodId) };
  }

  // Live mode's socket and catch-up (the sheet follows live changes itself, with the same
  // LiveChanges on `client`; these are what the saver's type asks for).
  get wsUrl(): string {
    return this.client.wsUrl;
  }

  connectionParams(): Promise<{ Authorization: string }> {
    return this.client.connectionParams();
  }

  execute<TResult, TVariables>(
    document: OperationDocument<TResult, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult> {
    return this.client.execute(document, variables, options);
  }
}

/** An error as the sheet shows it: its code (a GoalpostError's, else "error") and message. */
export function describeError(error: unknown): string {
  const code = isGoalpostError(error) ? error.code : "error";
  return `(${code}): ${error instanceof Error ? error.message : String(error)}`;
}

/** A development server's demo users and their tokens (none elsewhere: no picker). */
export interface DevToken {
  readonly token: string;
  readonly full_name: string;
  readonly memberships: readonly string[];
}

export async function fetchDevTokens(): Promise<DevToken[]> {
  try {
    const response = await fetch("/dev/tokens", { headers: { accept: "application/json" } });
    return response.ok ? ((await response.json()) as DevToken[]) : [];
  } catch {
    return [];
  }
}
