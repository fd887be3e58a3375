/// <reference path="../pb_data/types.d.ts" />
// The chat starter, as plain pb_hooks (no PocketPages needed).
// Each handler runs in its own VM, so everything it uses is required inside it.

// The page: two live panes and a form. `?htmx=4` serves the same page on htmx 4.
routerAdd('GET', '/{$}', (e) => {
  const htmx = e.request.url.query().get('htmx') === '4' ? 'htmx4.min.js' : 'htmx2.min.js'
  const html = $template
    .loadFiles(`${__hooks}/views/layout.html`, `${__hooks}/views/index.html`)
    .render({ htmx })
  return e.html(200, html)
})

// A message: rendered once (escaped by the template), broadcast to every `chat` pane.
routerAdd('POST', '/api/chat', (e) => {
  const { page } = require('pocketpages-plugin-sse')
  return page(e, ({ body, sseSend }) => {
    const message = String(body().message || '').trim()
    if (!message) throw new BadRequestError('Write a message first.')
    sseSend('chat')
    return $template.loadFiles(`${__hooks}/views/message.html`).render({ message })
  })
})
