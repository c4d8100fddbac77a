import { createServer } from 'node:http';
import { signatureMatches } from '../../src/platform/crypto/request-signature.ts';

// A merchant's webhook receiver, run as its own process by tests (webhook-receiver.ts): it keeps
// every delivery it gets, checks each signature with the secret given for its path (POST /__secret), and
// answers what the test asks (POST /__answers: statuses to answer in turn, then 200).

type Delivery = { path: string; eventId: string; eventType: string; verified: boolean; body: unknown };

const received: Delivery[] = [];
// Each endpoint (path) has its own secret, as each merchant's endpoint does.
const secrets = new Map<string, string>();
let answers: number[] = [];

const server = createServer((request, response) => {
  let raw = '';
  request.on('data', (chunk) => (raw += chunk));
  request.on('end', () => {
    const url = request.url ?? '/';
    if (url === '/__secret' && request.method === 'POST') {
      const given = JSON.parse(raw) as { path: string; secret: string };
      secrets.set(given.path, given.secret);
      response.end('{}');
      return;
    }
    if (url === '/__answers' && request.method === 'POST') {
      answers = (JSON.parse(raw) as { answers: number[] }).answers;
      response.end('{}');
      return;
    }
    if (url === '/__received' && request.method === 'GET') {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify(received));
      return;
    }
    const header = (name: string) => String(request.headers[name] ?? '');
    const secret = secrets.get(url) ?? '';
    const verified =
      secret !== '' &&
      signatureMatches(secret, header('x-fenqi-signature'), {
        method: request.method ?? 'POST',
        path: url,
        timestamp: header('x-fenqi-timestamp'),
        nonce: header('x-fenqi-nonce'),
        body: raw,
      });
    const status = verified ? (answers.shift() ?? 200) : 401;
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {}
    const eventId = header('x-fenqi-event-id');
    const eventType = header('x-fenqi-event-type');
    if (status >= 200 && status < 300) received.push({ path: url, eventId, eventType, verified, body });
    response.statusCode = status;
    response.end();
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`webhook-receiver listening at http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
