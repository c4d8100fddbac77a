import { spawn } from 'node:child_process';

// Starts webhook-receiver-main.ts as its own process: a merchant's endpoint for the tests, which
// verifies every delivery's signature itself.

export type WebhookDelivery = {
  path: string;
  eventId: string;
  eventType: string;
  verified: boolean;
  body: { id: string; type: string; data: Record<string, unknown> };
};

export type WebhookReceiver = {
  url: string;
  setSecret(path: string, secret: string): Promise<void>;
  answer(statuses: number[]): Promise<void>;
  received(): Promise<WebhookDelivery[]>;
  stop(): Promise<void>;
};

const main = new URL('./webhook-receiver-main.ts', import.meta.url).pathname;

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const child = spawn(process.execPath, [main], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      const match = /webhook-receiver listening at (http:\/\/\S+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => reject(new Error(`webhook receiver exited with ${code}:\n${output}`)));
  });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify(body) });
    await response.text();
  };
  return {
    url,
    setSecret: (path, secret) => post('/__secret', { path, secret }),
    answer: (answers) => post('/__answers', { answers }),
    received: async () => (await (await fetch(`${url}/__received`)).json()) as WebhookDelivery[],
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
