// What the culler and the spawner ask a notebook server, straight at its published port
// (not through the proxy, and with no_track_activity so asking does not count as use).
import type { Session } from './session.js';
import { basePath } from './session.js';

export interface JupyterActivity {
  /** Some kernel is executing code right now. */
  busy: boolean;
  /** The server's own idea of its last activity (API use or kernel messages), ms. */
  lastActivity?: number;
  kernels: number;
}

type Target = Pick<Session, 'route' | 'token' | 'target'>;

export function apiUrl(s: Target, path: string, extra = ''): string {
  return `http://${s.target.host}:${s.target.port}${basePath(s.route)}${path}?no_track_activity=1&token=${encodeURIComponent(s.token)}${extra}`;
}

export async function getJson(url: string, timeoutMs = 2000): Promise<{ status: number; body: unknown }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: controller.signal, redirect: 'manual' });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body };
  } finally {
    clearTimeout(timer);
  }
}

/** Does the server answer its status endpoint with this token? */
export async function answers(s: Target, timeoutMs = 1000): Promise<boolean> {
  try {
    return (await getJson(apiUrl(s, 'api/status'), timeoutMs)).status === 200;
  } catch {
    return false;
  }
}

/** Busy kernels and last activity; null when the server does not answer. */
export async function activity(s: Target): Promise<JupyterActivity | null> {
  try {
    const [kernels, status] = await Promise.all([getJson(apiUrl(s, 'api/kernels')), getJson(apiUrl(s, 'api/status'))]);
    if (kernels.status !== 200 || status.status !== 200) return null;
    const list = (Array.isArray(kernels.body) ? kernels.body : []) as { execution_state?: string; last_activity?: string }[];
    const st = status.body as { last_activity?: string };
    const times = [st.last_activity, ...list.map((k) => k.last_activity)].map((t) => (t ? Date.parse(t) : NaN)).filter((t) => !Number.isNaN(t));
    return {
      busy: list.some((k) => k.execution_state === 'busy' || k.execution_state === 'starting'),
      lastActivity: times.length ? Math.max(...times) : undefined,
      kernels: list.length,
    };
  } catch {
    return null;
  }
}

/** Render a page once and forget it: the server compiles its templates and fills its caches
 *  while the container is warm, not on the visitor's first page. */
export async function primePage(s: Target, path: string, timeoutMs = 5000): Promise<void> {
  try {
    await getJson(apiUrl(s, path), timeoutMs);
  } catch {
    /* a page that does not render now will render for the visitor */
  }
}

/** "lab" when the server has JupyterLab, else "tree" (classic notebook). */
export async function landingPath(s: Target): Promise<string> {
  try {
    const res = await getJson(apiUrl(s, 'lab'), 3000);
    return res.status === 200 ? 'lab' : 'tree';
  } catch {
    return 'tree';
  }
}
