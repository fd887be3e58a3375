/// <reference path="../../../starter/pb_data/types.d.ts" />
// Topic rules, checked when a client posts its subscriptions (and at catch-up).
onRealtimeSubscribeRequest((e) => {
  require('pocketpages-plugin-sse').subscribe(e, {
    rules: { 'user:{id}': 'owner', 'admin:*': 'superuser', 'members': 'auth' },
  })
})

// Slow-consumer accounting: counts what each stream takes.
onRealtimeMessageSend((e) => {
  require('pocketpages-plugin-sse').messageSend(e)
})

// Ordered delivery's catch-up, with the same topic rules.
routerAdd('GET', '/api/sse/catchup', (e) => {
  require('pocketpages-plugin-sse').catchUp(e, {
    rules: { 'user:{id}': 'owner', 'admin:*': 'superuser', 'members': 'auth' },
  })
})
