// The presence line: how many pages hold the `presence` topic, and how many people are signed in.
// A page that subscribes gets the line at once; the other pages get it coalesced, at most one
// broadcast per second however many pages join, so N pages joining cost O(N) messages instead
// of N(N+1)/2. A cron job sends it when pages closed (PocketBase has no disconnect hook that
// does not hold a JS VM for the connection's whole life).

const TOPIC = 'presence'
const WINDOW_MS = 1000 // at most one broadcast to every page per window
const STALE_WINDOWS = 5 // a pending broadcast this many windows old lost its owner: the next join takes over
const LINE_KEY = 'starter.presence'
const WINDOW_KEY = 'starter.presence.window'

/**
 * Pure: what a join does, given the window state `{ last, pending }` (or null) at `now`.
 * `broadcast`: the window is over, tell every page now. `flush`: tell the joiner now and every
 * page after `wait` ms (this join owns the pending broadcast). `self`: tell only the joiner; the
 * pending broadcast, computed later, includes this join. A pending broadcast older than five
 * windows lost its owner (its handler died): the join broadcasts itself.
 */
function plan(state, now, windowMs) {
  const last = (state && Number(state.last)) || 0
  if (state && state.pending && now - last < STALE_WINDOWS * windowMs) return { action: 'self', state }
  if (now - last >= windowMs) return { action: 'broadcast', state: { last: now, pending: false } }
  return { action: 'flush', wait: last + windowMs - now, state: { last, pending: true } }
}

/** Counts the realtime clients subscribed to the presence topic, and the distinct users among them. */
function count() {
  const { matchingKeys, authKey } = require('pocketpages-plugin-sse')
  const clients = $app.subscriptionsBroker().clients()
  const people = {}
  let pages = 0
  for (const id in clients) {
    const client = clients[id]
    if (client.isDiscarded() || matchingKeys(client, TOPIC).length === 0) continue
    pages++
    const key = authKey(client.get('auth'))
    if (key) people[key] = true
  }
  return { pages, signedIn: Object.keys(people).length }
}

/** `3 pages open · 2 signed in`. */
function describe({ pages, signedIn }) {
  return `${pages} ${pages === 1 ? 'page' : 'pages'} open · ${signedIn} signed in`
}

/**
 * Counts and sends the line in one transaction: PocketBase has one writer, so lines commit in
 * the order they were counted, and the last line a page applies is the freshest count (a line
 * counted before another but committed after it would leave pages on a stale count).
 * `filter` as for sseSend; `onlyIfChanged` skips a line equal to the last one broadcast.
 * A broadcast is logged, so pages apply the lines in order. A line for one page (a `filter`)
 * is not: a logged send that a filter function keeps from the other pages is a hole in their
 * order, which each would ask the catch-up route about and answer with `sse:resync`. That
 * line comes before the next broadcast, which corrects it in any case.
 */
function countAndSend(filter, onlyIfChanged) {
  const { sseSend, everyone } = require('pocketpages-plugin-sse')
  $app.runInTransaction((tx) => {
    const line = describe(count())
    const store = $app.store()
    if (!filter) {
      if (onlyIfChanged && store.get(LINE_KEY) === line) return
      store.set(LINE_KEY, line)
    }
    sseSend(TOPIC, line, filter ? { filter, app: tx, replay: false } : { filter: everyone, app: tx })
  })
}

/**
 * Sends the presence line to every page on the topic. With `onlyIfChanged`, skips the send
 * when the line equals the last one sent (so the cron job does not keep idle streams busy).
 */
function broadcast(onlyIfChanged) {
  countAndSend(null, onlyIfChanged)
}

/**
 * Called by the subscribe hook after the subscription is applied: the joining page gets the
 * line now, every page gets it coalesced (see `plan`). The one join that owns a pending
 * broadcast answers its subscription request first, then waits out the window in its own
 * handler (the JS VM has no timers) and broadcasts the count as it is then.
 */
function joined(e) {
  let decision = null
  $app.store().setFunc(WINDOW_KEY, (old) => {
    decision = plan(old, Date.now(), WINDOW_MS)
    return decision.state
  })
  if (decision.action === 'broadcast') return broadcast(false)
  try {
    const clientId = e.client.id()
    countAndSend((id) => id === clientId, false)
  } catch (error) {
    $app.logger().warn('presence: the line for the joining page was not sent', 'error', String(error))
  }
  if (decision.action !== 'flush') return
  try {
    e.flush() // the page has its answer; only this handler waits
    sleep(decision.wait)
  } catch (error) {
    $app.logger().debug('presence: could not wait out the window', 'error', String(error))
  } finally {
    $app.store().set(WINDOW_KEY, { last: Date.now(), pending: false }) // never leave it pending
    broadcast(false)
  }
}

module.exports = { TOPIC, WINDOW_MS, plan, count, describe, broadcast, joined }
