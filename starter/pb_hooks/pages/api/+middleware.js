// Every page under api/ changes state: a post from another origin (or another port of this
// one) is answered 403 before the page runs, as the plain form refuses it. PocketPages' auth
// plugin would otherwise make the cookie's user `request.auth` for it.
module.exports = require('pocketpages-plugin-sse').sameOriginOnly()
