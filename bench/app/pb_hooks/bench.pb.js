// Benchmark-only routes: one per send strategy, plus counters the harness reads.
// The body of every send route is {html}: the 1 KB fragment, already carrying its sequence
// number and send time. Each handler runs in its own pooled VM, so it requires inside.
// The kit's routes send on `room`, a topic naming no collection, whose subscribers nothing but
// the kit sends to; naive and native send on `chat` to subscribers of their own (see
// bench/lib/strategies.mjs).

// kit: the server kit's sseSend from a route handler (anonymous sender: every subscriber), as
// before ordered delivery: not logged, no sequence number (`replay: false`).
routerAdd('POST', '/bench/kit', (e) => {
  const { sseSend } = require('pocketpages-plugin-sse')
  const result = sseSend('room', e.requestInfo().body.html, { replay: false })
  return e.json(200, result)
})

// kit-ordered: the same send with ordered delivery (the default): logged with its sequence
// number in its own transaction, an envelope for the extension's keys (the bench fleet holds
// the bare key, like the SDK, so it measures the send side's cost).
routerAdd('POST', '/bench/kit-ordered', (e) => {
  const { sseSend } = require('pocketpages-plugin-sse')
  const result = sseSend('room', e.requestInfo().body.html)
  return e.json(200, result)
})

// kit-capture: a page in capture mode; the fragment is rendered by a template, then broadcast.
routerAdd('POST', '/bench/kit-capture', (e) => {
  const { page } = require('pocketpages-plugin-sse')
  return page(e, ({ body, sseSend }) => {
    sseSend('room')
    return $template.loadFiles(`${__hooks}/views/fragment.html`).render({ html: body().html })
  })
})

// naive: the loop from PocketBase's docs (every client, hasSubscription, send), same JSON payload.
routerAdd('POST', '/bench/naive', (e) => {
  const data = JSON.stringify(e.requestInfo().body.html)
  const message = new SubscriptionMessage({ name: 'chat', data })
  const clients = $app.subscriptionsBroker().clients()
  let sent = 0
  for (let id in clients) {
    if (clients[id].hasSubscription('chat')) {
      clients[id].send(message)
      sent++
    }
  }
  return e.json(200, { delivered: sent })
})

// Counters: connected realtime clients, the union of their subscription keys, and how many
// clients hold each topic under any key (the extension subscribes as `topic?options=...`).
routerAdd('GET', '/bench/stats', (e) => {
  const broker = $app.subscriptionsBroker()
  const clients = broker.clients()
  const keys = {}
  const topics = {}
  let subscribed = 0
  for (let id in clients) {
    const subs = clients[id].subscriptions()
    const held = {}
    for (let key in subs) {
      keys[key] = (keys[key] || 0) + 1
      held[key.split('?')[0]] = true
    }
    for (let topic in held) topics[topic] = (topics[topic] || 0) + 1
    if (Object.keys(held).length) subscribed++
  }
  return e.json(200, { clients: broker.totalClients(), subscribed, keys, topics })
})

// Garbage for Go's collector: about 10 MB of short-lived strings per call, so that the memory
// section can have a few collections run and read the live heap each one leaves (GODEBUG=gctrace=1).
routerAdd('POST', '/bench/garbage', (e) => {
  let kept = 0
  for (let round = 0; round < 4; round++) {
    const strings = []
    for (let i = 0; i < 50000; i++) strings.push('garbage ' + round + ' ' + i)
    kept += strings.length
  }
  return e.json(200, { made: kept })
})

// Server time of `reps` sends to `topic`, one after the other, each timed alone inside the VM
// (nanosecond clock) and answered in ms: `kit` is sseSend, `naive` the docs' loop. `gap` (ms, at
// most 100) pauses after each send, outside its time: the recipients' streams finish writing it
// before the next one (0: back to back). `delivered` is the last send's count, `paths` how many
// of the kit's sends went direct and through the bus.
routerAdd('POST', '/bench/targeted', (e) => {
  const { sseSend } = require('pocketpages-plugin-sse')
  const { topic, strategy, reps, html, gap } = e.requestInfo().body
  const pause = Math.max(0, Math.min(100, Number(gap) || 0))
  const clock = () => new DateTime().time().unixNano()
  const naive = () => {
    const message = new SubscriptionMessage({ name: topic, data: JSON.stringify(html) })
    const clients = $app.subscriptionsBroker().clients()
    let sent = 0
    for (let id in clients) {
      if (clients[id].hasSubscription(topic)) {
        clients[id].send(message)
        sent++
      }
    }
    return sent
  }
  const times = []
  let delivered = 0
  const countsBefore = require('pocketpages-plugin-sse').deliveryCounts()
  for (let r = 0; r < Math.min(Number(reps) || 1, 1000); r++) {
    const started = clock()
    delivered = strategy === 'naive' ? naive() : sseSend(topic, html).delivered
    times.push((clock() - started) / 1e6)
    if (pause) sleep(pause)
  }
  const sse = require('pocketpages-plugin-sse')
  const counts = sse.deliveryCounts()
  const paths = { direct: counts.direct - countsBefore.direct, bus: counts.bus - countsBefore.bus }
  return e.json(200, { times, delivered, index: sse.topicIndexStats(), paths })
})

// Ordered delivery's catch-up route (no topic rules here; the subscribe hook is in realtime.pb.js).
routerAdd('GET', '/api/sse/catchup', (e) => {
  require('pocketpages-plugin-sse').catchUp(e)
})

// Sends `count` messages to `topic` back to back in one request (for the recovery run).
routerAdd('POST', '/bench/burst', (e) => {
  const { sseSend } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  for (let i = 0; i < body.count; i++) sseSend(body.topic, body.html)
  return e.json(200, { sent: body.count })
})
