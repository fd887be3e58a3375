// Pure parsing of the attributes that name topics.

/** Trimmed, non-empty, unique parts of a comma separated list, each mapped by `pick` ('' drops it). */
function uniqueParts(value: string | null | undefined, pick: (part: string) => string): string[] {
  return [...new Set((value || '').split(',').map((part) => pick(part.trim())))].filter((part) => part);
}

/** Splits an `sse-swap` value ("a, b") into trimmed, non-empty, unique topic names. */
export function parseTopicList(value: string | null | undefined): string[] {
  return uniqueParts(value, (part) => part);
}

/**
 * Finds the topics an `hx-trigger` value listens to as `sse:<topic>` events.
 * Trigger specs are comma separated and may carry modifiers after a space
 * (`sse:chat delay:1s`), so only the first word of each spec counts. `sse:resync` names no topic.
 */
export function parseTriggerTopics(value: string | null | undefined): string[] {
  return uniqueParts(value, (part) => {
    const event = part.split(/\s/)[0];
    // `sse:resync` is the extension's own event (ordered delivery), not a topic
    return event.startsWith('sse:') && event != 'sse:resync' ? event.slice(4) : '';
  });
}

/**
 * The topics PocketBase takes in one subscription post: at most 1000, none longer than 2500
 * characters. Warns on the console, naming the limits, when some are left out.
 */
export function withinLimits(topics: string[]): string[] {
  const kept = topics.filter((topic) => topic.length <= 2500).slice(0, 1000);
  if (kept.length < topics.length) {
    console.warn('pocketbase-sse: left out (1000 topics/2500 chars max)', topics.length - kept.length);
  }
  return kept;
}
