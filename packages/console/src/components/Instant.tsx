import { formatInstant } from '../format';

/** An instant in the business time zone (Asia/Shanghai). */
export function Instant({ value }: { value: string | null | undefined }) {
  return <span className="instant">{formatInstant(value)}</span>;
}
