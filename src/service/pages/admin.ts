// The admin page: pool, capacity and every session, with drain / cull / resize buttons.
import type { PoolCounts } from '../pool.js';
import type { Session } from '../session.js';
import { esc, page } from './layout.js';

const ago = (now: number, t?: number) => (t === undefined ? '—' : `${Math.round((now - t) / 1000)} s ago`);

export function adminLoginPage(message?: string): string {
  return page(
    'Admin',
    `<div class="card"><h1>Admin</h1>${message ? `<p>${esc(message)}</p>` : ''}
<form method="post" action="/admin/login"><p><input type="password" name="token" placeholder="admin token" autofocus> <button class="small" type="submit">Sign in</button></p></form></div>`,
  );
}

export function adminPage(c: PoolCounts, sessions: Session[], now: number, csrf: string, lastError?: string): string {
  const token = `<input type="hidden" name="csrf" value="${esc(csrf)}">`;
  const used = c.warm + c.assigned + c.starting;
  const rows = sessions
    .sort((a, b) => (a.state === b.state ? a.createdAt - b.createdAt : a.state === 'assigned' ? -1 : 1))
    .map(
      (s) => `<tr><td><code>${esc(s.route.slice(0, 8))}…</code></td><td>${esc(s.state)}</td><td><code>${esc(s.containerName)}</code></td>
<td>${ago(now, s.assignedAt)}</td><td>${ago(now, s.lastActivity)}</td>
<td>${s.state === 'assigned' ? `<form class="inline" method="post" action="/admin/cull">${token}<input type="hidden" name="route" value="${esc(s.route)}"><button class="small">Cull</button></form>` : ''}</td></tr>`,
    )
    .join('\n');
  return page(
    'Admin · transferctl serve',
    `<h1>Service</h1>
<div class="stats">
<div class="stat"><b id="assigned">${c.assigned}</b>in use</div>
<div class="stat"><b id="warm">${c.warm}</b>warm (pool target ${c.size})</div>
<div class="stat"><b>${c.starting}</b>starting</div>
<div class="stat"><b id="waiting">${c.waiting}</b>waiting</div>
<div class="stat"><b>${used} / ${c.capacity}</b>capacity</div>
</div>
<div class="bar"><i style="width:${Math.min(100, Math.round((100 * used) / c.capacity))}%"></i></div>
${c.draining ? '<p><b>Draining:</b> no new notebooks are started or handed out.</p>' : ''}
${lastError ? `<p><b>Last start failure:</b> <code>${esc(lastError)}</code></p>` : ''}
<p>
<form class="inline" method="post" action="/admin/drain">${token}<input type="hidden" name="drain" value="${c.draining ? 'false' : 'true'}"><button class="small">${c.draining ? 'Resume' : 'Drain'}</button></form>
<form class="inline" method="post" action="/admin/cull">${token}<button class="small">Cull idle now</button></form>
<form class="inline" method="post" action="/admin/pool">${token}Pool size <input name="size" size="3" value="${c.size}"> <button class="small">Resize</button></form>
</p>
<h2>Sessions</h2>
<table id="sessions"><tr><th>Route</th><th>State</th><th>Container</th><th>Handed out</th><th>Last activity</th><th></th></tr>
${rows || '<tr><td colspan="6" class="muted">No containers.</td></tr>'}</table>
<p class="muted">This page refreshes every 5 s. API: <code>/admin/api/sessions</code> and <code>/metrics</code> on this address, with <code>Authorization: Bearer TOKEN</code>.</p>`,
    { head: '<meta http-equiv="refresh" content="5">', wide: true },
  );
}
