// The starter's only script: after a form with `data-reset` posted successfully, clear it and
// put the cursor back in its first field. htmx 2 and htmx 4 name the event differently.
(function () {
  function succeeded(detail) {
    if (typeof detail.successful === 'boolean') return detail.successful // htmx 2
    var response = detail.ctx && detail.ctx.response // htmx 4
    return !!response && response.status < 400
  }
  function afterRequest(event) {
    var form = event.target && event.target.closest ? event.target.closest('form[data-reset]') : null
    if (!form || !succeeded(event.detail || {})) return
    form.reset()
    var field = form.querySelector('input:not([type=hidden]), textarea')
    if (field) field.focus()
  }
  document.addEventListener('htmx:afterRequest', afterRequest)
  document.addEventListener('htmx:after:request', afterRequest)
})()
