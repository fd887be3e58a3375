// The PocketPages form of the starter (see the README): EJS pages, PocketPages' auth plugin for
// the `pb_auth` cookie session, and the server kit for sseSend.
module.exports = {
  plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-auth', 'pocketpages-plugin-sse'],
}
