// Processes the bench did not start itself but measures (Centrifugo nodes, redis-server): the
// pid listening on a loopback port, and a process's CPU time and resident memory, from /proc.

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

let ticksPerSecond = null;
const ticks = () => (ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);

/** Socket inodes listening on TCP `port` (IPv4 and IPv6 tables). */
function listeningInodes(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[1].endsWith(`:${hex}`) && f[3] === '0A') inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The pid of the process listening on TCP `port` on this machine; throws when there is none. */
export function pidListeningOn(port) {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) throw new Error(`nothing listens on port ${port}`);
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of fds) {
      let target;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1])) return Number(pid);
    }
  }
  throw new Error(`no process found for the listener on port ${port}`);
}

/** CPU time (user + system) a process has used so far, in ms (clock-tick resolution). */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on
  return ((Number(f[11]) + Number(f[12])) * 1000) / ticks();
}

/** CPU ms used by each named pid while `task` runs, and the task's result. */
export async function cpuDuring(pids, task) {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  const result = await task();
  const used = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid) - before[k]]));
  return { result, used };
}
