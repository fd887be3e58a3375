// Runs once before any e2e test: finds (or installs) PocketBase and checks for Chromium, so a
// missing one is said once, with what to do, instead of failing every test the same way.
import { resolvePocketBase } from '../scripts/pocketbase.mjs';
import { chromiumProblem } from './chromium.mjs';

export default function globalSetup() {
  const problems = [];
  try {
    resolvePocketBase();
  } catch (error) {
    problems.push(error.message);
  }
  const chromium = chromiumProblem();
  if (chromium) problems.push(chromium);
  if (problems.length === 0) return;
  const error = new Error(`The e2e tests cannot run.\n\n${problems.join('\n\n')}\n`);
  error.stack = error.message; // the instructions, not a code frame of this file
  throw error;
}
