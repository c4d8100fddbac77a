import type { ContractData, ContractInstallment } from './contract-data.ts';
import { formatMoney } from './format.ts';
import type { Doc, TextBox } from './layout.ts';
import { fontSize, ink, tableHeaderFill } from './layout.ts';

// 第四条's repayment schedule as a ruled table: one row per installment and a 合计 row. A long
// schedule continues on the next page with its header repeated, each page's part ruled on its own.
// Cells never wrap (lineBreak: false): the widths fit the longest amount the platform lends.

interface Column {
  readonly title: string;
  readonly width: number;
  readonly align: 'center' | 'right';
  readonly cell: (row: ContractInstallment) => string;
}

const rowHeight = 16;
const cellPadding = 4;

export function drawScheduleTable(doc: Doc, data: ContractData, box: TextBox): void {
  const amount = (minor: bigint) => formatMoney(minor, data.currency);
  const columns: readonly Column[] = [
    { title: '期数', width: 36, align: 'center', cell: (row) => String(row.number) },
    { title: '还款日', width: 72, align: 'center', cell: (row) => row.dueDate },
    { title: '应还本金', width: 77, align: 'right', cell: (row) => amount(row.principalMinor) },
    { title: '应还利息', width: 70, align: 'right', cell: (row) => amount(row.interestMinor) },
    { title: '应还费用', width: 64, align: 'right', cell: (row) => amount(row.feeMinor) },
    { title: '应还总额', width: 82, align: 'right', cell: (row) => amount(row.totalMinor) },
    { title: '剩余本金', width: box.width - 401, align: 'right', cell: (row) => amount(row.balanceMinor) },
  ];
  let segmentTop = doc.y;
  const header = () => {
    segmentTop = doc.y;
    doc.rect(box.left, doc.y, box.width, rowHeight).fill(tableHeaderFill);
    doc.fillColor(ink);
    drawRow(
      doc,
      box,
      columns.map((column) => column.title),
      columns,
      'bold',
      true,
    );
  };
  const closeSegment = () => {
    let x = box.left;
    for (const column of columns.slice(0, -1)) {
      x += column.width;
      doc.moveTo(x, segmentTop).lineTo(x, doc.y).stroke();
    }
    doc.rect(box.left, segmentTop, box.width, doc.y - segmentTop).stroke();
  };
  const keepRow = () => {
    if (doc.y + rowHeight <= box.bottom()) return;
    closeSegment();
    doc.addPage();
    header();
  };
  header();
  for (const row of data.installments) {
    keepRow();
    drawRow(
      doc,
      box,
      columns.map((column) => column.cell(row)),
      columns,
      'body',
    );
  }
  keepRow();
  const totals = data.totals;
  const totalCells = [
    '合计',
    '',
    amount(totals.principalMinor),
    amount(totals.interestMinor),
    amount(totals.feeMinor),
    amount(totals.totalMinor),
    '',
  ];
  drawRow(doc, box, totalCells, columns, 'bold');
  closeSegment();
  doc.y += 6;
}

function drawRow(
  doc: Doc,
  box: TextBox,
  cells: readonly string[],
  columns: readonly Column[],
  font: 'body' | 'bold',
  header = false,
): void {
  const top = doc.y;
  doc.font(font).fontSize(fontSize.table);
  const textTop = top + (rowHeight - doc.currentLineHeight()) / 2;
  let x = box.left;
  for (const [index, column] of columns.entries()) {
    doc.text(cells[index] ?? '', x + cellPadding, textTop, {
      width: column.width - 2 * cellPadding,
      align: header ? 'center' : column.align,
      lineBreak: false,
    });
    x += column.width;
  }
  doc
    .moveTo(box.left, top + rowHeight)
    .lineTo(box.left + box.width, top + rowHeight)
    .stroke();
  doc.x = box.left;
  doc.y = top + rowHeight;
}
