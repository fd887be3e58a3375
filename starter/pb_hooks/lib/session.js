// The cookie session, kept the way PocketPages' auth plugin keeps it: a `pb_auth` cookie holding
// `{token, record}` as URL-encoded JSON, not HttpOnly, so the htmx extension can send the token
// with its realtime subscription. Route handlers require this file inside the handler.

const COOKIE = 'pb_auth'
const MAX_AGE = 7 * 24 * 60 * 60 // the users collection's default token lifetime

/**
 * The signed-in user of a request, or null; also sets `e.auth` so the server kit's default
 * filter knows the sender. Safe requests (GET/HEAD) read the cookie as is; anything that
 * changes state must come from this site (the server kit checks Origin / Sec-Fetch-Site).
 */
function currentUser(e) {
  if (e.auth) return e.auth
  const { bindCookieAuth, tokenFromCookieValue } = require('pocketpages-plugin-sse')
  const method = e.request.method
  if (method !== 'GET' && method !== 'HEAD') return bindCookieAuth(e)
  let value = ''
  try {
    value = e.request.cookie(COOKIE).value
  } catch {
    return null // no cookie
  }
  const token = tokenFromCookieValue(value)
  if (!token) return null
  try {
    e.auth = $app.findAuthRecordByToken(token, 'auth')
    return e.auth
  } catch {
    return null // expired or forged: act as a guest
  }
}

/** Like currentUser, but a guest gets a 401 error. */
function requireUser(e) {
  const user = currentUser(e)
  if (!user) throw new UnauthorizedError('Sign in first.')
  return user
}

function setCookie(e, value, maxAge) {
  const secure = e.isTLS() ? '; Secure' : ''
  e.response.header().add('Set-Cookie', `${COOKIE}=${value}; Path=/; Max-Age=${maxAge}; SameSite=Lax${secure}`)
}

/** Checks email and password against `users`; returns the record or null. */
function checkPassword(email, password) {
  try {
    const user = $app.findAuthRecordByEmail('users', String(email || ''))
    return user.validatePassword(String(password || '')) ? user : null
  } catch {
    return null
  }
}

/** Starts the session: a fresh auth token and the user's public fields in the cookie. */
function signIn(e, user) {
  const record = JSON.parse(JSON.stringify(user))
  setCookie(e, encodeURIComponent(JSON.stringify({ token: user.newAuthToken(), record })), MAX_AGE)
}

/** Ends the session: the cookie is cleared. */
function signOut(e) {
  setCookie(e, '', 0)
}

module.exports = { currentUser, requireUser, checkPassword, signIn, signOut }
