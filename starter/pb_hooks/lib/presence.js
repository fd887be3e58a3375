// The presence line: how many pages hold the `presence` topic, and how many people are signed in.
// Sent to every such page when one subscribes, and by a cron job when the number changed
// (PocketBase has no disconnect hook that does not hold a JS VM for the connection's life).

const TOPIC = 'presence'

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
 * Sends the presence line to every page on the topic. With `onlyIfChanged`, skips the send
 * when the line equals the last one sent (so the cron job does not keep idle streams busy).
 */
function broadcast(onlyIfChanged) {
  const { sseSend } = require('pocketpages-plugin-sse')
  const line = describe(count())
  const store = $app.store()
  if (onlyIfChanged && store.get('starter.presence') === line) return
  store.set('starter.presence', line)
  sseSend(TOPIC, line) // anonymous sender: reaches every subscriber
}

module.exports = { TOPIC, count, describe, broadcast }
