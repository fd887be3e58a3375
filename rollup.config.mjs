// Builds both published packages:
//   ext/    -> minified IIFE for <script src>, an ES module and type declarations
//   server/ -> one plain CommonJS file that PocketBase's require() loads
import typescript from '@rollup/plugin-typescript';
import terser from '@rollup/plugin-terser';
import { gzipSync } from 'node:zlib';

/** Prints the gzipped size of each written chunk, so the build shows what a page pays. */
function reportSize() {
  return {
    name: 'report-size',
    writeBundle(options, bundle) {
      for (const [file, chunk] of Object.entries(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const raw = Buffer.byteLength(chunk.code);
        const gz = gzipSync(chunk.code, { level: 9 }).length;
        console.log(`${options.dir ? options.dir + '/' : ''}${file}: ${raw} B, ${gz} B gzipped`);
      }
    },
  };
}

const ts = (pkg, emitTypes, outDir = `${pkg}/dist`) =>
  typescript({
    tsconfig: `./${pkg}/tsconfig.json`,
    declaration: emitTypes,
    declarationDir: emitTypes ? `${pkg}/dist/types` : undefined,
    outDir,
  });

/** Every module of a package as its own ES file under .build/, for the unit tests (not published). */
const unitBuild = (pkg, extra = []) => ({
  input: [`${pkg}/src/index.ts`, ...extra],
  plugins: [ts(pkg, false, `.build/${pkg}`)],
  output: { dir: `.build/${pkg}`, format: 'es', preserveModules: true, preserveModulesRoot: `${pkg}/src`, entryFileNames: '[name].mjs' },
});

/**
 * The Centrifugo bundle: the extension core imports `engine-connection.ts` where it imports
 * `connection.js` (the PocketBase bundle stays byte for byte what it was).
 */
function centrifugoConnection() {
  return {
    name: 'centrifugo-connection',
    async resolveId(source, importer) {
      if (source !== './connection.js' || !importer || !importer.endsWith('extension.ts')) return null;
      return this.resolve('./engine-connection.js', importer, { skipSelf: true });
    },
  };
}

const minify = () =>
  // `_` members are package-internal: the minifier renames them (the bundle budget);
  // `inline: 1` inlines only simple functions: inlining those with arguments made it 6 B larger gzipped
  terser({ ecma: 2020, compress: { passes: 4, inline: 1, unsafe: true, unsafe_arrows: true, unsafe_methods: true, pure_getters: true }, mangle: { properties: { regex: /^_/ } } });

export default [
  {
    input: 'ext/src/index.ts',
    plugins: [ts('ext', true)],
    output: [
      { dir: 'ext/dist', entryFileNames: 'pocketbase-sse.esm.js', format: 'es', plugins: [reportSize()] },
    ],
  },
  {
    input: 'ext/src/index.ts',
    plugins: [ts('ext', false)],
    output: [
      {
        dir: 'ext/dist',
        entryFileNames: 'pocketbase-sse.min.js',
        format: 'iife',
        name: 'PocketBaseSSE',
        strict: false,
        plugins: [minify(), reportSize()],
      },
    ],
  },
  {
    input: 'ext/src/centrifugo.ts',
    plugins: [centrifugoConnection(), ts('ext', false)],
    output: [
      { dir: 'ext/dist', entryFileNames: 'pocketbase-sse-centrifugo.esm.js', format: 'es', plugins: [reportSize()] },
      { dir: 'ext/dist', entryFileNames: 'pocketbase-sse-centrifugo.min.js', format: 'iife', name: 'PocketBaseSSE', strict: false, plugins: [minify(), reportSize()] },
    ],
  },
  {
    input: 'server/src/index.ts',
    plugins: [ts('server', true)],
    output: [{ dir: 'server/dist', entryFileNames: 'index.js', format: 'cjs', exports: 'named', plugins: [reportSize()] }],
  },
  unitBuild('ext', ['ext/src/engine-connection.ts']),
  unitBuild('server'),
];
