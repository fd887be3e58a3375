// The one script every e2e test page loads (copied to each test app's pb_public/vendor/):
// records the extension's events for the tests, then loads htmx 2 or 4 (`?htmx=4`) and the
// extension as parser-blocking scripts.
//   window.sseLog   [{name, id, topic, data, down}] for every htmx:sse* event and sse:resync (down: the
//                   element carried `sse-disconnected` when it fired)
//   window.sseGaps  ms from each htmx:sseError to the next htmx:sseOpen
//   window.PB_ORIGIN the `?pb=<origin>` of pages that connect elsewhere
// `?ext=centrifugo` loads the Centrifugo bundle instead of the PocketBase one.
// htmx:sseBeforeMessage is cancelled for the topic `blocked`.
(function () {
  var query = new URLSearchParams(location.search)
  window.PB_ORIGIN = query.get('pb') || ''
  window.sseLog = []
  window.sseGaps = []
  var downAt = null
  document.addEventListener('htmx:sseError', function () { if (downAt === null) downAt = performance.now() })
  document.addEventListener('htmx:sseOpen', function () {
    if (downAt !== null) window.sseGaps.push(Math.round(performance.now() - downAt))
    downAt = null
  })
  ;['htmx:sseOpen', 'htmx:sseError', 'htmx:sseBeforeMessage', 'htmx:sseMessage', 'htmx:sseClose', 'sse:resync'].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var detail = event.detail || {}
      window.sseLog.push({
        name: name,
        id: event.target.id,
        topic: detail.topic,
        data: detail.data,
        down: event.target.classList.contains('sse-disconnected'),
      })
      if (name === 'htmx:sseBeforeMessage' && detail.topic === 'blocked') event.preventDefault()
    })
  })
  var version = query.get('htmx') === '4' ? '4' : '2'
  document.write('<script src="/vendor/htmx' + version + '.min.js"><\/script>')
  var bundle = query.get('ext') === 'centrifugo' ? 'pocketbase-sse-centrifugo' : 'pocketbase-sse'
  document.write('<script src="/vendor/' + bundle + '.min.js"><\/script>')
})()
