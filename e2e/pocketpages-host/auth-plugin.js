// Test-only stand-in for pocketpages-plugin-auth 0.2.2's request side, as that plugin does it:
// for EVERY request (any method, any origin) a `pb_auth` cookie holding `{token, record}` makes
// `request.auth` the token's record. Any token type is taken (it calls findAuthRecordByToken
// without a type); a cookie that is not such an object, or whose token fails, is cleared.

/** Plugin factory `(config, extra)`, called per request like every PocketPages plugin. */
module.exports = function authPlugin() {
  return {
    name: 'auth',
    onRequest: ({ request, response }) => {
      if (request.auth) return; // PocketBase already authenticated it (Authorization header)
      const cookie = request.cookies('pb_auth');
      if (!cookie) return;
      if (typeof cookie !== 'object') {
        response.cookie('pb_auth', '', { maxAge: 0 });
        return;
      }
      if (!cookie.token) return;
      try {
        const record = $app.findAuthRecordByToken(cookie.token);
        $apis.enrichRecord(request.event, record);
        request.auth = record;
        request.authToken = cookie.token;
      } catch (_) {
        response.cookie('pb_auth', '', { maxAge: 0 });
      }
    },
  };
};
