// Topic rules again at send time: `subscribe()` leaves the data half of its rules in the
// process-wide `$app.store()` and, on each client, the auth it subscribed with; a send reads
// them back (from whichever VM it runs in) and skips clients whose current auth no longer passes.

import { authKey } from './filters';
import type { AuthRecord, RealtimeClient } from './pocketbase';
import { receiveCheck, replayAllowed, ruleTable, type TopicRules } from './rules';

/** `$app.store()` key of the rule table (see `ruleTable`). */
export const RULES_KEY = 'pbsse.rules';

/** Client store key of the auth key a client had when its subscriptions were last checked. */
export const SUBSCRIBED_AS_KEY = 'pbsse.subscribedAs';

/** Called by `subscribe()`: makes `rules` known to every send, and notes who `client` subscribed as. */
export function rememberRules(rules: TopicRules | undefined, client: RealtimeClient, auth: AuthRecord | null): void {
  const store = $app.store();
  const table = rules ? ruleTable(rules) : '';
  if (store.get(RULES_KEY) !== table) store.set(RULES_KEY, table);
  client.set(SUBSCRIBED_AS_KEY, authKey(auth));
}

/**
 * The per-client check for one send to `topic`: null when the topic needs none (no rules known,
 * or no rule guards it), else `client => boolean` with the client's current auth.
 */
export function mayReceive(topic: string): ((client: RealtimeClient) => boolean) | null {
  const table = $app.store().get(RULES_KEY);
  if (typeof table !== 'string' || !table) return null;
  const check = receiveCheck(table, topic);
  if (!check) return null;
  return (client) => check((client.get('auth') as AuthRecord | null) || null, client.get(SUBSCRIBED_AS_KEY));
}

/**
 * For a catch-up route given no rules: whether `auth` may have `topic` replayed under the rules
 * `subscribe()` last noted in this process (see `replayAllowed`). Refuses everything before any
 * subscription post noted them: a page always posts its subscriptions before it catches up.
 */
export function mayReplayUnderNotedRules(topic: string, auth: AuthRecord | null): boolean {
  const table = $app.store().get(RULES_KEY);
  if (typeof table !== 'string') return false;
  return !table || replayAllowed(table, topic, auth);
}
