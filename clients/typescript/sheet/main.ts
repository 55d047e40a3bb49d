/** The goal sheet's entry (built into goalpost/web/app.js): being moved here from goalpost/web/*.js. */
export {};
