import type { Config } from '../../platform/config.ts';
import { maskPhone } from '../../platform/crypto/masking.ts';
import type { Logger } from '../../platform/logger.ts';

// Sending one-time codes. A real SMS provider (阿里云短信, 腾讯云短信, …) is another implementation
// of SmsSender. The development adapter writes the code to the log instead of sending it; it is
// refused when NODE_ENV=production (platform/config.ts).

export interface SmsSender {
  sendLoginCode(
    phone: string,
    code: string,
    meta: { challengeId: string; expiresInSeconds: number },
  ): Promise<void>;
}

export const developmentSmsMessage = 'development SMS adapter: login code (not sent)';

export function smsSenderFor(config: Config, logger: Logger): SmsSender {
  if (config.smsAdapter === 'log') {
    return {
      async sendLoginCode(phone, code, meta) {
        logger.warn(
          { sms: 'login-code', to: maskPhone(phone), code, challengeId: meta.challengeId },
          developmentSmsMessage,
        );
      },
    };
  }
  return {
    async sendLoginCode() {
      throw new Error('no SMS adapter is configured');
    },
  };
}
