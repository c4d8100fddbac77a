import { loadSandboxConfig, SandboxConfigError } from './config.ts';
import { startSandboxServer } from './server.ts';

// `node packages/merchant-sandbox/src/main.ts` (or `npm start -w @fenqi/merchant-sandbox`): the demo
// shop as its own process, configured by environment variables (docs/merchant-integration.md).
// `fenqi demo` runs it as a child and serves it under /sandbox.

let config: ReturnType<typeof loadSandboxConfig>;
try {
  config = loadSandboxConfig();
} catch (error) {
  if (!(error instanceof SandboxConfigError)) throw error;
  process.stderr.write(`merchant-sandbox: ${error.message}\n`);
  process.exit(78);
}
if (config.webhookSecret === undefined)
  process.stderr.write(
    'merchant-sandbox: warning: SANDBOX_WEBHOOK_SECRET is not set; every webhook will be refused (401)\n',
  );

const server = await startSandboxServer(config);

let stopping = false;
async function stop() {
  if (stopping) process.exit(130);
  stopping = true;
  await server.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Started by `fenqi demo` with an IPC channel: it closes when the parent is gone, even killed.
process.on('disconnect', () => {
  if (!stopping) void stop();
});

process.stderr.write(
  `merchant-sandbox listening at ${server.url} (the shop: ${server.publicUrl}${config.basePath}/; Fenqi at ${config.apiUrl}; orders kept in memory)\n`,
);
