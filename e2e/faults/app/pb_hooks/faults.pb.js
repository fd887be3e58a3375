/// <reference path="../../../../starter/pb_data/types.d.ts" />
// Test-only routes of the fault suite. Each handler runs in a pooled VM and sees nothing of
// this file's top level, so everything it needs is built inside it.

// Sends through the kit as the poster (or anonymously). `kind` builds the message in the VM
// (values JSON cannot carry), `filter` names a filter; a refusal is answered as { error }, a send
// with its result and the kit's delivery counts since the start.
routerAdd('POST', '/faults/send', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const kinds = {
    undefined: () => undefined,
    null: () => null,
    number: () => 42.5,
    nan: () => NaN,
    object: () => ({ html: '<b>x</b>', n: 1 }),
    function: () => () => 1,
    symbol: () => Symbol('s'),
    cycle: () => { const o = {}; o.self = o; return o },
    megabyte: () => 'm'.repeat(1024 * 1024),
    lone: () => 'a\uD800b',
    pair: () => 'a\uD83D\uDE00b',
    linebreaks: () => 'one\r\n\r\nevent: injected\ndata: two\u2028three',
  }
  const filters = {
    all: () => () => true,
    throws: () => () => { throw new Error('filter failed on purpose') },
    truthy: () => () => 'yes',
    one: () => () => 1,
    object: () => () => ({}),
    notFunction: () => 'not a function',
  }
  const message = body.kind ? kinds[body.kind]() : body.message
  const filter = body.filter ? filters[body.filter]() : undefined
  const sender = body.anonymous ? sse : sse.forRequest(e)
  try {
    const result = filter === undefined ? sender.sseSend(body.topic, message) : sender.sseSend(body.topic, message, filter)
    return e.json(200, { result, counts: sse.deliveryCounts() })
  } catch (err) {
    return e.json(200, { error: String(err) })
  }
})

// PocketBase's own record event to compare the kit with: creates a record in the collection
// named `topic` (created on first use, readable by anyone), which PocketBase broadcasts to every
// client subscribed to that name, one message per key.
// A send joined to a transaction of the route's (as a model hook's `{ app: e.app }` does), which
// then commits or, with `rollback`, throws: what a batch request whose last operation fails does.
routerAdd('POST', '/faults/send-in-tx', (e) => {
  const { sseSend, everyone } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  let result = null
  try {
    $app.runInTransaction((tx) => {
      result = sseSend(body.topic, body.message, { app: tx, filter: everyone })
      if (body.rollback) throw new Error('rolled back on purpose')
    })
  } catch (error) {
    return e.json(200, { result, error: String(error) })
  }
  return e.json(200, { result, error: '' })
})

// `count` sends joined to one transaction of the route's (a batch request whose every create sends).
routerAdd('POST', '/faults/many-in-tx', (e) => {
  const { sseSend, everyone } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  let delivered = 0
  $app.runInTransaction((tx) => {
    for (let i = 0; i < body.count; i++) delivered += sseSend(body.topic, String(i), { app: tx, filter: everyone }).delivered
  })
  return e.json(200, { delivered })
})

// Makes the commit of every later send to `topic` fail (`armed`), or not: a trigger on the kit's
// send log inserts a row breaking a foreign key checked at commit, so SQLite refuses the COMMIT
// after the send's last step (what a full disk or an I/O error at commit does). Call it after a
// first send to the topic (the log table exists then).
routerAdd('POST', '/faults/commit-fails', (e) => {
  const { topic, armed } = e.requestInfo().body
  const db = $app.db()
  db.newQuery('CREATE TABLE IF NOT EXISTS faults_fk_parent (id TEXT PRIMARY KEY)').execute()
  db.newQuery('CREATE TABLE IF NOT EXISTS faults_fk_child (parent TEXT REFERENCES faults_fk_parent(id) DEFERRABLE INITIALLY DEFERRED)').execute()
  db.newQuery('CREATE TABLE IF NOT EXISTS faults_commit_fails (topic TEXT PRIMARY KEY)').execute()
  db.newQuery("CREATE TRIGGER IF NOT EXISTS faults_commit_fails_trigger AFTER INSERT ON _pbsse_log WHEN EXISTS (SELECT 1 FROM faults_commit_fails WHERE topic = NEW.topic) BEGIN INSERT INTO faults_fk_child (parent) VALUES ('missing'); END").execute()
  db.newQuery(armed ? 'INSERT OR IGNORE INTO faults_commit_fails (topic) VALUES ({:topic})' : 'DELETE FROM faults_commit_fails WHERE topic = {:topic}').bind({ topic }).execute()
  return e.json(200, { armed: !!armed })
})

