// Test-only stand-in for pocketpages-plugin-ejs 0.1.2: renders .ejs files with the ejs package's
// self-contained build (it runs in PocketBase's JS VM). Like the real plugin, it hands the
// template `{ ...api, api }`, turns `<script server>` blocks into scriptlets, answers '' for a
// template that returned early, and runs every other plugin's onRender over each included
// partial (with that partial's path as filePath) before the partial lands in the page.

const { resolvePartial, readText } = require('./routes.js');

/** Plugin factory `(config, extra)`, called per request like every PocketPages plugin. */
module.exports = function ejsPlugin(config) {
  const ejs = require(config.ejsPath);
  const plugin = {
    name: 'ejs',
    handles: ({ filePath }) => filePath.endsWith('.ejs'),
    onRender: (context) => {
      if (!context.filePath.endsWith('.ejs')) return context.content;
      const content = renderFile(context.filePath, Object.assign({}, context.api, { api: context.api }), context);
      if (content === undefined || content === null) return '';
      return typeof content === 'string' ? content : JSON.stringify(content);
    },
  };

  function renderFile(filePath, data, context) {
    const include = (name, extra) => {
      const partial = resolvePartial(config.pagesRoot, filePath, name);
      const partialData = Object.assign({}, data, extra || {});
      const raw = renderFile(partial, partialData, context);
      return context.plugins
        .filter((other) => other.name !== plugin.name)
        .reduce((content, other) => {
          if (!other.onRender) return content;
          const out = other.onRender(Object.assign({}, context, { api: partialData, content, filePath: partial }));
          return out === undefined || out === null ? content : out;
        }, raw);
    };
    const template = readText(filePath).replace(/<script\s+server>([\s\S]*?)<\/script>/g, '<% $1 %>');
    return ejs.render(template, Object.assign({}, data, { include }), { filename: filePath, async: false });
  }

  return plugin;
};
