// A line diff of two texts (Myers' O((N+M)·D) algorithm): the policy version comparison. The
// common head and tail are cut off first, so two versions that differ in a few rules cost little
// however long they are; beyond `maxEdits` changed lines the middle is shown as replaced outright.

export type DiffLine =
  | { kind: 'same'; text: string; left: number; right: number }
  | { kind: 'removed'; text: string; left: number }
  | { kind: 'added'; text: string; right: number };

type Op = 'same' | 'removed' | 'added';

function myers(a: readonly string[], b: readonly string[], maxEdits: number): Op[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d += 1) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, offset, n, m);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], offset: number, n: number, m: number): Op[] {
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d -= 1) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0));
    const previousK = down ? k + 1 : k - 1;
    const previousX = v[offset + previousK] ?? 0;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      ops.push('same');
      x -= 1;
      y -= 1;
    }
    if (d > 0) {
      ops.push(x === previousX ? 'added' : 'removed');
      x = previousX;
      y = previousY;
    }
  }
  return ops.reverse();
}

export function diffLines(left: readonly string[], right: readonly string[], maxEdits = 4000): DiffLine[] {
  let head = 0;
  while (head < left.length && head < right.length && left[head] === right[head]) head += 1;
  let leftEnd = left.length;
  let rightEnd = right.length;
  while (leftEnd > head && rightEnd > head && left[leftEnd - 1] === right[rightEnd - 1]) {
    leftEnd -= 1;
    rightEnd -= 1;
  }
  const a = left.slice(head, leftEnd);
  const b = right.slice(head, rightEnd);
  const middle: Op[] = myers(a, b, maxEdits) ?? [...a.map((): Op => 'removed'), ...b.map((): Op => 'added')];
  const ops: Op[] = [
    ...Array.from({ length: head }, (): Op => 'same'),
    ...middle,
    ...Array.from({ length: left.length - leftEnd }, (): Op => 'same'),
  ];
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    if (op === 'same') {
      lines.push({ kind: 'same', text: left[i] ?? '', left: i + 1, right: j + 1 });
      i += 1;
      j += 1;
    } else if (op === 'removed') {
      lines.push({ kind: 'removed', text: left[i] ?? '', left: i + 1 });
      i += 1;
    } else {
      lines.push({ kind: 'added', text: right[j] ?? '', right: j + 1 });
      j += 1;
    }
  }
  return lines;
}

export type Hunk = { lines: DiffLine[] } | { skipped: number };

/** The changed lines with `context` unchanged lines around each change; longer unchanged runs folded. */
export function hunks(lines: readonly DiffLine[], context = 3): Hunk[] {
  const near = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.kind === 'same') return;
    for (let k = Math.max(0, index - context); k <= Math.min(lines.length - 1, index + context); k += 1)
      near[k] = true;
  });
  const result: Hunk[] = [];
  let current: DiffLine[] = [];
  let skipped = 0;
  lines.forEach((line, index) => {
    if (near[index]) {
      if (skipped > 0) {
        result.push({ skipped });
        skipped = 0;
      }
      current.push(line);
    } else {
      if (current.length > 0) {
        result.push({ lines: current });
        current = [];
      }
      skipped += 1;
    }
  });
  if (current.length > 0) result.push({ lines: current });
  if (skipped > 0) result.push({ skipped });
  return result;
}
