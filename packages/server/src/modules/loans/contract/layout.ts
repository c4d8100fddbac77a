import type { Font } from 'fontkit';

// The page of a contract: A4, margins, type sizes (10.5 pt body is 五号, the usual size of Chinese
// contract text) and colours, shared by the articles (render.ts) and the schedule table.

// pdfkit 0.20 accepts an already parsed fontkit font (its font factory checks for `layout`), which
// lets every render reuse the fonts parsed once per process; @types/pdfkit does not list it yet.
declare global {
  namespace PDFKit.Mixins {
    interface PDFFont {
      registerFont(name: string, src: Font): this;
    }
  }
}

export type Doc = PDFKit.PDFDocument;

export const page = { size: 'A4', marginTop: 56, marginBottom: 60, marginX: 50 } as const;
export const fontSize = { title: 18, subtitle: 12, article: 12, body: 10.5, table: 9, footer: 8 } as const;
export const bodyLineGap = 3;
export const ink = '#111111';
export const rule = '#999999';
export const tableHeaderFill = '#eeeeee';

/** Where the text of a page goes: the left edge, the width and the last y before the bottom margin. */
export interface TextBox {
  readonly left: number;
  readonly width: number;
  readonly bottom: () => number;
}
