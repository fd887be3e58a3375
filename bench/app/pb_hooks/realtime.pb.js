// The kit's subscribe hook, which keeps its topic index. With BENCH_INDEX=off in PocketBase's
// environment the hook only continues, so the index stays off and every send walks every
// client, as the kit did before it had an index (the "before" of the same run).
onRealtimeSubscribeRequest((e) => {
  if ($os.getenv('BENCH_INDEX') === 'off') return e.next()
  require('pocketpages-plugin-sse').subscribe(e)
})
