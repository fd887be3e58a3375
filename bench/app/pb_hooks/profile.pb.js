// Where a broadcast's time goes inside the JS VM: each phase of the send loop timed alone over
// `reps` repetitions against the clients connected now (median ms per broadcast). The send phases do
// send a short unstamped message to every subscriber of `chat` (the load clients ignore it).
routerAdd('GET', '/bench/profile', (e) => {
  const reps = Math.max(1, Math.min(50, Number(e.request.url.query().get('reps')) || 5))
  const topic = 'chat'
  const broker = $app.subscriptionsBroker()
  const data = JSON.stringify('profile')
  // Median of the per-repetition times (Date.now() has 1 ms resolution; phases take longer at scale).
  const timeIt = (fn) => {
    const times = []
    for (let r = 0; r < reps; r++) {
      const start = Date.now()
      fn()
      times.push(Date.now() - start)
    }
    times.sort((a, b) => a - b)
    return times[Math.floor(times.length / 2)]
  }
  const clients = broker.clients()
  const ids = Object.keys(clients)
  const phases = {
    clients_map_ms: timeIt(() => broker.clients()),
    iterate_ms: timeIt(() => { for (const id in clients) clients[id] }),
    has_subscription_ms: timeIt(() => { for (const id of ids) clients[id].hasSubscription(topic) }),
    subscriptions_prefix_ms: timeIt(() => {
      for (const id of ids) { const subs = clients[id].subscriptions(topic); for (const k in subs) k }
    }),
    subscriptions_exact_prefix_ms: timeIt(() => {
      for (const id of ids) { const subs = clients[id].subscriptions(topic + '?'); for (const k in subs) k }
    }),
    is_discarded_ms: timeIt(() => { for (const id of ids) clients[id].isDiscarded() }),
    send_only_ms: timeIt(() => {
      const message = new SubscriptionMessage({ name: topic, data })
      for (const id of ids) clients[id].send(message)
    }),
    naive_loop_ms: timeIt(() => {
      const message = new SubscriptionMessage({ name: topic, data })
      const all = broker.clients()
      for (const id in all) if (all[id].hasSubscription(topic)) all[id].send(message)
    }),
    kit_send_ms: timeIt(() => require('pocketpages-plugin-sse').sseSend(topic, 'profile')),
    kit_fast_send_ms: timeIt(() => require(`${__hooks}/lib/fast-send.js`)(topic, 'profile')),
    kit_require_ms: timeIt(() => require('pocketpages-plugin-sse')),
  }
  return e.json(200, { clients: ids.length, reps, phases })
})
