/// <reference path="../../../starter/pb_data/types.d.ts" />
// Test-only probes: what PocketBase bound to a realtime client, token minting, JS level.

routerAdd('GET', '/test/client/{id}', (e) => {
  const client = $app.subscriptionsBroker().clientById(e.request.pathValue('id'))
  const auth = client.get('auth')
  return e.json(200, { auth: auth ? auth.id : '', subscriptions: Object.keys(client.subscriptions()) })
})

// Tokens of the signed-in user that are not auth tokens, an auth token that expired a minute ago
// and its control, valid for a minute (both signed as PocketBase signs auth tokens: the record's
// token key and the collection's secret).
routerAdd('POST', '/test/tokens', (e) => {
  const record = e.auth
  if (!record) throw new UnauthorizedError('sign in first')
  const collection = record.collection()
  const claims = { id: record.id, type: 'auth', collectionId: collection.id, refreshable: true }
  return e.json(200, {
    auth: record.newAuthToken(),
    expired: $security.createJWT(claims, record.tokenKey() + collection.authToken.secret, -60),
    fresh: $security.createJWT(claims, record.tokenKey() + collection.authToken.secret, 60),
    file: record.newFileToken(),
    verification: record.newVerificationToken(),
    passwordReset: record.newPasswordResetToken(),
  })
})

// Which syntax the VM compiles: each snippet is compiled and run with new Function.
routerAdd('POST', '/test/syntax', (e) => {
  const snippets = e.requestInfo().body.snippets || {}
  const out = {}
  for (const name in snippets) {
    try {
      out[name] = String(new Function(snippets[name])())
    } catch (err) {
      out[name] = 'error: ' + String(err)
    }
  }
  return e.json(200, out)
})
