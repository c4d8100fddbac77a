import { connect, type NatsConnection } from 'nats';
import type { OutboxEvent } from './event.ts';

// Optional publication of every event to NATS JetStream, for downstream systems that prefer a
// broker to webhooks. Subjects are `<prefix>.<event type>`; the event id is the message id, so
// JetStream drops a republish inside its duplicate window (the outbox sends at least once).

export type NatsSink = {
  publish(event: OutboxEvent): Promise<void>;
  close(): Promise<void>;
};

export async function connectNatsSink(options: {
  url: string;
  stream: string;
  subjectPrefix: string;
}): Promise<NatsSink> {
  const connection: NatsConnection = await connect({ servers: options.url, name: 'fenqi-outbox' });
  const manager = await connection.jetstreamManager();
  const subjects = [`${options.subjectPrefix}.>`];
  try {
    await manager.streams.info(options.stream);
  } catch {
    await manager.streams.add({ name: options.stream, subjects });
  }
  const jetstream = connection.jetstream();
  const encoder = new TextEncoder();
  return {
    async publish(event) {
      await jetstream.publish(
        `${options.subjectPrefix}.${event.type}`,
        encoder.encode(JSON.stringify(event)),
        {
          msgID: event.id,
        },
      );
    },
    async close() {
      await connection.drain().catch(() => {});
    },
  };
}
