/// <reference path="../pb_data/types.d.ts" />
// The realtime side: `user:{id}` is only for that user (the extension sends the session's token
// with its subscription, so PocketBase knows who asks), every new subscription refreshes the
// presence line (coalesced: at most one broadcast a second, see lib/presence.js), and the
// catch-up route replays what a reconnecting page missed.

onRealtimeSubscribeRequest((e) => {
  const { subscribe } = require('pocketpages-plugin-sse')
  subscribe(e, { rules: require(`${__hooks}/lib/rules.js`) })
  require(`${__hooks}/lib/presence.js`).joined(e)
})

// Ordered delivery: a page that reconnects asks here for what it missed (the same topic rules,
// from lib/rules.js).
routerAdd('GET', '/api/sse/catchup', (e) => {
  require('pocketpages-plugin-sse').catchUp(e, { rules: require(`${__hooks}/lib/rules.js`) })
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
