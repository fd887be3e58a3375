// Benchmark-only: the Centrifugo engine. With BENCH_CF_API (the API address, ending in /api),
// BENCH_CF_KEY, BENCH_CF_SECRET, BENCH_CF_URL and BENCH_CF_NAMESPACE in PocketBase's environment
// (the bench sets them on the PocketBase it starts for this), the kit sends through Centrifugo;
// without them these routes answer errors and nothing else changes.
if ($os.getenv('BENCH_CF_API')) {
  require('pocketpages-plugin-sse').configure({
    engine: {
      centrifugo: {
        apiUrl: $os.getenv('BENCH_CF_API'),
        apiKey: $os.getenv('BENCH_CF_KEY'),
        tokenSecret: $os.getenv('BENCH_CF_SECRET'),
        url: $os.getenv('BENCH_CF_URL'),
        namespace: $os.getenv('BENCH_CF_NAMESPACE'),
        tokenTtl: 3600, // the load clients hold their connections for the whole section
      },
    },
  })
}

// The kit's token route: a guest's token for `chat` is what every load client connects with.
routerAdd('POST', '/api/sse/centrifugo/token', (e) => {
  require('pocketpages-plugin-sse').centrifugoToken(e, { rules: {} }) // every topic public
})

// cf-kit: the same anonymous sseSend as /bench/kit-ordered, on the Centrifugo engine.
routerAdd('POST', '/bench/cf-kit', (e) => {
  const { sseSend } = require('pocketpages-plugin-sse')
  return e.json(200, sseSend('chat', e.requestInfo().body.html))
})

// cf-http: the least an engine-backed send does, by hand: one $http.send publish of the fragment
// to `<namespace>:chat`, answered once Centrifugo accepted it.
routerAdd('POST', '/bench/cf-http', (e) => {
  const channel = `${$os.getenv('BENCH_CF_NAMESPACE')}:chat`
  const res = $http.send({
    url: `${$os.getenv('BENCH_CF_API')}/publish`,
    method: 'POST',
    body: JSON.stringify({ channel, data: { html: e.requestInfo().body.html } }),
    headers: { 'content-type': 'application/json', 'x-api-key': $os.getenv('BENCH_CF_KEY') },
    timeout: 10,
  })
  if (res.statusCode !== 200 || (res.json && res.json.error)) return e.json(502, { status: res.statusCode, body: toString(res.body) })
  return e.json(200, { ok: true })
})

// Server time (ms, nanosecond clock) of `reps` publishes of `html` to topics nobody holds:
// `single` is one publish per $http.send by hand, `batch` `batch` publishes in one /api/batch
// request by hand, `kit` the kit's sseSend, `kit-batch` the kit's publish of `batch` sends in one
// request (what a capture page sending to several topics does when it flushes). A batch's time
// is per request; the harness divides by `per_request`.
routerAdd('POST', '/bench/cf-cost', (e) => {
  const kit = require('pocketpages-plugin-sse')
  const { mode, reps, batch, html } = e.requestInfo().body
  const namespace = $os.getenv('BENCH_CF_NAMESPACE')
  const headers = { 'content-type': 'application/json', 'x-api-key': $os.getenv('BENCH_CF_KEY') }
  const size = mode === 'batch' || mode === 'kit-batch' ? Math.max(1, Math.min(1000, Number(batch) || 1)) : 1
  const topics = Array.from({ length: size }, (_, i) => `cost-${i}`)
  const publish = (body, path) => {
    const res = $http.send({ url: `${$os.getenv('BENCH_CF_API')}/${path}`, method: 'POST', body, headers, timeout: 10 })
    if (res.statusCode !== 200 || (res.json && res.json.error)) throw new Error(`Centrifugo answered ${res.statusCode}: ${toString(res.body)}`)
  }
  const single = JSON.stringify({ channel: `${namespace}:cost-0`, data: { html } })
  const many = JSON.stringify({ commands: topics.map((t) => ({ publish: { channel: `${namespace}:${t}`, data: { html } } })) })
  const encoded = kit.encodePayload(html)
  const send = {
    single: () => publish(single, 'publish'),
    batch: () => publish(many, 'batch'),
    kit: () => kit.sseSend('cost-0', html),
    'kit-batch': () => kit.publishSends(kit.centrifugoInForce(), topics.map((topic) => ({ topic, data: encoded, filter: null }))),
  }[mode]
  if (!send) return e.json(400, { message: `unknown mode ${mode}` })
  const clock = () => new DateTime().time().unixNano()
  const times = []
  for (let r = 0; r < Math.min(Number(reps) || 1, 1000); r++) {
    const started = clock()
    send()
    times.push((clock() - started) / 1e6)
  }
  return e.json(200, { times, per_request: size })
})
