/// <reference path="../pb_data/types.d.ts" />
// Sign in and sign out: plain form posts that set or clear the `pb_auth` cookie and go back
// to the page (keeping its `?htmx=4`).

routerAdd('POST', '/sign-in', (e) => {
  const session = require(`${__hooks}/lib/session.js`)
  const { isSameOrigin, endRealtimeSessions } = require('pocketpages-plugin-sse')
  const body = e.requestInfo().body
  const back = String(body.htmx) === '4' ? '/?htmx=4' : '/'
  if (!isSameOrigin(e)) throw new ForbiddenError('Sign in from this site.')
  const user = session.checkPassword(body.email, body.password)
  if (!user) return e.redirect(303, back + (back.indexOf('?') < 0 ? '?' : '&') + 'signin=failed')
  const before = session.currentUser(e) // another user signed in in this browser (a tab left on the sign-in form)
  session.signIn(e, user)
  if (before && before.id !== user.id) endRealtimeSessions(before) // her open tabs stop getting her private messages
  return e.redirect(303, back)
})

routerAdd('POST', '/sign-out', (e) => {
  const session = require(`${__hooks}/lib/session.js`)
  const { isSameOrigin, endRealtimeSessions } = require('pocketpages-plugin-sse')
  if (!isSameOrigin(e)) throw new ForbiddenError('Sign out from this site.')
  const user = session.currentUser(e)
  session.signOut(e)
  endRealtimeSessions(user) // tabs still open stop getting this user's private messages
  return e.redirect(303, String(e.requestInfo().body.htmx) === '4' ? '/?htmx=4' : '/')
})
