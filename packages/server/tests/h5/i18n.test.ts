import { resolve } from 'node:path';
import { describeTranslations } from '../support/translations.ts';

describeTranslations('H5', resolve(import.meta.dirname, '../../../h5/src/locales'));
