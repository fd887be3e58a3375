// As an app installs the kit. The slow-consumer accounting counts what each stream takes (it
// runs for every message to every client, so every strategy here pays it). The subscribe hook
// keeps the topic index; with BENCH_INDEX=off in PocketBase's environment it runs with
// `index: false`, so every send walks every client, as the kit did before it had an index (the
// "before" of the same run). With BENCH_KIT=off neither hook is installed: PocketBase as it
// comes, the memory section's baseline.
if ($os.getenv('BENCH_KIT') !== 'off') {
  onRealtimeMessageSend((e) => {
    require('pocketpages-plugin-sse').messageSend(e)
  })

  onRealtimeSubscribeRequest((e) => {
    require('pocketpages-plugin-sse').subscribe(e, { index: $os.getenv('BENCH_INDEX') !== 'off' })
  })
}
