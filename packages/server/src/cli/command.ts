import type { ParseArgsConfig } from 'node:util';

export type ParsedArgs = {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
};

/** A `fenqi` sub-command: its own options and help; `run` returns the exit status. */
export type Command = {
  name: string;
  summary: string;
  usage: string;
  description: string;
  options: NonNullable<ParseArgsConfig['options']>;
  optionHelp?: string[];
  allowPositionals?: boolean;
  run(args: ParsedArgs): Promise<number>;
};

export function helpText(command: Command): string {
  const options = [...(command.optionHelp ?? []), '-h, --help          show this help'];
  return `Usage: ${command.usage}\n\n${command.description}\n\nOptions:\n${options.map((line) => `  ${line}`).join('\n')}\n`;
}
