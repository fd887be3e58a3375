// Loads htmx 2 or 4 (`?htmx=4`) and then the extension, as parser-blocking scripts.
// `?pb=<origin>` is exposed as window.PB_ORIGIN for pages that connect elsewhere.
(function () {
  var query = new URLSearchParams(location.search)
  window.PB_ORIGIN = query.get('pb') || ''
  var version = query.get('htmx') === '4' ? '4' : '2'
  document.write('<script src="/vendor/htmx' + version + '.min.js"><\/script>')
  document.write('<script src="/vendor/pocketbase-sse.min.js"><\/script>')
})()
