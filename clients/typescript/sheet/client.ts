/**
 * The package as the goal sheet loads it (`/web/client.js`): what a script on the sheet's page,
 * such as a browser test, imports to drive the same saver and client the sheet runs.
 */
export * from "@goalpost/client";
export { SheetApi } from "./api.js";
