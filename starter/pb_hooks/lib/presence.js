// The presence line: how many pages hold the `presence` topic, and how many people are signed in.
// Every page gets it coalesced: at most one count and one broadcast per second however many
// pages join, so N pages joining cost O(N) messages and O(1) counts per second instead of
// N(N+1)/2 messages and a walk over every connected page per join (a restart that brought
// 1,000 pages back at once took 40 s of CPU). A cron job sends it when pages closed
// (PocketBase has no disconnect hook that does not hold a JS VM for the connection's whole life).

const TOPIC = 'presence'
const WINDOW_MS = 1000 // at most one broadcast to every page per window
const STALE_WINDOWS = 5 // a pending broadcast this many windows old lost its owner: the next join takes over
const LINE_KEY = 'starter.presence'
const WINDOW_KEY = 'starter.presence.window'

/**
 * Pure: what a join does, given the window state `{ last, pending }` (or null) at `now`.
 * `broadcast`: the window is over, tell every page now. `flush`: tell every page after `wait`
 * ms (this join owns the pending broadcast). `self`: nothing; the pending broadcast, counted
 * later, includes this join and reaches its page. A pending broadcast older than five windows
 * lost its owner (its handler died), and a window that starts in the future (the clock stepped
 * back): the join broadcasts itself, so no join ever waits more than one window.
 */
function plan(state, now, windowMs) {
  const last = (state && Number(state.last)) || 0
  if (last > now) return { action: 'broadcast', state: { last: now, pending: false } }
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
 * Counts and broadcasts the line in one transaction: PocketBase has one writer, so lines commit
 * in the order they were counted, and the last line a page applies is the freshest count (a
 * line counted before another but committed after it would leave pages on a stale count).
 * `onlyIfChanged` skips a line equal to the last one broadcast. Logged, so pages apply the
 * lines in order.
 */
function countAndSend(onlyIfChanged) {
  const { sseSend, everyone } = require('pocketpages-plugin-sse')
  $app.runInTransaction((tx) => {
    const line = describe(count())
    const store = $app.store()
    if (onlyIfChanged && store.get(LINE_KEY) === line) return
    store.set(LINE_KEY, line)
    sseSend(TOPIC, line, { filter: everyone, app: tx })
  })
}

/**
 * Sends the presence line to every page on the topic. With `onlyIfChanged`, skips the send
 * when the line equals the last one sent (so the cron job does not keep idle streams busy).
 */
function broadcast(onlyIfChanged) {
  countAndSend(onlyIfChanged)
}

/**
 * Called by the subscribe hook after the subscription is applied: every page, the joining one
 * too, gets the line coalesced (see `plan`), so a join costs no count of its own. The one join
 * that owns a pending broadcast waits out the window in its own handler (the JS VM has no
 * timers) and broadcasts the count as it is then.
 */
function joined(e) {
  let decision = null
  $app.store().setFunc(WINDOW_KEY, (old) => {
    decision = plan(old, Date.now(), WINDOW_MS)
    return decision.state
  })
  if (decision.action === 'broadcast') return broadcast(false)
  if (decision.action !== 'flush') return // the pending broadcast, counted after this join, reaches its page
  try {
    // PocketBase's gzip middleware holds the 204 of a client that accepts gzip (every browser)
    // until the handler returns, so this one page per window gets its answer after the wait
    e.flush()
    sleep(decision.wait)
  } catch (error) {
    $app.logger().debug('presence: could not wait out the window', 'error', String(error))
  } finally {
    $app.store().set(WINDOW_KEY, { last: Date.now(), pending: false }) // never leave it pending
    broadcast(false)
  }
}

module.exports = { TOPIC, WINDOW_MS, plan, count, describe, broadcast, joined }
