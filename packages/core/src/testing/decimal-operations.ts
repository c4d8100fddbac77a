import { Decimal } from 'decimal.js';

// Counts the Decimal arithmetic a piece of code really performs, whatever solver it runs: every
// decimal.js instance (IrrDecimal is a clone) shares one prototype, so wrapping its arithmetic
// methods for the duration of a call sees every multiplication, division, addition and power,
// including those decimal.js makes inside pow, exp and ln. Work is counted, never timed, so the
// figure does not depend on the machine.

const arithmetic = [
  'times',
  'mul',
  'plus',
  'add',
  'minus',
  'sub',
  'dividedBy',
  'div',
  'toPower',
  'pow',
  'naturalExponential',
  'exp',
  'naturalLogarithm',
  'ln',
  'squareRoot',
  'sqrt',
] as const;

type Method = (this: Decimal, ...args: unknown[]) => Decimal;

export function countDecimalOperations<T>(run: () => T): { result: T; operations: number } {
  const prototype = Decimal.prototype as unknown as Record<string, Method>;
  const originals = arithmetic.map((name) => [name, prototype[name]] as const);
  let operations = 0;
  for (const [name, original] of originals) {
    if (original === undefined) throw new Error(`decimal.js has no ${name}`);
    prototype[name] = function counted(this: Decimal, ...args: unknown[]) {
      operations += 1;
      return original.apply(this, args);
    };
  }
  try {
    const result = run();
    return { result, operations };
  } finally {
    for (const [name, original] of originals) prototype[name] = original as Method;
  }
}
