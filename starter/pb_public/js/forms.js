// The starter's forms, on htmx 2 and htmx 4 (which name their events differently):
// - a post that worked clears a `data-reset` form (unless the next message was typed into it
//   meanwhile) and puts the cursor back (unless it moved to another field meanwhile), and shows the element's `data-done` text ("You waved at Bob.");
// - a post that failed keeps what was typed and says why in the nearest `[data-feedback]`
//   box: the server's message for 4xx (validation), "could not reach the server" when it is
//   down; a 401 shows the signed-out banner and keeps the draft for after signing in again;
// - the sign-in form keeps the email after a wrong password.
(function () {
  var DRAFT = 'starter.draft.'
  var EMAIL = 'starter.email'

  /** The message of a PocketBase error answer (`{"message": ...}`), else a generic one. */
  function messageOf(status, text) {
    try {
      var body = JSON.parse(text)
      if (body && typeof body.message === 'string' && body.message) return body.message
    } catch (e) {
      // not JSON
    }
    return status >= 500 ? 'The server had a problem (' + status + '). Try again.' : 'That did not work (' + status + ').'
  }

  function feedback(elt, text, kind) {
    var scope = elt.closest('[data-feedback]')
    var box = scope && scope.querySelector('.feedback')
    if (!box) return
    box.textContent = text
    box.className = 'feedback' + (kind ? ' ' + kind : '')
  }

  function signedOut(elt) {
    var app = elt.closest('.app') || document.querySelector('.app')
    if (app) app.classList.add('signed-out')
    var banner = document.getElementById('signed-out')
    if (banner) banner.hidden = false
    // keep every typed draft for after signing in again
    document.querySelectorAll('form[id]').forEach(function (form) {
      var field = form.querySelector('input[name]:not([type=hidden]):not([type=password])')
      if (field && field.value) sessionStorage.setItem(DRAFT + form.id, field.value)
    })
    feedback(elt, 'You are signed out: sign in again to send (your text is kept).', 'error')
  }

  /** One place for the outcome of a post: `status` 0 means the server could not be reached. */
  function settled(elt, status, text) {
    if (!elt || !elt.closest) return
    if (status === 0) return feedback(elt, 'Could not reach the server. Your text is kept: try again.', 'error')
    if (status === 401) return signedOut(elt)
    if (status >= 400) return feedback(elt, messageOf(status, text), 'error')
    var form = elt.closest('form[data-reset]')
    var field = form && form.querySelector('input:not([type=hidden]), textarea')
    // cleared only while it still holds what was sent: the next message typed meanwhile stays
    if (form && (!field || field.value === form.getAttribute('data-sent'))) {
      form.reset()
      // the cursor comes back only if it is still in this form (or nowhere): a user who moved
      // to another field while the post was on its way keeps typing there
      var active = document.activeElement
      if (field && (!active || active === document.body || form.contains(active))) field.focus()
    }
    var done = elt.getAttribute('data-done')
    feedback(elt, done || '', done ? 'done' : '')
  }

  // htmx 2: error answers are ours to show, not htmx's console error
  document.addEventListener('htmx:beforeSwap', function (event) {
    if (event.detail.xhr && event.detail.xhr.status >= 400) {
      event.detail.shouldSwap = false
      event.detail.isError = false
    }
  })
  document.addEventListener('htmx:afterRequest', function (event) {
    var xhr = event.detail.xhr
    if (xhr) settled(event.detail.elt, xhr.status, xhr.responseText)
  })
  // htmx 4
  document.addEventListener('htmx:after:request', function (event) {
    var ctx = event.detail.ctx
    if (ctx && ctx.response) settled(event.target, ctx.response.status, ctx.text || '')
  })
  document.addEventListener('htmx:error', function (event) {
    var ctx = event.detail.ctx
    if (ctx && !ctx.response) settled(event.target, 0, '') // the request itself failed
  })

  // a new post clears the last message of its box, and its form remembers what it sent
  function started(event) {
    var elt = event.detail.elt || event.target
    if (!elt || !elt.closest) return
    feedback(elt, '', '')
    var form = elt.closest('form[data-reset]')
    var field = form && form.querySelector('input:not([type=hidden]), textarea')
    if (field) form.setAttribute('data-sent', field.value)
  }
  document.addEventListener('htmx:beforeRequest', started)
  document.addEventListener('htmx:before:request', started)

  // drafts kept by a 401 come back once signed in again
  document.querySelectorAll('form[id]').forEach(function (form) {
    var draft = sessionStorage.getItem(DRAFT + form.id)
    var field = form.querySelector('input[name]:not([type=hidden]):not([type=password])')
    if (draft && field) {
      field.value = draft
      sessionStorage.removeItem(DRAFT + form.id)
    }
  })

  // sign-in: keep the email across a wrong password, and drop `?signin=failed` from the address
  var signIn = document.querySelector('form.sign-in')
  if (signIn) {
    var email = signIn.querySelector('input[name=email]')
    signIn.addEventListener('submit', function () {
      sessionStorage.setItem(EMAIL, email.value)
    })
    var failed = /[?&]signin=failed/.test(location.search)
    if (failed && sessionStorage.getItem(EMAIL)) {
      email.value = sessionStorage.getItem(EMAIL)
      var password = signIn.querySelector('input[name=password]')
      if (password) password.focus()
    }
    if (failed) history.replaceState(null, '', location.pathname + location.search.replace(/[?&]signin=failed/, '').replace(/^&/, '?'))
  }
})()
