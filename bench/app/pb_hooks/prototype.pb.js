// kit-fast: the prototype send loop of lib/fast-send.js behind a route, measured next to the kit.
routerAdd('POST', '/bench/kit-fast', (e) => {
  const fastSend = require(`${__hooks}/lib/fast-send.js`)
  return e.json(200, { delivered: fastSend('chat', e.requestInfo().body.html) })
})
