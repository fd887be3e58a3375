/// <reference path="../../../starter/pb_data/types.d.ts" />
// Test-only routes for the extension's e2e tests. Each handler runs in its own VM, so
// everything it uses is defined inside it.

// Sends raw SSE data to every client subscribed to `topic` (the exact bytes of `data`:
// JSON or not), `times` times, under each key it holds for the topic (the extension subscribes
// with its ordered key `topic?options=...`). Answers how many clients got it.
routerAdd('POST', '/test/send', (e) => {
  const body = e.requestInfo().body
  const topic = String(body.topic || '')
  if (!topic) throw new BadRequestError('topic is required')
  const times = Number(body.times) || 1
  const clients = $app.subscriptionsBroker().clients()
  let sent = 0
  for (const id in clients) {
    const client = clients[id]
    const keys = Object.keys(client.subscriptions(topic + '?'))
    if (!keys.length) continue
    for (let i = 0; i < times; i++) keys.forEach((name) => client.send(new SubscriptionMessage({ name, data: String(body.data) })))
    sent++
  }
  return e.json(200, { sent })
})

// Every realtime client: its id, the id of the auth record bound to it ('' for a guest), its topics
// (the extension's ordered keys shown as their topic).
routerAdd('GET', '/test/clients', (e) => {
  const clients = $app.subscriptionsBroker().clients()
  const list = []
  for (const id in clients) {
    const auth = clients[id].get('auth')
    const suffix = require('pocketpages-plugin-sse').ORDERED_SUFFIX
    const keys = clients[id].subscriptions() ? Object.keys(clients[id].subscriptions()) : []
    list.push({ id, auth: auth ? auth.id : '', topics: keys.map((k) => (k.endsWith(suffix) ? k.slice(0, -suffix.length) : k)) })
  }
  return e.json(200, list)
})

// Signs a user in the PocketPages way: a `pb_auth` cookie holding {token, record} (not HttpOnly).
routerAdd('POST', '/test/login', (e) => {
  const body = e.requestInfo().body
  const record = $app.findAuthRecordByEmail('users', String(body.email || ''))
  if (!record.validatePassword(String(body.password || ''))) throw new BadRequestError('wrong password')
  const value = JSON.stringify({ token: record.newAuthToken(), record: { id: record.id } })
  e.setCookie(new Cookie({ name: 'pb_auth', value: encodeURIComponent(value), path: '/' }))
  return e.html(200, '<span id="who">' + record.id + '</span>')
})

// Signs the PocketPages cookie session out.
routerAdd('POST', '/test/logout', (e) => {
  e.setCookie(new Cookie({ name: 'pb_auth', value: '', path: '/', maxAge: -1 }))
  return e.html(200, '<span id="who">guest</span>')
})

// A fragment for hx-trigger="sse:..." elements to fetch.
routerAdd('GET', '/test/echo', (e) => e.html(200, '<b class="echo">' + e.request.url.query().get('text') + '</b>'))

// The next `count` realtime streams get an idle timeout of `ms` (later ones PocketBase's default),
// to provoke the idle close deterministically.
routerAdd('POST', '/test/idle', (e) => {
  const body = e.requestInfo().body
  $app.store().set('ext.idle', { ms: Number(body.ms) || 0, count: Number(body.count) || 0 })
  return e.json(200, $app.store().get('ext.idle'))
})

onRealtimeConnectRequest((e) => {
  const idle = $app.store().get('ext.idle')
  if (idle && idle.count > 0) {
    $app.store().set('ext.idle', { ms: idle.ms, count: idle.count - 1 })
    e.idleTimeout = idle.ms * 1000000
  }
  e.next()
})

// `n` elements swapping the topics `<prefix>0`..`<prefix>n-1` (n = 0: nothing, which removes them).
routerAdd('GET', '/test/items', (e) => {
  const query = e.request.url.query()
  const n = Math.min(Number(query.get('n')) || 0, 2000)
  const prefix = query.get('prefix') || 'item'
  let html = ''
  for (let i = 0; i < n; i++) html += '<p sse-swap="' + prefix + i + '"></p>'
  return e.html(200, html)
})
