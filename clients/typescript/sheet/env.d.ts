/** The form fields of each category, served by goalpost from its field declarations
 * (goalpost/sheet.py, docs/goal-sheet.md): fetched at run time, never copied into the bundle.
 * A pattern, not the plain "/web/documents.js": TypeScript takes a name starting with "/" for a
 * path and refuses it as an ambient module's name (TS2436, unreported under skipLibCheck), so
 * the import would not resolve; a wildcard pattern is matched against it instead. */
declare module "*/web/documents.js" {
  export interface FormField {
    readonly name: string;
    readonly label: string;
    readonly kind: "input" | "textarea" | "select";
  }
  export const FORM_FIELDS: Readonly<Record<"PERFORMANCE" | "COMPETENCY" | "CORE_VALUE", readonly FormField[]>>;
}

/** Auto-save windows a test or demo sets before the sheet loads (docs/goal-sheet.md). */
// eslint-disable-next-line no-var
declare var GOALPOST_AUTOSAVE: Readonly<Record<string, number>> | undefined;
