import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

// zh-CN by default, English on request (remembered in localStorage fenqi.h5.lang). Each area keeps
// its strings in its own namespace file (locales/<language>/<area>.json); a test checks that both
// languages have the same keys (packages/server/tests/h5/i18n.test.ts).

export const languages = ['zh-CN', 'en'] as const;
export type Language = (typeof languages)[number];

const files = import.meta.glob<{ default: Record<string, unknown> }>('./locales/*/*.json', { eager: true });
const resources: Record<string, Record<string, Record<string, unknown>>> = {};
for (const [path, module] of Object.entries(files)) {
  const match = /\.\/locales\/([^/]+)\/([^/]+)\.json$/.exec(path);
  if (match === null) continue;
  const [, language = '', namespace = ''] = match;
  resources[language] ??= {};
  resources[language][namespace] = module.default;
}

const languageKey = 'fenqi.h5.lang';

function isLanguage(value: string | null): value is Language {
  return value !== null && (languages as readonly string[]).includes(value);
}

export function storedLanguage(): Language {
  const stored = localStorage.getItem(languageKey);
  return isLanguage(stored) ? stored : 'zh-CN';
}

export async function chooseLanguage(language: Language): Promise<void> {
  localStorage.setItem(languageKey, language);
  document.documentElement.lang = language;
  await i18next.changeLanguage(language);
}

await i18next.use(initReactI18next).init({
  resources,
  lng: storedLanguage(),
  fallbackLng: 'zh-CN',
  defaultNS: 'common',
  ns: Object.keys(resources['zh-CN'] ?? {}),
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18next.language;

export { i18next };
