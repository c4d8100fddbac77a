/** JSON shown as indented, monospaced text (decision traces, event payloads, segments). */
export function JsonBlock({ value, maxHeight = 480 }: { value: unknown; maxHeight?: number }) {
  return (
    <pre className="json-block" style={{ maxHeight }}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}
