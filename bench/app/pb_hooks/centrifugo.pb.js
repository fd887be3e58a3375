// Benchmark-only routes for the Centrifugo engine: a raw publish from the JS VM (the least any
// engine-backed send must do: one synchronous $http.send to Centrifugo's HTTP API), and the
// server-side cost of publishing, one publish per request against a batch of them. They need
// BENCH_CF_API (the API address, ending in /api), BENCH_CF_KEY and BENCH_CF_NAMESPACE in
// PocketBase's environment (the bench sets them on the PocketBase it starts for this).

// cf-http: the fragment to channel `<namespace>:chat` with one $http.send, answered once
// Centrifugo accepted it.
routerAdd('POST', '/bench/cf-http', (e) => {
  const api = $os.getenv('BENCH_CF_API')
  const channel = `${$os.getenv('BENCH_CF_NAMESPACE')}:chat`
  const res = $http.send({
    url: `${api}/publish`,
    method: 'POST',
    body: JSON.stringify({ channel, data: { html: e.requestInfo().body.html } }),
    headers: { 'content-type': 'application/json', 'x-api-key': $os.getenv('BENCH_CF_KEY') },
    timeout: 10,
  })
  if (res.statusCode !== 200 || (res.json && res.json.error)) return e.json(502, { status: res.statusCode, body: toString(res.body) })
  return e.json(200, { ok: true })
})

// Server time (ms, nanosecond clock) of `reps` publishes of `html` to `<namespace>:<topic>`:
// `single` sends one publish per $http.send, `batch` sends `batch` publishes in one request to
// /api/batch (its time is per request; the harness divides by `batch`).
routerAdd('POST', '/bench/cf-cost', (e) => {
  const { mode, reps, batch, html, topic } = e.requestInfo().body
  const api = $os.getenv('BENCH_CF_API')
  const headers = { 'content-type': 'application/json', 'x-api-key': $os.getenv('BENCH_CF_KEY') }
  const channel = `${$os.getenv('BENCH_CF_NAMESPACE')}:${topic || 'cost'}`
  const clock = () => new DateTime().time().unixNano()
  const size = mode === 'batch' ? Math.max(1, Math.min(1000, Number(batch) || 1)) : 1
  const body = mode === 'batch'
    ? JSON.stringify({ commands: Array.from({ length: size }, () => ({ publish: { channel, data: { html } } })) })
    : JSON.stringify({ channel, data: { html } })
  const url = `${api}/${mode === 'batch' ? 'batch' : 'publish'}`
  const times = []
  for (let r = 0; r < Math.min(Number(reps) || 1, 1000); r++) {
    const started = clock()
    const res = $http.send({ url, method: 'POST', body, headers, timeout: 10 })
    times.push((clock() - started) / 1e6)
    if (res.statusCode !== 200 || (res.json && res.json.error)) return e.json(502, { status: res.statusCode, body: toString(res.body) })
  }
  return e.json(200, { times, per_request: size })
})
