// Browser figures with real Chromium (Playwright): POST-to-swap latency between two pages of
// the bench chat (one posts through htmx, the other swaps), and the number of realtime
// connections a page with 8 sse-swap elements opens.

import { chromium } from '@playwright/test';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBenchPocketBase, stats, until } from './pb.mjs';
import { summarize } from './stats.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

/** Builds the public folder for the browser pages: the bench pages plus the scripts they load. */
function publicDir() {
  const dir = path.join(root, 'bench', 'tmp', 'public');
  const vendor = path.join(dir, 'vendor');
  mkdirSync(vendor, { recursive: true });
  const pages = path.join(root, 'bench', 'app', 'pb_public');
  for (const file of readdirSync(pages)) copyFileSync(path.join(pages, file), path.join(dir, file));
  copyFileSync(path.join(root, 'node_modules/htmx.org/dist/htmx.min.js'), path.join(vendor, 'htmx2.min.js'));
  copyFileSync(path.join(root, 'ext/dist/pocketbase-sse.min.js'), path.join(vendor, 'pocketbase-sse.min.js'));
  return dir;
}

/** Opens a page that records console errors; the section fails if any appear. */
async function openPage(context, url, errors) {
  const page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return page;
}

async function latency(context, url, messages, errors) {
  const [sender, receiver] = [await openPage(context, url + '/chat.html', errors), await openPage(context, url + '/chat.html', errors)];
  await until(async () => (await stats(url)).topics.room === 2, 'both pages subscribed to room', 15000);
  const samples = [];
  for (let i = 0; i < messages; i++) {
    const id = `m${i}`;
    const sentAt = await sender.evaluate((html) => {
      document.getElementById('html').value = html;
      const t = performance.timeOrigin + performance.now();
      document.getElementById('send').requestSubmit();
      return t;
    }, `<div class="message" id="${id}">message ${i}</div>`);
    const handle = await receiver.waitForFunction((key) => window.arrivals[key], id, { timeout: 10000 });
    samples.push((await handle.jsonValue()) - sentAt);
  }
  await sender.close();
  await receiver.close();
  return samples;
}

async function connections(context, url, errors) {
  await until(async () => (await stats(url)).clients === 0, 'the chat pages to disconnect', 15000);
  const page = await context.newPage();
  let streams = 0;
  page.on('request', (r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/realtime' && streams++);
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url + '/eight.html');
  const topics = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8'];
  const s = await until(async () => {
    const now = await stats(url);
    return topics.every((t) => now.topics[t]) ? now : null;
  }, 'all 8 topics subscribed', 15000);
  await page.close();
  return { server_clients: s.clients, page_stream_requests: streams };
}

/** The browser section: latency over `messages` messages, then the 8-element connection count. */
export async function measureBrowser({ messages }) {
  const pb = await startBenchPocketBase({ publicDir: publicDir() });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
  });
  const errors = [];
  try {
    const context = await browser.newContext();
    const samples = await latency(context, pb.url, messages, errors);
    const conns = await connections(context, pb.url, errors);
    if (errors.length) throw new Error('browser console errors: ' + errors.slice(0, 3).join(' | '));
    const s = summarize(samples);
    return {
      latency_p50_ms: s.p50_ms,
      latency_p99_ms: s.p99_ms,
      latency_max_ms: s.max_ms,
      messages: samples.length,
      connections_8_elements: conns.server_clients,
      connections_8_elements_page_requests: conns.page_stream_requests,
    };
  } finally {
    await browser.close();
    await pb.stop();
  }
}
