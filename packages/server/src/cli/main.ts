import { parseArgs } from 'node:util';
import { auditCommand } from './audit.ts';
import { businessDateCommand } from './business-date.ts';
import { channelSimCommand } from './channel-sim.ts';
import { cobCommand } from './cob.ts';
import { type Command, helpText } from './command.ts';
import { demoCommand } from './demo.ts';
import { keysCommand } from './keys.ts';
import { ledgerCommand } from './ledger.ts';
import { migrateCommand } from './migrate.ts';
import { openApiCommand } from './openapi.ts';
import { policyCommand } from './policy.ts';
import { aprCommand, quoteCommand } from './quote.ts';
import { reconcileCommand } from './reconcile.ts';
import { version } from './runtime.ts';
import { serveCommand } from './serve.ts';
import { simulateCommand } from './simulate.ts';
import { usersCommand } from './users.ts';
import { workerCommand } from './worker.ts';

const versionCommand: Command = {
  name: 'version',
  summary: 'Print the version',
  usage: 'fenqi version',
  description: 'Prints the Fenqi version and the Node.js version running it.',
  options: {},
  run: async () => {
    process.stdout.write(`fenqi ${version} (node ${process.version})\n`);
    return 0;
  },
};

const commands: Command[] = [
  serveCommand,
  workerCommand,
  channelSimCommand,
  migrateCommand,
  demoCommand,
  businessDateCommand,
  cobCommand,
  simulateCommand,
  usersCommand,
  auditCommand,
  openApiCommand,
  ledgerCommand,
  reconcileCommand,
  keysCommand,
  quoteCommand,
  aprCommand,
  policyCommand,
  versionCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  return [
    'Usage: fenqi <command> [options]',
    '',
    'Fenqi — consumer-finance platform: API, workers and operator tools.',
    '',
    'Commands:',
    ...commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`),
    '',
    'Run `fenqi <command> --help` for the options of one command. Configuration: docs/configuration.md.',
    '',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') return versionCommand.run({ values: {}, positionals: [] });
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    process.stderr.write(`fenqi: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`fenqi ${command.name}: ${(error as Error).message}\n\n${helpText(command)}`);
    return 2;
  }
  if (parsed.values.help === true) {
    process.stdout.write(helpText(command));
    return 0;
  }
  return command.run({
    values: parsed.values as Record<string, string | boolean | undefined>,
    positionals: parsed.positionals,
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `fenqi: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
