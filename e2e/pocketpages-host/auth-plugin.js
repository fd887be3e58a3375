// Test-only stand-in for pocketpages-plugin-auth's request side: a `pb_auth` cookie holding
// `{token, record}` makes `request.auth` the signed-in user (so pages send as that user).

/** Plugin factory `(config, extra)`, called per request like every PocketPages plugin. */
module.exports = function authPlugin() {
  return {
    name: 'auth',
    onRequest: ({ request }) => {
      if (request.auth) return;
      let raw = '';
      try {
        raw = request.event.request.cookie('pb_auth').value;
      } catch (_) {
        return; // no cookie
      }
      try {
        const { token } = JSON.parse(decodeURIComponent(raw));
        request.auth = $app.findAuthRecordByToken(token, 'auth');
      } catch (_) {
        // not a valid session: stay a guest
      }
    },
  };
};
