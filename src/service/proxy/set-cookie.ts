// Keep a notebook's cookies inside its visitor's space: a Set-Cookie from upstream whose Path
// leaves /user/ROUTE/ gets that path, and its Domain attribute goes (the cookie stays with the
// host that set it: this origin, or the visitor's own subdomain). A cookie whose name asks the
// browser for a wider scope (__Host-) cannot keep its meaning under a path and is dropped.

/** The Set-Cookie value to send on, or undefined to drop it. */
export function confineCookie(value: string, base: string): string | undefined {
  const parts = value.split(';');
  const name = parts[0].split('=')[0].trim();
  if (/^__host-/i.test(name)) return undefined;
  const kept = [parts[0].trim()];
  let hasPath = false;
  for (const raw of parts.slice(1)) {
    const attr = raw.trim();
    const key = attr.split('=')[0].trim().toLowerCase();
    if (key === 'domain') continue;
    if (key === 'path') {
      const path = attr.slice(attr.indexOf('=') + 1).trim();
      hasPath = true;
      kept.push(inside(path, base) ? `Path=${path}` : `Path=${base}`);
      continue;
    }
    if (attr) kept.push(attr);
  }
  if (!hasPath) kept.push(`Path=${base}`);
  return kept.join('; ');
}

function inside(path: string, base: string): boolean {
  if (!path.startsWith('/') || path.includes('..') || path.includes('%') || path.includes('\\')) return false;
  return path === base.slice(0, -1) || path.startsWith(base);
}
