// The sandbox's settings, all from environment variables (docs/merchant-integration.md, "Running
// the sandbox"). They are the merchant's own: its Fenqi API key and webhook secret, and where it
// listens. Every problem is reported at once, before anything starts.

export type SandboxConfig = {
  /** Fenqi's base URL, e.g. http://127.0.0.1:8080 (the API is under /api/v1). */
  apiUrl: string;
  /** The API key id Fenqi issued to the merchant (`fqk_…`). */
  merchantKey: string;
  /** Its secret (`fqs_…`), shown once when the key was issued. */
  merchantSecret: string;
  /** The webhook endpoint's secret (`fqw_…`); without it every webhook is refused. */
  webhookSecret: string | undefined;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The path prefix every page is under: `/sandbox`, or `` for the root. */
  basePath: string;
  /** How shoppers' browsers reach the sandbox (the order's return URL); default http://host:port. */
  publicUrl: string | undefined;
  /** A webhook's timestamp may be this far from our clock (Fenqi's own window is the same). */
  signatureWindowSeconds: number;
};

export class SandboxConfigError extends Error {}

function url(name: string, value: string, problems: string[]): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    return value.replace(/\/+$/, '');
  } catch {
    problems.push(`${name} must be an http(s) URL`);
    return value;
  }
}

export function loadSandboxConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const value = (name: string) => {
    const text = env[name]?.trim();
    return text === undefined || text === '' ? undefined : text;
  };
  const problems: string[] = [];
  const apiUrl = url('FENQI_API_URL', value('FENQI_API_URL') ?? 'http://127.0.0.1:8080', problems);
  const merchantKey = value('SANDBOX_MERCHANT_KEY') ?? '';
  if (!/^fqk_[A-Za-z0-9_-]{20,}$/.test(merchantKey))
    problems.push('SANDBOX_MERCHANT_KEY must be the API key id Fenqi issued (fqk_…)');
  const merchantSecret = value('SANDBOX_MERCHANT_SECRET') ?? '';
  if (merchantSecret.length < 16)
    problems.push('SANDBOX_MERCHANT_SECRET must be the API key’s secret (fqs_…)');
  const portText = value('SANDBOX_PORT') ?? '8095';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65_535) problems.push('SANDBOX_PORT must be a port number (0: any)');
  const base = (value('SANDBOX_BASE_PATH') ?? '/sandbox').replace(/\/+$/, '');
  if (base !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(base))
    problems.push('SANDBOX_BASE_PATH must be a path such as /sandbox (or / for the root)');
  const publicText = value('SANDBOX_PUBLIC_URL');
  const publicUrl = publicText === undefined ? undefined : url('SANDBOX_PUBLIC_URL', publicText, problems);
  if (problems.length > 0) throw new SandboxConfigError(problems.join('; '));
  return {
    apiUrl,
    merchantKey,
    merchantSecret,
    webhookSecret: value('SANDBOX_WEBHOOK_SECRET'),
    host: value('SANDBOX_HOST') ?? '127.0.0.1',
    port,
    basePath: base,
    publicUrl,
    signatureWindowSeconds: 300,
  };
}
