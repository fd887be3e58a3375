// Loads htmx 2 or 4 (`?htmx=4`), then the extension; records the extension's events in
// window.sseLog ({name, topic, data, down}) for the tests.
(function () {
  var version = new URLSearchParams(location.search).get('htmx') === '4' ? '4' : '2'
  document.write('<script src="/vendor/htmx' + version + '.min.js"><\/script>')
  document.write('<script src="/vendor/pocketbase-sse.min.js"><\/script>')
  window.sseLog = []
  ;['htmx:sseOpen', 'htmx:sseError', 'htmx:sseMessage', 'htmx:sseClose'].forEach(function (name) {
    document.addEventListener(name, function (event) {
      var detail = event.detail || {}
      window.sseLog.push({ name: name, topic: detail.topic, data: detail.data, down: event.target.classList.contains('sse-disconnected') })
    })
  })
})()
