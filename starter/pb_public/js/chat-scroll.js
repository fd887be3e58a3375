// The chat list shows the newest message: on load, and whenever one arrives while the reader
// is at the bottom. A reader who scrolled up to read older messages stays where they are and
// gets a "new messages" button instead. Watches the list itself (a MutationObserver), so it
// works the same whatever swapped the message in (the extension on htmx 2 or 4, a re-fetch).
(function () {
  var log = document.getElementById('chat-log')
  var list = document.getElementById('messages')
  var button = document.getElementById('new-messages')
  if (!log || !list) return
  var NEAR = 48 // px from the bottom that still count as "at the bottom"
  var atBottom = true
  var unseen = 0

  function toBottom() {
    log.scrollTop = log.scrollHeight
    atBottom = true
    unseen = 0
    if (button) button.hidden = true
  }

  log.addEventListener('scroll', function () {
    atBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= NEAR
    if (atBottom && button) {
      unseen = 0
      button.hidden = true
    }
  })

  new MutationObserver(function (records) {
    var added = 0
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType === 1) added++
      })
    })
    if (!added) return
    if (atBottom) return toBottom()
    unseen += added
    if (button) {
      button.textContent = unseen === 1 ? '1 new message ↓' : unseen + ' new messages ↓'
      button.hidden = false
    }
  }).observe(list, { childList: true })

  if (button) button.addEventListener('click', toBottom)
  // sending is a wish to see the conversation's end
  var form = document.getElementById('chat-form')
  if (form) form.addEventListener('submit', toBottom)
  toBottom()
})()
