// Installs the workspace when node_modules is missing or older than package-lock.json.
// Runs on whatever Node the machine has (it may be 20): plain JS, built-ins only.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const stamp = 'node_modules/.blockplane-install';
const lockHash = createHash('sha256').update(readFileSync('package-lock.json')).digest('hex');
const installed = existsSync(stamp) && readFileSync(stamp, 'utf8') === lockHash && existsSync('node_modules/.bin/node');

if (!installed) {
  console.log('Installing the workspace (npm ci) …');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  writeFileSync(stamp, lockHash);
}
