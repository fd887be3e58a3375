// As an app installs the kit: the slow-consumer accounting counts what each stream takes
// (it runs for every message to every client, so every strategy here pays it).
onRealtimeMessageSend((e) => {
  require('pocketpages-plugin-sse').messageSend(e)
})
