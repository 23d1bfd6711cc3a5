// Which visitor a request is for: the route in its path (/user/ROUTE/…) and, in subdomain mode
// (visitors.host = "*.nb.example.org"), the route in its Host (ROUTE.nb.example.org), which
// must be the same one. Pure functions: unit-tested.

const USER_PATH = /^\/user\/([0-9a-f]{32})(\/[^?]*)?(\?.*)?$/;
const ROUTE_LABEL = /^([0-9a-f]{32})\./;

export function parseUserPath(url: string): { route: string; rest: string } | undefined {
  const m = USER_PATH.exec(url);
  return m ? { route: m[1], rest: m[2] ?? '' } : undefined;
}

/** "*.nb.example.org" → ".nb.example.org"; undefined for path mode. */
export function hostSuffix(pattern: string | undefined): string | undefined {
  return pattern ? pattern.slice(1).toLowerCase() : undefined;
}

/** The route a Host names in subdomain mode ("ROUTE.nb.example.org[:port]"), else undefined. */
export function routeOfHost(host: string | undefined, suffix: string): string | undefined {
  if (!host) return undefined;
  const name = host.toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
  if (!name.endsWith(suffix) || name.length !== 32 + suffix.length) return undefined;
  return ROUTE_LABEL.exec(name)?.[1];
}

/** Where a visitor's notebook lives: a path on this origin, or (subdomain mode) its own origin. */
export function visitorBase(route: string, suffix: string | undefined): string {
  return suffix ? `//${route}${suffix}/user/${route}/` : `/user/${route}/`;
}
