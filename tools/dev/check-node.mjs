// Refuses to go on under the machine's end-of-life Node: the workspace pins Node 24 in node_modules/.bin.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 24 || (major === 24 && minor < 9)) {
  console.error(
    `Blockplane needs Node >= 24.9 but this is Node ${process.versions.node}. ` +
      'Run it through npm (`npm start`, `npm test`, `npm run …`), which puts the pinned Node 24 from ' +
      'node_modules/.bin first on PATH; if that is missing, run `npm ci` (install scripts must be allowed).',
  );
  process.exit(1);
}
