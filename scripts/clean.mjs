// Removes build output so a build never ships files of an earlier layout.
import { rmSync } from 'node:fs';
for (const dir of ['ext/dist', 'server/dist', '.build']) rmSync(new URL(`../${dir}`, import.meta.url), { recursive: true, force: true });
