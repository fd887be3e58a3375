// Every page under api/ changes state. It answers POST only (a link or a navigation is a GET,
// and may come from another site with the SameSite=Lax cookie), and a request from another
// origin (or another port of this one) is answered 403 before the page runs, as the plain form
// refuses it. PocketPages' auth plugin would otherwise make the cookie's user `request.auth` for it.
const sameOrigin = require('pocketpages-plugin-sse').sameOriginOnly()

module.exports = function postFromThisOrigin(api, next) {
  if (api.request.event.request.method !== 'POST') {
    return api.response.json(405, { status: 405, message: 'Method not allowed.', data: {} })
  }
  return sameOrigin(api, next)
}
