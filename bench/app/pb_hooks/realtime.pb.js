// The kit's subscribe hook, which keeps its topic index. With BENCH_INDEX=off in PocketBase's
// environment it runs with `index: false`, so every send walks every client, as the kit did
// before it had an index (the "before" of the same run).
onRealtimeSubscribeRequest((e) => {
  require('pocketpages-plugin-sse').subscribe(e, { index: $os.getenv('BENCH_INDEX') !== 'off' })
})