routerAdd('POST', '/faults/native', (e) => {
  const body = e.requestInfo().body
  let collection
  try {
    collection = $app.findCollectionByNameOrId(body.topic)
  } catch {
    collection = new Collection({ type: 'base', name: body.topic, listRule: '', viewRule: '', fields: [{ name: 'text', type: 'text' }] })
    $app.save(collection)
  }
  if (body.noRecord) return e.json(200, { collection: collection.id }) // a collection alone: no record event
  const record = new Record(collection, { text: String(body.message) })
  $app.save(record)
  return e.json(200, { id: record.id })
})

// The same send without a catch: the error goes to PocketBase's error handling.
routerAdd('POST', '/faults/send-uncaught', (e) => {
  const body = e.requestInfo().body
  require('pocketpages-plugin-sse').forRequest(e).sseSend(body.topic, body.message)
  return e.json(200, { sent: true })
})

// Capture mode through page(): the Go template fails mid-render (index out of range) after
// writing part of its output, or renders fine with `ok`.
routerAdd('POST', '/faults/capture', (e) => {
  const { page } = require('pocketpages-plugin-sse')
  return page(e, ({ body, sseSend }) => {
    const { topic, ok, text } = body()
    sseSend(topic, () => true)
    const source = ok ? '<p>{{.text}}</p>' : '<p>{{.text}}</p>{{index .list 5}}<p>after</p>'
    return $template.loadString(source).render({ text, list: [] })
  })
})

// Raw bytes to every client holding `topic` (not through the kit): malformed data on the stream.
routerAdd('POST', '/faults/raw', (e) => {
  const body = e.requestInfo().body
  const clients = $app.subscriptionsBroker().clients()
  let sent = 0
  for (const id in clients) {
    for (const key of Object.keys(clients[id].subscriptions(body.topic + '?'))) {
      clients[id].send(new SubscriptionMessage({ name: key, data: String(body.data) }))
      sent++
    }
  }
  return e.json(200, { sent })
})

// Every realtime client: id, bound auth id ('' for a guest), subscription keys (the extension's
// ordered keys shown as their topic).
routerAdd('GET', '/faults/clients', (e) => {
  const clients = $app.subscriptionsBroker().clients()
  const list = []
  for (const id in clients) {
    const auth = clients[id].get('auth')
    const suffix = require('pocketpages-plugin-sse').ORDERED_SUFFIX
    const keys = Object.keys(clients[id].subscriptions() || {})
    list.push({ id, auth: auth ? auth.id : '', topics: keys.map((k) => (k.endsWith(suffix) ? k.slice(0, -suffix.length) : k)) })
  }
  return e.json(200, list)
})

// Idle timeout of new realtime streams in ms (0: PocketBase's 5 minutes).
routerAdd('POST', '/faults/idle', (e) => {
  $app.store().set('faults.idleMs', Number(e.requestInfo().body.ms) || 0)
  return e.json(200, { ms: $app.store().get('faults.idleMs') })
})

onRealtimeConnectRequest((e) => {
  const ms = $app.store().get('faults.idleMs')
  if (ms) e.idleTimeout = ms * 1000000 // a Go time.Duration: nanoseconds
  e.next()
})

onRealtimeSubscribeRequest((e) => {
  // `/faults/key-bytes` may raise the per-client cap, for the cases that need what PocketBase itself takes
  const maxKeyBytes = $app.store().get('faults.maxKeyBytes') || undefined
  require('pocketpages-plugin-sse').subscribe(e, { rules: { 'user:{id}': 'owner', 'admin:*': 'superuser' }, maxKeyBytes })
})

// Sets the subscribe hook's per-client cap on key characters (`{ chars }`; none: the kit's default).
routerAdd('POST', '/faults/key-bytes', (e) => {
  const chars = Number(e.requestInfo().body.chars) || 0
  if (chars > 0) $app.store().set('faults.maxKeyBytes', chars)
  else $app.store().remove('faults.maxKeyBytes')
  return e.json(200, { chars })
})

// Slow-consumer accounting: counts what each stream takes.
onRealtimeMessageSend((e) => {
  require('pocketpages-plugin-sse').messageSend(e)
})

// Ordered delivery's catch-up, with the same topic rules.
routerAdd('GET', '/api/sse/catchup', (e) => {
  require('pocketpages-plugin-sse').catchUp(e, { rules: { 'user:{id}': 'owner', 'admin:*': 'superuser' } })
})

// The same route registered as the README's first example does, without rules: it must still
// follow the subscribe hook's rules.
routerAdd('GET', '/faults/catchup-bare', (e) => {
  require('pocketpages-plugin-sse').catchUp(e)
})

// Sends outside any request: the topic comes from the store, the outcome goes back to it.
// `mode` 'now' sends a message, 'capture' asks for capture mode (which needs a page).
routerAdd('POST', '/faults/outside', (e) => {
  const body = e.requestInfo().body
  $app.store().set('faults.outside.topic', String(body.topic))
  $app.store().set('faults.outside.mode', String(body.mode))
  $app.store().remove('faults.outside.' + body.where)
  return e.json(200, { ok: true })
})

