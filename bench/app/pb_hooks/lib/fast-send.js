// kit-fast: a prototype of a leaner send loop with the kit's semantics for an anonymous sender
// (every client subscribed to the topic, bare key or `topic?options=...` key, each under the key
// it subscribed with; payload JSON-encoded once). Differences from the kit's loop today:
// `subscriptions(topic + '?')` returns exactly the matching keys (no JS-side filtering of
// `topicX` keys) and there is no `isDiscarded()` call (PocketBase's send already skips
// discarded clients). Returns how many messages were handed over.
module.exports = function fastSend(topic, value) {
  const data = JSON.stringify(value)
  const bare = new SubscriptionMessage({ name: topic, data })
  const clients = $app.subscriptionsBroker().clients()
  const exact = topic + '?'
  let sent = 0
  for (const id in clients) {
    const client = clients[id]
    const keys = client.subscriptions(exact)
    for (const key in keys) {
      client.send(key === topic ? bare : new SubscriptionMessage({ name: key, data }))
      sent++
    }
  }
  return sent
}
