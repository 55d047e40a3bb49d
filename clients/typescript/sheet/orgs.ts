/**
 * Organizations the sheet has opened, by slug: one lookup each while the user stays. Switching
 * org flushes and closes the old org's saver FIRST, then forgets every cached org, then loads the
 * new one: closing is what makes later edits unable to reach the old org (docs/autosave.md,
 * "Switching organization").
 */
import type { AutoSaver } from "@goalpost/client";

import type { Organization } from "./api.js";

type Load = (slug: string) => Promise<Organization>;

const orgCache = new Map<string, Promise<Organization>>();

export function orgContext(slug: string, load: Load): Promise<Organization> {
  let promise = orgCache.get(slug);
  if (!promise) {
    promise = load(slug);
    orgCache.set(slug, promise);
    promise.catch(() => orgCache.delete(slug)); // a failed lookup is not remembered
  }
  return promise;
}

export function clearOrgSlugCache(): void {
  orgCache.clear();
}

export async function switchOrg(saver: AutoSaver | null, slug: string, load: Load): Promise<Organization> {
  if (saver) {
    await saver.close();
  }
  clearOrgSlugCache();
  return orgContext(slug, load);
}
