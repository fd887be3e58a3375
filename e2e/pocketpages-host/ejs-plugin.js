// Test-only stand-in for pocketpages-plugin-ejs: renders .ejs files with the ejs package's
// self-contained build (it runs in PocketBase's JS VM). Like the real plugin, it hands the
// context api to the template, and runs every other plugin's onRender over each included
// partial (with the partial's path as filePath) before the partial lands in the page.

const { resolvePartial, readText } = require('./routes.js');

/** Plugin factory `(config, extra)`, called per request like every PocketPages plugin. */
module.exports = function ejsPlugin(config) {
  const ejs = require(config.ejsPath);
  const plugin = {
    name: 'ejs',
    handles: ({ filePath }) => filePath.endsWith('.ejs'),
    onRender: (context) => {
      if (!context.filePath.endsWith('.ejs')) return context.content;
      return renderFile(context.filePath, context.api, context);
    },
  };

  function renderFile(filePath, api, context) {
    const include = (name, data) => {
      const partial = resolvePartial(config.pagesRoot, filePath, name);
      const partialApi = Object.assign({}, api, data || {});
      const raw = renderFile(partial, partialApi, context);
      return context.plugins
        .filter((other) => other.name !== plugin.name)
        .reduce((content, other) => {
          if (!other.onRender) return content;
          const out = other.onRender(Object.assign({}, context, { api: partialApi, content, filePath: partial }));
          return out === undefined || out === null ? content : out;
        }, raw);
    };
    const data = Object.assign({}, api, { api, include });
    return ejs.render(readText(filePath), data, { filename: filePath, async: false });
  }

  return plugin;
};
