/** A minimal Server-Sent Events client for tests: reads a fetch body and parses events. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The next event (comments are collected in `comments`), or an error after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent>;
  comments: string[];
  /** True once the server ended the stream. */
  ended(): boolean;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const ac = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: ac.signal });
  const queue: SseEvent[] = [];
  const comments: string[] = [];
  const waiters: (() => void)[] = [];
  let ended = false;
  const wakeAll = () => waiters.splice(0).forEach((w) => w());
  if (res.body) {
    void (async () => {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let idx: number;
          while ((idx = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, idx);
            buf = buf.slice(idx + 2);
            const ev: SseEvent = { id: undefined, event: 'message', data: '' };
            let hasData = false;
            for (const line of block.split('\n')) {
              if (line.startsWith(':')) comments.push(line.slice(1).trim());
              else if (line.startsWith('id:')) ev.id = line.slice(3).trim();
              else if (line.startsWith('event:')) ev.event = line.slice(6).trim();
              else if (line.startsWith('data:')) {
                ev.data += (hasData ? '\n' : '') + line.slice(5).trimStart();
                hasData = true;
              }
            }
            if (hasData) queue.push(ev);
            wakeAll();
          }
        }
      } catch {
        /* aborted */
      } finally {
        ended = true;
        wakeAll();
      }
    })();
  } else {
    ended = true;
  }
  return {
    status: res.status,
    headers: res.headers,
    comments,
    ended: () => ended,
    async next(timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (queue.length === 0) {
        if (ended) throw new Error('stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return queue.shift()!;
    },
    close: () => ac.abort(),
  };
}