routerAdd('GET', '/faults/outside/{where}', (e) => {
  return e.json(200, { outcome: $app.store().get('faults.outside.' + e.request.pathValue('where')) || null })
})

cronAdd('faults-outside', '0 0 1 1 *', () => {
  const store = $app.store()
  const topic = store.get('faults.outside.topic')
  try {
    const sse = require('pocketpages-plugin-sse')
    const result = store.get('faults.outside.mode') === 'capture' ? sse.sseSend(topic) : sse.sseSend(topic, 'from cron')
    store.set('faults.outside.cron', JSON.stringify({ result: result === undefined ? 'undefined' : result }))
  } catch (err) {
    store.set('faults.outside.cron', JSON.stringify({ error: String(err) }))
  }
})

onRecordAfterCreateSuccess((e) => {
  const store = $app.store()
  const topic = store.get('faults.outside.topic')
  try {
    const sse = require('pocketpages-plugin-sse')
    const result = store.get('faults.outside.mode') === 'capture' ? sse.sseSend(topic) : sse.sseSend(topic, 'from a record hook')
    store.set('faults.outside.hook', JSON.stringify({ result: result === undefined ? 'undefined' : result }))
  } catch (err) {
    store.set('faults.outside.hook', JSON.stringify({ error: String(err) }))
  }
  e.next()
}, 'users')

// Ends the streams of every client holding `topic`, as a server-side close would.
routerAdd('POST', '/faults/drop', (e) => {
  const topic = e.requestInfo().body.topic
  const clients = $app.subscriptionsBroker().clients()
  let dropped = 0
  for (const id in clients) {
    if (!Object.keys(clients[id].subscriptions(topic + '?')).length) continue
    clients[id].discard()
    dropped++
  }
  return e.json(200, { dropped })
})

// The kit's topic index next to the broker's truth: what the index holds, and how many clients
// hold a subscription and how many distinct (client, topic) pairs they hold. With {sweep: true}
// it first sweeps the clients that left out of the index; with {topic}, `index.filed` counts
// the clients filed under that topic.
routerAdd('POST', '/faults/index', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const swept = body.sweep ? sse.sweepTopicIndex() : null
  const broker = $app.subscriptionsBroker()
  const clients = broker.clients()
  let subscribed = 0
  let entries = 0
  for (const id in clients) {
    const topics = {}
    for (const key of Object.keys(clients[id].subscriptions())) topics[key.split('?')[0]] = true
    const n = Object.keys(topics).length
    if (n > 0) subscribed++
    entries += n
  }
  return e.json(200, { index: sse.topicIndexStats(body.topic || undefined), broker: { clients: broker.totalClients(), subscribed, entries }, swept })
})

// The region a page re-fetches on sse:resync: one marker item naming the topic's head.
routerAdd('GET', '/faults/region', (e) => {
  return e.html(200, '<li class="resynced">resynced</li>')
})

// Sends `count` messages back to back inside one request (each its own send and transaction).
routerAdd('POST', '/faults/burst', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const seqs = []
  for (let i = 0; i < body.count; i++) seqs.push(sse.sseSend(body.topic, body.prefix + i, sse.everyone).seq)
  return e.json(200, { seqs })
})

// The send log's rows whose topic starts with `prefix` (test-only peek at the kit's table).
routerAdd('GET', '/faults/journal', (e) => {
  const prefix = String(e.requestInfo().query.prefix || '')
  const row = new DynamicModel({ n: 0 })
  $app.db().newQuery('SELECT COUNT(*) AS n FROM _pbsse_log WHERE substr(topic, 1, {:len}) = {:prefix}').bind({ len: prefix.length, prefix }).one(row)
  return e.json(200, { rows: row.n })
})

// The replay window of ordered delivery (process-wide): `{rows, ms}`; `{}` restores the defaults.
routerAdd('POST', '/faults/window', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const window = sse.setReplayWindow({ rows: Number(body.rows) || 1000, ms: Number(body.ms) || 300000, chars: Number(body.chars) || 4194304 })
  return e.json(200, window)
})

// Forgets a topic's send log (its head and rows), as a database restored from an older backup
// or a wiped journal would: the topic's numbers start again from 0.
routerAdd('POST', '/faults/journal-wipe', (e) => {
  const topic = String(e.requestInfo().body.topic)
  $app.db().newQuery('DELETE FROM _pbsse_heads WHERE topic = {:topic}').bind({ topic }).execute()
  $app.db().newQuery('DELETE FROM _pbsse_log WHERE topic = {:topic}').bind({ topic }).execute()
  return e.json(200, { topic })
})
