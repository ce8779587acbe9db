// Builds the portal into dist/: one JS bundle and one CSS file with content-hashed names,
// index.html pointing at them, and .gz/.br siblings that central serves to browsers that accept them.
//
// Ideas it rests on:
// - The strict CSP (script-src 'self'; style-src 'self') forbids inline code, so index.html only
//   references files; the build refuses an index.html that carries inline <script>/<style>/style=.
// - Hashed names let central cache assets forever; index.html itself is never cached long.
// - CSS is plain files: src/styles.css first, then every src/styles/*.css in name order (one per
//   page area, one writer each), concatenated and minified by esbuild.
// - The first load (index.html + JS + CSS, gzip) must stay under 300 KB, or the build fails.
// - Page modules are written by several people at once; a missing ./pages/*.jsx fails the build
//   with a clear message, or, with --placeholders, becomes a "not yet built" page.
//
// Usage: node build.mjs [--watch] [--placeholders] [--sourcemap] [--outdir DIR]
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = dirname(fileURLToPath(import.meta.url));
const SRC = join(ROOT, 'src');
const BUDGET = 300 * 1024;

const args = process.argv.slice(2);
const opt = {
  watch: args.includes('--watch'),
  placeholders: args.includes('--placeholders'),
  sourcemap: args.includes('--sourcemap'),
  outdir: resolve(ROOT, args.includes('--outdir') ? args[args.indexOf('--outdir') + 1] : 'dist'),
};

// Resolves ./pages/<name>.jsx imports: a clear error when the file is missing, or a stub page.
const pagesPlugin = {
  name: 'pages',
  setup(build) {
    build.onResolve({ filter: /^\.\/pages\/[\w.-]+\.jsx$/ }, (a) => {
      const file = join(a.resolveDir, a.path);
      if (existsSync(file)) return { path: file };
      const page = relative(ROOT, file);
      if (!opt.placeholders) {
        return {
          errors: [{
            text: `missing page module ${page} (imported by ${relative(ROOT, a.importer)}). ` +
              'It belongs to another helper; run `node build.mjs --placeholders` to build with a stub.',
          }],
        };
      }
      return { path: page, namespace: 'placeholder', pluginData: { resolveDir: dirname(file) } };
    });
    build.onLoad({ filter: /.*/, namespace: 'placeholder' }, (a) => ({
      loader: 'jsx',
      resolveDir: a.pluginData.resolveDir,
      contents: `import { Page } from '../ui.jsx';
export default function Placeholder() {
  return <Page title="Not yet built"><p>The page ${JSON.stringify(basename(a.path))} is not built yet.</p></Page>;
}`,
    }));
  },
};

const jsOptions = {
  entryPoints: [join(SRC, 'main.jsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  loader: { '.js': 'jsx' },
  outdir: join(opt.outdir, 'assets'),
  entryNames: 'app',
  write: false,
  sourcemap: opt.sourcemap ? 'external' : false,
  legalComments: 'none',
  logLevel: 'silent',
  define: { 'process.env.NODE_ENV': '"production"' },
  plugins: [pagesPlugin],
};

function hashOf(buf) {
  return createHash('sha256').update(buf).digest('hex').slice(0, 12);
}

function cssSources() {
  const dir = join(SRC, 'styles');
  const extra = existsSync(dir)
    ? readdirSync(dir).filter((f) => f.endsWith('.css')).sort().map((f) => join(dir, f))
    : [];
  return [join(SRC, 'styles.css'), ...extra];
}

async function buildCss(extraCss) {
  const parts = cssSources().map((f) => `/* ${relative(SRC, f)} */\n${readFileSync(f, 'utf8')}`);
  if (extraCss) parts.push(extraCss);
  const out = await esbuild.transform(parts.join('\n'), {
    loader: 'css', minify: true, target: ['chrome100', 'firefox100', 'safari15'], legalComments: 'none',
  });
  return Buffer.from(out.code);
}

function checkHtml(html) {
  const problems = [];
  if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) problems.push('inline <script>');
  if (/<style[\s>]/i.test(html)) problems.push('<style> element');
  if (/\sstyle\s*=/i.test(html)) problems.push('style= attribute');
  if (/\son[a-z]+\s*=/i.test(html)) problems.push('inline event handler');
  if (problems.length) throw new Error(`src/index.html breaks the CSP: ${problems.join(', ')}`);
}

function compressed(buf) {
  return {
    gz: zlib.gzipSync(buf, { level: 9 }),
    br: zlib.brotliCompressSync(buf, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
      },
    }),
  };
}

function kb(n) {
  return `${(n / 1024).toFixed(1)} KB`.padStart(10);
}

