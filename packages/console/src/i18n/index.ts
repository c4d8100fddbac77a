import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

// zh-CN by default, English on request. Each console area keeps its strings in its own namespace
// file (locales/<language>/<area>.json); a test checks that both languages have the same keys.

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

const lastLanguageKey = 'fenqi.console.language';
const userLanguageKey = (userId: string) => `fenqi.console.language.${userId}`;

function isLanguage(value: string | null): value is Language {
  return value !== null && (languages as readonly string[]).includes(value);
}

/** The language a user chose last (remembered per user in this browser), else the last one used here. */
export function languageFor(userId?: string): Language {
  const own = userId === undefined ? null : localStorage.getItem(userLanguageKey(userId));
  if (isLanguage(own)) return own;
  const last = localStorage.getItem(lastLanguageKey);
  return isLanguage(last) ? last : 'zh-CN';
}

export async function chooseLanguage(language: Language, userId?: string): Promise<void> {
  localStorage.setItem(lastLanguageKey, language);
  if (userId !== undefined) localStorage.setItem(userLanguageKey(userId), language);
  document.documentElement.lang = language;
  await i18next.changeLanguage(language);
}

await i18next.use(initReactI18next).init({
  resources,
  lng: languageFor(),
  fallbackLng: 'zh-CN',
  defaultNS: 'common',
  ns: Object.keys(resources['zh-CN'] ?? {}),
  interpolation: { escapeValue: false },
  returnNull: false,
});
document.documentElement.lang = i18next.language;

export { i18next };
