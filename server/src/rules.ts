// Topic rules: which subscriptions a client may hold, checked when it subscribes and again
// (against the client's current auth) when a message goes out.

import { authKey } from './filters';
import type { AuthRecord } from './pocketbase';

/** What a rule sees. `params` holds the `{name}` parts of the pattern. */
export interface RuleContext {
  auth: AuthRecord | null;
  topic: string;
  params: Record<string, string>;
}

/**
 * A rule: a function, or a shortcut: `'public'`, `'auth'` (any signed-in user),
 * `'superuser'`, `'owner'` (the pattern's `{id}` is the user's own id).
 */
export type Rule = ((context: RuleContext) => boolean) | 'public' | 'auth' | 'superuser' | 'owner';

/** Patterns to rules, e.g. `{ 'user:{id}': 'owner', 'admin:*': 'superuser' }`. First match wins. */
export type TopicRules = Record<string, Rule>;

interface CompiledRule {
  pattern: RegExp;
  names: string[];
  rule: Rule;
}

const cache = new WeakMap<TopicRules, CompiledRule[]>();

/**
 * Turns `user:{id}` / `admin:*` into an anchored RegExp: `{name}` is one segment (no `:` `/`),
 * `*` is any run of characters, line breaks, U+2028/2029 and NUL included.
 */
export function compilePattern(pattern: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\}|\*)/)
    .map((part) => {
      if (part === '*') return '[\\s\\S]*';
      if (/^\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(part)) {
        names.push(part.slice(1, -1));
        return '([^:/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { pattern: new RegExp('^' + source + '$'), names };
}

function compile(rules: TopicRules): CompiledRule[] {
  let compiled = cache.get(rules);
  if (!compiled) {
    compiled = Object.keys(rules).map((key) => ({ ...compilePattern(key), rule: rules[key] }));
    cache.set(rules, compiled);
  }
  return compiled;
}

function check(rule: Rule, context: RuleContext): boolean {
  const auth = context.auth;
  switch (rule) {
    case 'public':
      return true;
    case 'auth':
      return !!auth;
    case 'superuser':
      return !!auth && auth.isSuperuser();
    case 'owner':
      return !!auth && !auth.isSuperuser() && auth.id === context.params.id;
    default:
      return typeof rule === 'function' && rule(context) === true;
  }
}

/** The topic a subscription key names: options after `?` do not change it. */
export function topicOf(key: string): string {
  const q = key.indexOf('?');
  return q >= 0 ? key.slice(0, q) : key;
}

/** The first rule whose pattern matches `topic`, with its `{name}` parts; null when none does. */
function ruleFor(compiled: CompiledRule[], topic: string): { rule: Rule; params: Record<string, string> } | null {
  for (const candidate of compiled) {
    const match = candidate.pattern.exec(topic);
    if (!match) continue;
    const params: Record<string, string> = {};
    candidate.names.forEach((name, i) => (params[name] = match[i + 1]));
    return { rule: candidate.rule, params };
  }
  return null;
}

function passes(rule: Rule, context: RuleContext): boolean {
  try {
    return check(rule, context);
  } catch {
    return false;
  }
}

/**
 * True when `auth` may subscribe to the subscription key. Options after `?` do not change the
 * topic the key names. Topics no rule matches are public. A rule that throws refuses.
 */
export function maySubscribe(rules: TopicRules, key: string, auth: AuthRecord | null): boolean {
  const topic = topicOf(key);
  const found = ruleFor(compile(rules), topic);
  return !found || passes(found.rule, { auth, topic, params: found.params });
}

/** True when a rule other than `'public'` decides `topic` (options after `?` do not count). */
export function isGuarded(rules: TopicRules, key: string): boolean {
  const found = ruleFor(compile(rules), topicOf(key));
  return !!found && found.rule !== 'public';
}

/**
 * The data half of a rule set, as one string that any VM can read back (`$app.store()` holds
 * it): each pattern with its shortcut, or `'function'`. Functions stay in the VM that made them.
 */
export function ruleTable(rules: TopicRules): string {
  return JSON.stringify(Object.keys(rules).map((pattern) => [pattern, typeof rules[pattern] === 'string' ? rules[pattern] : 'function']));
}

/** Decides at send time for one client: its current auth, and the auth key it subscribed with. */
export type ReceiveCheck = (auth: AuthRecord | null, subscribedAs: unknown) => boolean;

let lastTable = '';
let lastCompiled: CompiledRule[] = [];

/** The rule of `topic` under a rule table (function rules as `'function'`), or null when none guards it. */
function notedRule(table: string, topic: string): { rule: Rule; params: Record<string, string> } | null {
  if (table !== lastTable) {
    const rules: TopicRules = {};
    for (const [pattern, rule] of JSON.parse(table) as [string, string][]) rules[pattern] = rule as Rule;
    lastCompiled = compile(rules);
    lastTable = table;
  }
  const found = ruleFor(lastCompiled, topic);
  return !found || found.rule === 'public' ? null : found;
}

/**
 * The send-time check of `topic` under a rule table, or null when the topic needs none (no rule,
 * or `'public'`). Shortcut rules are checked again with the client's current auth; a function
 * rule, which cannot run outside the VM that declared it, keeps passing only while the client is
 * bound to the same auth record (or the same guest) it had when the function allowed it.
 */
export function receiveCheck(table: string, topic: string): ReceiveCheck | null {
  const found = notedRule(table, topic);
  if (!found) return null;
  const { rule, params } = found;
  if ((rule as string) === 'function') return (auth, subscribedAs) => authKey(auth) === subscribedAs;
  return (auth) => passes(rule, { auth, topic, params });
}

/**
 * Whether `auth` may have `topic` replayed under a rule table, for a catch-up route given no
 * rules of its own: shortcut rules are checked with `auth`; a function rule (which cannot run
 * outside the VM that declared it) refuses; a topic no rule guards is allowed.
 */
export function replayAllowed(table: string, topic: string, auth: AuthRecord | null): boolean {
  const found = notedRule(table, topic);
  if (!found) return true;
  return (found.rule as string) !== 'function' && passes(found.rule, { auth, topic, params: found.params });
}
