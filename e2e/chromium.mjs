// Which Chromium the e2e tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else the
// one `npx playwright install chromium` downloads. Any of them is real Chromium.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const DEBIAN = '/usr/bin/chromium';

/** The executable to launch, or undefined for Playwright's own download. */
export function chromiumPath(env = process.env, exists = existsSync) {
  if (env.CHROMIUM_PATH) return env.CHROMIUM_PATH;
  return exists(DEBIAN) ? DEBIAN : undefined;
}

/** Why no Chromium can be launched, with what to do; null when one is there. */
export function chromiumProblem(env = process.env, exists = existsSync) {
  if (env.CHROMIUM_PATH) {
    if (exists(env.CHROMIUM_PATH)) return null;
    return `CHROMIUM_PATH=${env.CHROMIUM_PATH} does not exist. Point it at a Chromium or Chrome executable, or unset it.`;
  }
  if (exists(DEBIAN) || exists(chromium.executablePath())) return null;
  return (
    'No Chromium found for the e2e tests. Either:\n' +
    `  - on Debian: sudo apt-get install chromium (it installs ${DEBIAN}), or\n` +
    '  - download Playwright\'s own: npx playwright install chromium, or\n' +
    '  - set CHROMIUM_PATH=/path/to/chromium (any Chromium or Chrome).'
  );
}
