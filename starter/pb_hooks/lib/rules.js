// The starter's topic rules, in one place for both the subscribe hook and the catch-up route
// (a handler cannot see its file's top level, so each requires this module).
// `user:{id}` is only for the signed-in user whose id is {id}; every other topic is public.
module.exports = {
  'user:{id}': 'owner',
}
