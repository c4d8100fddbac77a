// A background loop: runs `work` every tickMs, sooner when woken, never twice at once. Work
// survives restarts because it is read from the tables each time, not kept in memory.

export type Loop = { wake(): void; stop(): Promise<void> };

export function startLoop(
  tickMs: number,
  work: () => Promise<void>,
  onError: (error: unknown) => void,
): Loop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wakeUp: (() => void) | undefined;
  let woken = false;

  const done = (async () => {
    while (!stopped) {
      woken = false;
      try {
        await work();
      } catch (error) {
        if (!stopped) onError(error);
      }
      if (stopped || woken) continue;
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        timer = setTimeout(resolve, tickMs);
      });
      wakeUp = undefined;
    }
  })();

  return {
    wake() {
      woken = true;
      if (timer) clearTimeout(timer);
      wakeUp?.();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wakeUp?.();
      await done;
    },
  };
}
