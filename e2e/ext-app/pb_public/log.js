// Records the extension's events in window.sseLog for the tests: name, element id, topic,
// data, and whether the element carried `sse-disconnected` when the event fired.
// Cancels htmx:sseBeforeMessage for the topic `blocked`.
window.sseLog = []
;['htmx:sseOpen', 'htmx:sseError', 'htmx:sseBeforeMessage', 'htmx:sseMessage', 'htmx:sseClose'].forEach(function (name) {
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
