import { resolve } from 'node:path';
import { describeTranslations } from '../support/translations.ts';

describeTranslations('console', resolve(import.meta.dirname, '../../../console/src/i18n/locales'));
