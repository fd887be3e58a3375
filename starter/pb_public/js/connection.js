// The connection state, from the extension's `sse-disconnected` class on the `hx-ext` root:
// the class is there from when htmx processes the page until it is subscribed, and again from
// a lost connection until it is back. Once the class has come and gone (the page was
// connected), its return means "reconnecting": the root gets `data-connection="reconnecting"`
// (the stylesheet shows the banner and dims the live parts) and the presence line drops its
// now stale count; once the connection is back the server sends the page a fresh line.
(function () {
  var app = document.querySelector('[hx-ext~="pocketbase-sse"]')
  var presence = document.getElementById('presence')
  if (!app) return
  var wasDown = app.classList.contains('sse-disconnected')
  var connectedOnce = false

  new MutationObserver(function () {
    var down = app.classList.contains('sse-disconnected')
    if (down === wasDown) return
    wasDown = down
    if (!down) {
      connectedOnce = true
      if (app.getAttribute('data-connection') !== 'reconnecting') return
      app.removeAttribute('data-connection')
      if (presence && presence.textContent === '') presence.textContent = 'connected'
    } else if (connectedOnce) {
      app.setAttribute('data-connection', 'reconnecting')
      if (presence) presence.textContent = ''
    }
  }).observe(app, { attributes: true, attributeFilter: ['class'] })
})()