// Empties the output folder, refusing any folder that holds more than a previous build.
function cleanOutdir() {
  const out = opt.outdir;
  if (out === '/' || ROOT.startsWith(`${out}/`) || out === ROOT || out.startsWith(`${SRC}/`) || out === SRC) {
    throw new Error(`refusing to write the build into ${out}`);
  }
  if (existsSync(out)) {
    const foreign = readdirSync(out).filter((f) => !/^(index\.html|favicon\.svg)(\.gz|\.br)?$|^assets$/.test(f));
    if (foreign.length) throw new Error(`refusing to empty ${out}: it holds ${foreign.slice(0, 3).join(', ')}`);
  }
  rmSync(out, { recursive: true, force: true });
}

async function buildOnce() {
  const started = Date.now();
  let result;
  try {
    result = await esbuild.build(jsOptions);
  } catch (e) {
    for (const err of e.errors || [e]) {
      const where = err.location ? `${err.location.file}:${err.location.line}: ` : '';
      console.error(`build error: ${where}${err.text || err.message}`);
    }
    return false;
  }
  for (const w of result.warnings) console.warn(`warning: ${w.text}`);

  let js = null;
  let map = null;
  let extraCss = '';
  for (const f of result.outputFiles) {
    if (f.path.endsWith('.js')) js = Buffer.from(f.contents);
    else if (f.path.endsWith('.js.map')) map = Buffer.from(f.contents);
    else if (f.path.endsWith('.css')) extraCss += f.text;
  }
  const css = await buildCss(extraCss);
  const jsName = `assets/app-${hashOf(js)}.js`;
  const cssName = `assets/app-${hashOf(css)}.css`;
  if (map) js = Buffer.concat([js, Buffer.from(`\n//# sourceMappingURL=${basename(jsName)}.map\n`)]);

  const template = readFileSync(join(SRC, 'index.html'), 'utf8');
  checkHtml(template);
  if (!template.includes('%APP_JS%') || !template.includes('%APP_CSS%')) {
    throw new Error('src/index.html must reference %APP_JS% and %APP_CSS%');
  }
  const html = Buffer.from(template.replaceAll('%APP_JS%', `/${jsName}`).replaceAll('%APP_CSS%', `/${cssName}`));

  cleanOutdir();
  mkdirSync(join(opt.outdir, 'assets'), { recursive: true });
  const files = [['index.html', html], [jsName, js], [cssName, css]];
  if (existsSync(join(SRC, 'favicon.svg'))) files.push(['favicon.svg', readFileSync(join(SRC, 'favicon.svg'))]);

  let firstLoad = 0;
  let firstLoadBr = 0;
  const lines = [];
  for (const [name, buf] of files) {
    const { gz, br } = compressed(buf);
    writeFileSync(join(opt.outdir, name), buf);
    writeFileSync(join(opt.outdir, `${name}.gz`), gz);
    writeFileSync(join(opt.outdir, `${name}.br`), br);
    if (name !== 'favicon.svg') {
      firstLoad += gz.length;
      firstLoadBr += br.length;
    }
    lines.push(`  ${name.padEnd(32)} ${kb(buf.length)} ${kb(gz.length)} gz ${kb(br.length)} br`);
  }
  if (map) writeFileSync(join(opt.outdir, `${jsName}.map`), map);

  console.log(`built ${relative(process.cwd(), opt.outdir) || '.'} in ${Date.now() - started} ms` +
    (opt.placeholders ? ' (with placeholders for missing pages: do not ship)' : ''));
  console.log(lines.join('\n'));
  console.log(`  first load: ${kb(firstLoad)} gz ${kb(firstLoadBr)} br (budget ${kb(BUDGET).trim()} compressed)`);
  if (firstLoad > BUDGET) {
    console.error(`build error: the first load is ${firstLoad} bytes compressed, over the ${BUDGET} byte budget`);
    return false;
  }
  return true;
}

async function main() {
  if (!opt.watch) {
    let ok = false;
    try {
      ok = await buildOnce();
    } catch (e) {
      console.error(`build error: ${e.message}`);
    }
    process.exit(ok ? 0 : 1);
  }
  // Watch: rebuild everything on any change under src/ (a build takes well under a second).
  let timer = null;
  let running = false;
  let again = false;
  const run = async () => {
    if (running) { again = true; return; }
    running = true;
    try { await buildOnce(); } catch (e) { console.error(`build error: ${e.message}`); }
    running = false;
    if (again) { again = false; run(); }
  };
  await run();
  watch(SRC, { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(run, 100);
  });
  console.log('watching src/ for changes (Ctrl-C to stop)');
}

main();
