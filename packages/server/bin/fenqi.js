#!/usr/bin/env node
// The `fenqi` command. Fenqi's sources are TypeScript that Node.js runs directly (type stripping,
// native from Node 22.18 / 23.6). Run by an older Node.js, re-launch on one that can: the same
// Node with the flag on 22.12–22.17, otherwise the Node 24 that `npm install` put in node_modules.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const native = major >= 24 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);

function pinnedNode() {
  for (let dir = dirname(self); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'node', 'bin', 'node');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

if (native) {
  await import('../src/cli/main.ts');
} else {
  const flagged = major === 22 && minor >= 12;
  const node = flagged ? process.execPath : pinnedNode();
  if (node === undefined) {
    process.stderr.write(
      `fenqi needs Node.js >= 22.12 (this is ${process.version}). Run \`npm install\` in the repository to get the pinned Node.js 24, or install Node.js 24.\n`,
    );
    process.exit(1);
  }
  const args = flagged ? ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'] : [];
  const child = spawn(node, [...args, self, ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}
