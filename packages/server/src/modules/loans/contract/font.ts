import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Font } from 'fontkit';
import { create } from 'fontkit';

// The CJK typeface of every contract: Noto Sans Hans (Noto Sans CJK SC, SIL Open Font License 1.1),
// shipped as OpenType/CFF files by the npm package @embedpdf/fonts-sc, so a fresh machine needs no
// system font. The files are ~8 MB each: they are read and parsed once per process and the parsed
// fonts reused by every render; pdfkit embeds only the glyphs a contract uses (a subset), so a
// contract PDF stays small. fontkit 2 is used on purpose: the older @pdf-lib/fontkit fork writes
// broken subsets of CID-keyed CFF fonts such as this one.

export interface ContractFonts {
  readonly regular: Font;
  readonly bold: Font;
}

const fontFiles = { regular: 'NotoSansHans-Regular.otf', bold: 'NotoSansHans-Bold.otf' } as const;

/** The package exports only its JavaScript entry; the font files sit beside it in fonts/. */
function fontPath(file: string): string {
  const entry = createRequire(import.meta.url).resolve('@embedpdf/fonts-sc');
  return join(dirname(entry), '..', 'fonts', file);
}

async function loadFont(file: string): Promise<Font> {
  const path = fontPath(file);
  const bytes = await readFile(path).catch((error: unknown) => {
    throw new Error(`contract font ${path} cannot be read (is @embedpdf/fonts-sc installed?)`, {
      cause: error,
    });
  });
  const font = create(bytes);
  // A collection (.ttc) would need a postscript name; these files are single fonts.
  if ('fonts' in font) throw new Error(`contract font ${path} is a font collection`);
  return font;
}

let loading: Promise<ContractFonts> | undefined;

/** The parsed fonts, loaded on first use; a failed load is retried by the next call. */
export function contractFonts(): Promise<ContractFonts> {
  if (loading === undefined) {
    loading = Promise.all([loadFont(fontFiles.regular), loadFont(fontFiles.bold)]).then(
      ([regular, bold]) => ({ regular, bold }),
    );
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}
