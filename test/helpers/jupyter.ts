// Talk to a real Jupyter server: start a kernel, run code over the WebSocket channel.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export async function startKernel(base: string, token: string): Promise<string> {
  const res = await fetch(`${base}/api/kernels?token=${token}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`POST /api/kernels: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Run code in a kernel; resolves with stdout text once the kernel is idle again. */
export function runCode(base: string, token: string, kernelId: string, code: string, timeoutMs = 60_000): Promise<{ stdout: string; status: string }> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/api/kernels/${kernelId}/channels?token=${token}`);
  const msgId = randomUUID();
  let stdout = '';
  let status = '';
  let idle = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`kernel did not finish within ${timeoutMs} ms (stdout so far: ${stdout})`));
    }, timeoutMs);
    ws.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    ws.on('open', () => {
      ws.send(
        JSON.stringify({
          header: { msg_id: msgId, username: 'test', session: randomUUID(), msg_type: 'execute_request', version: '5.3', date: new Date().toISOString() },
          parent_header: {},
          metadata: {},
          content: { code, silent: false, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true },
          channel: 'shell',
        }),
      );
    });
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if (msg.parent_header?.msg_id !== msgId) return;
      if (msg.msg_type === 'stream' && msg.content.name === 'stdout') stdout += msg.content.text;
      if (msg.msg_type === 'error') stdout += `${msg.content.ename}: ${msg.content.evalue}`;
      if (msg.msg_type === 'execute_reply') status = msg.content.status;
      if (msg.msg_type === 'status' && msg.content.execution_state === 'idle') idle = true;
      if (idle && status) {
        clearTimeout(timer);
        ws.close();
        resolve({ stdout, status });
      }
    });
  });
}

/**
 * Wait until the server itself reports the kernel idle (its activity monitor has caught up).
 * A kernel used within moments of its start can leave notebook 6's monitor behind: its state
 * then reads "starting" for a while, which a culler must treat as possibly busy.
 */
export async function serverSeesIdle(base: string, token: string, kernelId: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    await runCode(base, token, kernelId, 'pass');
    const res = await fetch(`${base}/api/kernels/${kernelId}?token=${token}`);
    if (res.ok && ((await res.json()) as { execution_state?: string }).execution_state === 'idle') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server never reported kernel ${kernelId} idle`);
}
