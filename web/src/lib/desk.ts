// The support desk's client side (docs/desk.md), one module per concern under lib/desk/:
//   types.ts     tickets, events, filters, pages, stats and audit types
//   api.ts       the desk's REST calls (deskApi) and the shapes they answer
//   tickets.ts   pure ticket rules: filters ↔ query, list order and live rows, lifecycle controls, titles, tags
//   timeline.ts  the conversation and the notes merged by time, event lines
//   stats.ts     the dashboard's figures (normaliseStats, humanDuration, fillDays)
//   live.ts      desk:<workspace_id> (listenDesk) and ticket:<id> (followTicket), whose streams live in the store
// Screens import from here.
export * from "./desk/types";
export * from "./desk/api";
export * from "./desk/tickets";
export * from "./desk/timeline";
export * from "./desk/stats";
export * from "./desk/live";
