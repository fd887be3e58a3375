// Pure parsing of the attributes that name topics.

/** Splits an `sse-swap` value ("a, b") into trimmed, non-empty, unique topic names. */
export function parseTopicList(value: string | null | undefined): string[] {
  if (!value) return [];
  const topics: string[] = [];
  for (const part of value.split(',')) {
    const topic = part.trim();
    if (topic && topics.indexOf(topic) < 0) topics.push(topic);
  }
  return topics;
}

/**
 * Finds the topics an `hx-trigger` value listens to as `sse:<topic>` events.
 * Trigger specs are comma separated and may carry modifiers after a space
 * (`sse:chat delay:1s`), so only the first word of each spec counts.
 */
export function parseTriggerTopics(value: string | null | undefined): string[] {
  if (!value) return [];
  const topics: string[] = [];
  for (const spec of value.split(',')) {
    const event = spec.trim().split(/\s+/)[0];
    if (event.indexOf('sse:') === 0 && event.length > 4) {
      const topic = event.slice(4);
      if (topics.indexOf(topic) < 0) topics.push(topic);
    }
  }
  return topics;
}

/** True when an `hx-ext` value ("a, pocketbase-sse") lists the extension by name. */
export function listsExtension(value: string | null | undefined, name: string): boolean {
  return !!value && value.split(',').some((part) => part.trim() === name);
}
