// Times in the reader's own clock: the server renders UTC in `<time datetime="...">` (its text
// says "UTC" for readers without scripts); this formats each one in the browser's time zone,
// with the date when it is not today, and the full date and time as a tooltip.
(function () {
  var clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' })
  var day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' })
  var full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' })

  function format(el) {
    var date = new Date(el.getAttribute('datetime'))
    if (isNaN(date.getTime())) return
    var today = new Date().toDateString() === date.toDateString()
    el.textContent = (today ? '' : day.format(date) + ', ') + clock.format(date)
    el.title = full.format(date)
    el.setAttribute('data-local', '')
  }

  function formatIn(root) {
    if (root.matches && root.matches('time[datetime]')) format(root)
    if (root.querySelectorAll) root.querySelectorAll('time[datetime]:not([data-local])').forEach(format)
  }

  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(formatIn)
    })
  }).observe(document.body, { childList: true, subtree: true })
  formatIn(document)
})()
