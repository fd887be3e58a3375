/// <reference path="../pb_data/types.d.ts" />
// The chat starter as plain pb_hooks (no PocketPages needed): the page and the public chat.
// Each handler runs in its own VM, so everything it uses is required inside it.

// The page, rendered with the last 50 messages. `?htmx=4` serves the same page on htmx 4.
routerAdd('GET', '/{$}', (e) => {
  const views = require(`${__hooks}/lib/views.js`)
  const user = require(`${__hooks}/lib/session.js`).currentUser(e)
  const query = e.request.url.query()
  const htmx = views.htmxVersion(query.get('htmx'))
  const html = $template
    .loadFiles(`${__hooks}/views/layout.html`, `${__hooks}/views/index.html`, `${__hooks}/views/message.html`)
    .render({
      htmx,
      user: user ? { id: user.id, name: views.displayName(user) } : null,
      others: user ? views.otherUsers(user) : [],
      messages: views.lastMessages(50),
      signInFailed: query.get('signin') === 'failed',
    })
  return e.html(200, html)
})

// The message list alone: what a page re-fetches on `sse:resync` (it was away too long).
routerAdd('GET', '/messages', (e) => {
  const views = require(`${__hooks}/lib/views.js`)
  const html = $template
    .loadFiles(`${__hooks}/views/list.html`, `${__hooks}/views/message.html`)
    .render({ messages: views.lastMessages(50) })
  return e.html(200, html)
})

// A chat message: saved, rendered once (escaped by the template), broadcast to every page.
routerAdd('POST', '/api/chat', (e) => {
  const { page, everyone } = require('pocketpages-plugin-sse')
  const views = require(`${__hooks}/lib/views.js`)
  const user = require(`${__hooks}/lib/session.js`).requireUser(e)
  return page(e, ({ body, sseSend }) => {
    const text = String(body().text || '').trim()
    if (!text) throw new BadRequestError('Write a message first.')
    if (text.length > 1000) throw new BadRequestError('A message has at most 1000 characters.')
    const record = new Record($app.findCollectionByNameOrId('messages'))
    record.set('text', text)
    record.set('author', user.id)
    $app.save(record)
    sseSend('chat', everyone) // a signed-in sender reaches only their own tabs by default
    return views.render('message', views.messageView(record, user))
  })
})
