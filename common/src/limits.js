// The input limits the API enforces (database columns, REST schemas, the task service) and the
// web forms check before a round trip: defined once, here. Password lengths are in password.js.

/** A task title: 1–200 characters after trimming. */
export const TITLE_MAX = 200;
/** A task description: at most 2000 characters. */
export const DESCRIPTION_MAX = 2000;
/** A page of tasks: at most 100, 20 when the client does not say. */
export const PAGE_MAX = 100;
export const PAGE_DEFAULT = 20;
/** An account's display name. */
export const NAME_MAX = 100;
