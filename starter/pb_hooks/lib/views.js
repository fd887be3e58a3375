// Data for the starter's templates: messages, times, the page's URL options.
// Pure helpers (no PocketBase calls) are kept apart from the ones that read records.

/** `14:03 UTC` from PocketBase's `2024-01-02 14:03:05.123Z` (or any Date-parsable text). */
function clock(datetime) {
  const text = String(datetime || '').replace(' ', 'T')
  const date = new Date(text)
  if (isNaN(date.getTime())) return ''
  const pad = (n) => (n < 10 ? '0' : '') + n
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} UTC`
}

/** ISO form of a PocketBase datetime, for `<time datetime>`. */
function iso(datetime) {
  return String(datetime || '').replace(' ', 'T')
}

/** The htmx build a page uses: `?htmx=4` picks htmx 4, anything else htmx 2. */
function htmxVersion(value) {
  return String(value) === '4' ? '4' : '2'
}

/** A user's display name (the `name` field, else the part of the email before `@`). */
function displayName(user) {
  if (!user) return 'someone'
  const name = String(user.get('name') || '').trim()
  return name || String(user.email() || '').split('@')[0] || 'someone'
}

/** What the message template needs from a `messages` record and its author. */
function messageView(record, author) {
  const created = record.getString('created')
  return { id: record.id, text: record.getString('text'), author: displayName(author), iso: iso(created), time: clock(created) }
}

/** The last `limit` messages, oldest first, ready for the template. */
function lastMessages(limit) {
  const records = $app.findRecordsByFilter('messages', '', '-created', limit, 0)
  $app.expandRecords(records, ['author'], null)
  return records.map((record) => messageView(record, record.expandedOne('author'))).reverse() // reverse a JS array, not the Go slice
}

/** The other users a user can wave at. */
function otherUsers(me) {
  return $app
    .findRecordsByFilter('users', 'id != {:me}', 'name', 50, 0, { me: me.id })
    .map((user) => ({ id: user.id, name: displayName(user) }))
}

/** Renders one of the starter's templates (`views/<name>.html`) with data. */
function render(name, data) {
  return $template.loadFiles(`${__hooks}/views/${name}.html`).render(data)
}

module.exports = { clock, iso, htmxVersion, displayName, messageView, lastMessages, otherUsers, render }
