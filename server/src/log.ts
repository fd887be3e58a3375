// Logging through PocketBase's logger (visible in the dashboard's Logs), with a prefix.

const PREFIX = '[pocketpages-plugin-sse] ';

function logger() {
  return typeof $app !== 'undefined' ? $app.logger() : null;
}

/** Structured logging: a message, then alternating attribute keys and values. */
export const log = {
  debug: (message: string, ...attrs: unknown[]) => logger()?.debug(PREFIX + message, ...attrs),
  warn: (message: string, ...attrs: unknown[]) => logger()?.warn(PREFIX + message, ...attrs),
  error: (message: string, ...attrs: unknown[]) => logger()?.error(PREFIX + message, ...attrs),
};
