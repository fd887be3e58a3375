/// <reference path="../pb_data/types.d.ts" />
// The realtime side: `user:{id}` is only for that user (the extension sends the session's token
// with its subscription, so PocketBase knows who asks), and every new subscription refreshes
// the presence line (coalesced: at most one broadcast a second, see lib/presence.js).

onRealtimeSubscribeRequest((e) => {
  const { subscribe } = require('pocketpages-plugin-sse')
  subscribe(e, { rules: { 'user:{id}': 'owner' } })
  require(`${__hooks}/lib/presence.js`).joined(e)
})

// Pages that closed leave the count here (at most a minute late).
cronAdd('starter-presence', '* * * * *', () => {
  require(`${__hooks}/lib/presence.js`).broadcast(true)
})

// Counts what each stream takes, so the kit can cut off a client that stopped reading
// (its backlog bounded) instead of holding every broadcast for it.
onRealtimeMessageSend((e) => {
  require('pocketpages-plugin-sse').messageSend(e)
})
