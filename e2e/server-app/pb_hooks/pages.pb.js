/// <reference path="../../../starter/pb_data/types.d.ts" />
// The PocketPages test host in front of every request, as PocketPages installs itself:
// plugins: stand-ins for pocketpages-plugin-ejs and -auth, then the real pocketpages-plugin-sse.
routerUse((e) => {
  const app = `${__hooks}/..`
  const host = `${app}/../pocketpages-host`
  return require(`${host}/host.js`).handle(e, {
    pagesRoot: $filepath.clean(`${app}/pages`),
    ejsPath: $filepath.clean(`${app}/../../node_modules/ejs/ejs.min.js`),
    plugins: [`${host}/ejs-plugin.js`, `${host}/auth-plugin.js`, 'pocketpages-plugin-sse'],
  })
})
