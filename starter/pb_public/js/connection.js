// The connection state, from the extension's `sse-disconnected` class on the `hx-ext` root:
// the class is there from the first paint until the page is subscribed, and again from a lost
// connection until it is back. After the page was connected once, the class means
// "reconnecting": the root gets `data-connection="reconnecting"` (the stylesheet shows the
// banner and dims the live parts) and the presence line drops its now stale count; once the
// connection is back the server sends the page a fresh presence line.
(function () {
  var app = document.querySelector('[hx-ext~="pocketbase-sse"]')
  var presence = document.getElementById('presence')
  if (!app) return
  var connectedOnce = false

  function update() {
    var down = app.classList.contains('sse-disconnected')
    if (!down) {
      connectedOnce = true
      if (app.getAttribute('data-connection') === 'reconnecting') {
        app.removeAttribute('data-connection')
        if (presence && presence.textContent === '') presence.textContent = 'connected'
      }
      return
    }
    if (connectedOnce && app.getAttribute('data-connection') !== 'reconnecting') {
      app.setAttribute('data-connection', 'reconnecting')
      if (presence) presence.textContent = ''
    }
  }

  new MutationObserver(update).observe(app, { attributes: true, attributeFilter: ['class'] })
  update()
})()
