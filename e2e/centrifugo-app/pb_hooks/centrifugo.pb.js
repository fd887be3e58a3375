/// <reference path="../../../starter/pb_data/types.d.ts" />
// The server kit on a Centrifugo cluster, as the Centrifugo tests drive it. The cluster's
// addresses and secrets come from the environment the test fixture starts PocketBase with.

// plain pb_hooks: the engine for the whole process (onBootstrap also runs for CLI commands
// such as `superuser upsert`, which get no cluster)
onBootstrap((e) => {
  e.next()
  const engine = require(`${__hooks}/../lib/engine.js`)()
  if (engine) require('pocketpages-plugin-sse').configure({ engine })
})

// The page's connection token, under the same topic rules as the PocketBase path.
routerAdd('POST', '/api/sse/centrifugo/token', (e) => {
  require('pocketpages-plugin-sse').centrifugoToken(e, {
    rules: { 'user:{id}': 'owner', 'admin:*': 'superuser', 'members': 'auth' },
  })
})

// A token route registered without rules (a forgotten option): it must mint nothing.
routerAdd('POST', '/probe/token-without-rules', (e) => {
  require('pocketpages-plugin-sse').centrifugoToken(e)
})

// Send now, bound to the poster's auth: filter none (the default filter), 'everyone' (the
// kit's), or 'custom' (a function, which Centrifugo cannot run). Answers the kit's error, if any.
routerAdd('POST', '/plain/send', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  let filter
  if (body.filter === 'everyone') filter = sse.everyone
  if (body.filter === 'custom') filter = () => true
  try {
    return e.json(200, { result: sse.forRequest(e).sseSend(body.topic, body.message, filter), error: '' })
  } catch (error) {
    return e.json(200, { result: null, error: String(error) })
  }
})

// The anonymous module-level send (cron jobs, record hooks) and realtime.send.
routerAdd('POST', '/plain/realtime-send', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const result = body.anonymous ? sse.sseSend(body.topic, body.message) : sse.forRequest(e).realtime.send(body.topic, body.message)
  return e.json(200, result)
})

// Capture mode through page(): the returned HTML goes to every topic named, in one request.
routerAdd('POST', '/plain/page', (e) => {
  const sse = require('pocketpages-plugin-sse')
  return sse.page(e, ({ body, sseSend }) => {
    const { topics, html } = body()
    for (const topic of topics) sseSend(topic, sse.everyone)
    return html
  })
})

// A send inside a transaction: refused with the Centrifugo engine.
routerAdd('POST', '/plain/send-in-tx', (e) => {
  const { sseSend, everyone } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  try {
    $app.runInTransaction((tx) => {
      sseSend(body.topic, body.message, { app: tx, filter: everyone })
    })
  } catch (error) {
    return e.json(200, { error: String(error) })
  }
  return e.json(200, { error: '' })
})

// PocketPages (the test host) with the plugin configured for Centrifugo by its options.
routerUse((e) => {
  const app = `${__hooks}/..`
  const host = `${app}/../pocketpages-host`
  return require(`${host}/host.js`).handle(e, {
    pagesRoot: $filepath.clean(`${app}/../server-app/pages`),
    ejsPath: $filepath.clean(`${app}/../../node_modules/ejs/ejs.min.js`),
    plugins: [`${host}/ejs-plugin.js`, `${host}/auth-plugin.js`, {
      name: 'pocketpages-plugin-sse',
      engine: require(`${app}/lib/engine.js`)(),
    }],
  })
})

// What a page re-fetches on sse:resync (hx-get): a marker the tests look for.
routerAdd('GET', '/plain/resynced', (e) => e.html(200, '<li class="resynced">resynced</li>'))

// Auth changes end the user's Centrifugo connections: its pages get new tokens under the
// user's current auth (a token lists the channels its user could hold when it was minted).
onRecordAfterUpdateSuccess((e) => {
  require('pocketpages-plugin-sse').authChanged(e)
}, 'users')
onRecordAfterDeleteSuccess((e) => {
  require('pocketpages-plugin-sse').authChanged(e)
}, 'users')
