/// <reference path="../../../starter/pb_data/types.d.ts" />
// Test-only probes: what PocketBase bound to a realtime client, token minting, JS level.

routerAdd('GET', '/test/client/{id}', (e) => {
  const client = $app.subscriptionsBroker().clientById(e.request.pathValue('id'))
  const auth = client.get('auth')
  return e.json(200, { auth: auth ? auth.id : '', subscriptions: Object.keys(client.subscriptions()) })
})

// Tokens of the signed-in user that are not auth tokens.
routerAdd('POST', '/test/tokens', (e) => {
  const record = e.auth
  if (!record) throw new UnauthorizedError('sign in first')
  return e.json(200, {
    auth: record.newAuthToken(),
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
