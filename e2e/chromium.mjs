// Which Chromium the e2e tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium, else the
// one `npx playwright install chromium` downloads. Any of them is real Chromium.
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const DEBIAN = '/usr/bin/chromium';

/** The executable to launch, or undefined for Playwright's own download. */
export function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return existsSync(DEBIAN) ? DEBIAN : undefined;
}

/** Why no Chromium can be launched, with what to do; null when one is there. */
export function chromiumProblem() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? null : `CHROMIUM_PATH=${fromEnv} does not exist. Point it at a Chromium or Chrome executable, or unset it.`;
  if (existsSync(DEBIAN) || existsSync(chromium.executablePath())) return null;
  return (
    'No Chromium found for the e2e tests. Either:\n' +
    '  - install Debian\'s (or Ubuntu\'s) package: sudo apt-get install chromium, or\n' +
    '  - download Playwright\'s own: npx playwright install chromium, or\n' +
    '  - set CHROMIUM_PATH=/path/to/chromium (any Chromium or Chrome).'
  );
}
