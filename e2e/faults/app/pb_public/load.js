// Loads htmx 2 or 4 (`?htmx=4`), then the extension; records the extension's events in
// window.sseLog ({name, topic, data, down}) and the down times in window.sseGaps for the tests.
(function () {
  var version = new URLSearchParams(location.search).get('htmx') === '4' ? '4' : '2'
  document.write('<script src="/vendor/htmx' + version + '.min.js"><\/script>')
  document.write('<script src="/vendor/pocketbase-sse.min.js"><\/script>')
  window.sseLog = []
  window.sseGaps = [] // ms from each htmx:sseError to the next htmx:sseOpen
  var downAt = null
  document.addEventListener('htmx:sseError', function () { if (downAt === null) downAt = performance.now() })
  document.addEventListener('htmx:sseOpen', function () {
    if (downAt !== null) window.sseGaps.push(Math.round(performance.now() - downAt))
    downAt = null
  })
  ;['htmx:sseOpen', 'htmx:sseError', 'htmx:sseMessage', 'htmx:sseClose'].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var detail = event.detail || {}
      window.sseLog.push({ name: name, topic: detail.topic, data: detail.data, down: event.target.classList.contains('sse-disconnected') })
    })
  })
})()
