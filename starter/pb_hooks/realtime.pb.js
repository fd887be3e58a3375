/// <reference path="../pb_data/types.d.ts" />
// The realtime side: `user:{id}` is only for that user (the extension sends the session's token
// with its subscription, so PocketBase knows who asks), every new subscription refreshes the
// presence line, and the catch-up route replays what a reconnecting page missed.

onRealtimeSubscribeRequest((e) => {
  const { subscribe } = require('pocketpages-plugin-sse')
  subscribe(e, { rules: { 'user:{id}': 'owner' } })
  require(`${__hooks}/lib/presence.js`).broadcast(false)
})

// Ordered delivery: a page that reconnects asks here for what it missed (same topic rules).
routerAdd('GET', '/api/sse/catchup', (e) => {
  require('pocketpages-plugin-sse').catchUp(e, { rules: { 'user:{id}': 'owner' } })
})

// Pages that closed leave the count here (at most a minute late).
cronAdd('starter-presence', '* * * * *', () => {
  require(`${__hooks}/lib/presence.js`).broadcast(true)
})
