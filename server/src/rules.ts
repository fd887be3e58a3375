// Topic rules: which subscriptions a client may hold, checked when it subscribes.

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

/** Turns `user:{id}` / `admin:*` into an anchored RegExp: `{name}` is one segment (no `:` `/`), `*` is anything. */
export function compilePattern(pattern: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = pattern
    .split(/(\{[A-Za-z_][A-Za-z0-9_]*\}|\*)/)
    .map((part) => {
      if (part === '*') return '.*';
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

/**
 * True when `auth` may subscribe to the subscription key. Options after `?` do not change the
 * topic the key names. Topics no rule matches are public. A rule that throws refuses.
 */
export function maySubscribe(rules: TopicRules, key: string, auth: AuthRecord | null): boolean {
  const q = key.indexOf('?');
  const topic = q >= 0 ? key.slice(0, q) : key;
  for (const compiled of compile(rules)) {
    const match = compiled.pattern.exec(topic);
    if (!match) continue;
    const params: Record<string, string> = {};
    compiled.names.forEach((name, i) => (params[name] = match[i + 1]));
    try {
      return check(compiled.rule, { auth, topic, params });
    } catch {
      return false;
    }
  }
  return true;
}
