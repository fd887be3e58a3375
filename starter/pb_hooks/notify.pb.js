/// <reference path="../pb_data/types.d.ts" />
// Private messages. `/api/notify` reaches only the sender's own tabs (the server kit's default
// filter for a signed-in sender). `/api/wave/{id}` goes to the topic `user:{id}`, which only
// that user may subscribe to (the topic rule in realtime.pb.js).

routerAdd('POST', '/api/notify', (e) => {
  const { page } = require('pocketpages-plugin-sse')
  const views = require(`${__hooks}/lib/views.js`)
  const user = require(`${__hooks}/lib/session.js`).requireUser(e)
  return page(e, ({ body, sseSend }) => {
    const text = String(body().note || '').trim()
    if (!text) throw new BadRequestError('Write a note first.')
    if (text.length > 200) throw new BadRequestError('A note has at most 200 characters.')
    sseSend('notify') // default filter: every tab of this user, nobody else
    const now = new Date().toISOString()
    return views.render('note', { text, name: views.displayName(user), iso: now, time: views.clock(now) })
  })
})

routerAdd('POST', '/api/wave/{id}', (e) => {
  const { page, everyone } = require('pocketpages-plugin-sse')
  const views = require(`${__hooks}/lib/views.js`)
  const user = require(`${__hooks}/lib/session.js`).requireUser(e)
  const id = e.request.pathValue('id')
  if (id === user.id) throw new BadRequestError('Wave at someone else.')
  try {
    $app.findRecordById('users', id)
  } catch {
    throw new NotFoundError('No such user.')
  }
  return page(e, ({ sseSend }) => {
    sseSend(`user:${id}`, everyone) // the topic rule already limits who holds this topic
    const now = new Date().toISOString()
    return views.render('wave', { from: views.displayName(user), iso: now, time: views.clock(now) })
  })
})
