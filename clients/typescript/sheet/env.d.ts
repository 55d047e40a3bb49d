/** The form fields of each category, served by goalpost from its field declarations
 * (goalpost/sheet.py, docs/goal-sheet.md): fetched at run time, never copied into the bundle. */
declare module "/web/documents.js" {
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
