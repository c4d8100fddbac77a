import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

// Prometheus metrics: process metrics plus one HTTP duration histogram labelled by route pattern
// (never the raw URL, which would explode the label space) and status code.

export function registerMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fenqi_' });
  const duration = new Histogram({
    name: 'fenqi_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  app.addHook('onResponse', (request, reply, done) => {
    // Probes (route config `metrics: false`) are polled every few seconds by orchestrators:
    // counting them measures the orchestrator, not the service.
    if ((request.routeOptions.config as { metrics?: boolean }).metrics !== false) {
      const route = request.routeOptions.url ?? 'unmatched';
      duration.observe(
        { method: request.method, route, status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    }
    done();
  });
  return registry;
}
