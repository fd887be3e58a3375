/// <reference path="../../../starter/pb_data/types.d.ts" />
// The plain pb_hooks front door, as the server tests drive it.

// Send now: sseSend(topic, message, filter?) bound to the poster's auth.
routerAdd('POST', '/plain/send', (e) => {
  const { forRequest } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  // filter by name: none (the default filter), 'all', or 'throws' (throws for body.throwFor)
  let filter
  if (body.filter === 'all') filter = () => true
  if (body.filter === 'throws') {
    filter = (clientId) => {
      if (clientId === body.throwFor) throw new Error('filter failed on purpose')
      return true
    }
  }
  const { sseSend } = forRequest(e)
  return e.json(200, sseSend(body.topic, body.message, filter))
})

// The realtime.send(topic, message, { filter }) form, and the anonymous module-level sseSend.
routerAdd('POST', '/plain/realtime-send', (e) => {
  const sse = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const result = body.anonymous
    ? sse.sseSend(body.topic, body.message)
    : sse.forRequest(e).realtime.send(body.topic, body.message, body.all ? { filter: () => true } : {})
  return e.json(200, result)
})

// Capture mode through page(): the returned HTML is broadcast; `fail` throws after capturing.
routerAdd('POST', '/plain/page', (e) => {
  const { page } = require('pocketpages-plugin-sse')
  return page(e, ({ body, sseSend }) => {
    const { topic, html, fail } = body()
    sseSend(topic, () => true)
    if (fail) throw new BadRequestError('render failed on purpose')
    return html
  })
})

// Bad input: the kit's error names the cause and the VM survives.
routerAdd('POST', '/plain/bad', (e) => {
  const { forRequest } = require('pocketpages-plugin-sse')
  try {
    forRequest(e).sseSend(e.requestInfo().body.topic, 'x')
    return e.json(200, { error: '' })
  } catch (err) {
    return e.json(200, { error: String(err) })
  }
})

// A send inside a transaction, given the transaction's app: it goes out on commit only.
routerAdd('POST', '/plain/send-in-tx', (e) => {
  const { sseSend } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  let result = null
  try {
    $app.runInTransaction((tx) => {
      // hold SQLite's write lock, as a transaction that saved a record does
      tx.db().newQuery('CREATE TABLE IF NOT EXISTS tx_probe (n INTEGER)').execute()
      tx.db().newQuery('INSERT INTO tx_probe VALUES (1)').execute()
      result = sseSend(body.topic, body.message, { app: tx, filter: () => true })
      if (body.rollback) throw new Error('rolled back on purpose')
    })
  } catch (error) {
    return e.json(200, { result, error: String(error) })
  }
  return e.json(200, { result, error: '' })
})
