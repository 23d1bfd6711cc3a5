// runtime.txt as repo2docker reads it: name-version, name-version-YYYY-MM-DD or name-YYYY-MM-DD.
// transferctl can check a Python version against the base image but cannot download Pythons,
// and cannot install R from a CRAN snapshot date: both are said plainly.
export interface Runtime {
  name: string;
  version?: string;
  date?: string;
}

export type RuntimeResult = { ok: true; runtime: Runtime } | { ok: false; message: string; hint: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseRuntime(text: string, where: string): RuntimeResult {
  const raw = text.trim();
  const parts = raw.split('-');
  if (![2, 4, 5].includes(parts.length) || parts.some((p) => !p)) {
    return { ok: false, message: `${where}: "${raw}" is not a runtime repo2docker knows`, hint: 'write python-X.Y (for example python-3.11)' };
  }
  const runtime: Runtime = { name: parts[0] };
  if (parts.length === 2 || parts.length === 5) runtime.version = parts[1];
  if (parts.length >= 4) {
    runtime.date = parts.slice(-3).join('-');
    if (!DATE.test(runtime.date)) return { ok: false, message: `${where}: "${runtime.date}" is not a date (YYYY-MM-DD)`, hint: 'write python-X.Y (for example python-3.11)' };
  }
  if (runtime.name === 'r') {
    return {
      ok: false,
      message: `${where} asks for R (${raw}); transferctl's generated image cannot install R from a CRAN snapshot`,
      hint: 'remove runtime.txt and add a Dockerfile that installs R (or set image.base to an image with R)',
    };
  }
  if (runtime.name !== 'python') {
    return { ok: false, message: `${where}: "${raw}" names a runtime transferctl does not know`, hint: 'write python-X.Y (for example python-3.11), or remove runtime.txt' };
  }
  if (!runtime.version || !/^\d+(\.\d+){0,2}$/.test(runtime.version)) {
    return { ok: false, message: `${where}: "${raw}" has no Python version transferctl can check`, hint: 'write python-X.Y (for example python-3.11)' };
  }
  return { ok: true, runtime };
}
