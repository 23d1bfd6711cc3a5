// The serve.json model: one zod schema gives the types, the validation (file:line:col errors
// through src/config/validate.ts) and the published JSON Schema (`transferctl serve --schema`).
import * as z from 'zod';
import { isAddressOrRange } from './proxy/trusted.js';

const size = z.string().regex(/^\d+(\.\d+)?\s*[bkmgt]?i?b?$/i, 'a size like "1g", "512m" or "2GiB"');
const seconds = (what: string) => z.number().positive(`${what} is a positive number of seconds`);

export const serveConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'the service name uses lowercase letters, digits and "-" (at most 31), starting with a letter or digit')
      .describe('Name of this service: prefixes its containers and network ("tcs-NAME-…"). Default: "workshop".')
      .optional(),
    image: z
      .string()
      .min(1)
      .regex(/^[a-z0-9][a-z0-9._\-/:@]*$/, 'an image name is lowercase: [registry/]repository[:tag]')
      .describe('The notebook image every visitor gets (e.g. a workspace image with the notebooks baked in).'),
    backend: z
      .enum(['engine', 'swarm'])
      .optional()
      .describe('Where visitors\' notebooks run: "engine" (containers on the one engine reached, the default) or "swarm" (a service per visitor on the Docker Swarm whose manager is the engine reached).'),
    placement: z
      .strictObject({
        constraints: z.array(z.string().min(1)).optional().describe('Swarm placement constraints, e.g. "node.labels.gpu == true".'),
        preferences: z.array(z.string().regex(/^spread=\S+$/, 'a preference like "spread=node.labels.zone"')).optional().describe('Swarm placement preferences, e.g. "spread=node.labels.zone". Swarm applies them among one service\'s replicas; each notebook is its own service, so they do not spread visitors (Swarm already places each notebook on the node with fewest tasks).'),
      })
      .optional()
      .describe('Where Swarm may place visitors\' notebooks ("backend": "swarm" only), in Swarm\'s own syntax.'),
    nodes: z
      .record(z.string().min(1), z.string().regex(/^(ssh:\/\/)?[^\s/]+$/, 'an SSH target like "ssh://user@host" or "user@host"'))
      .optional()
      .describe('"backend": "swarm": SSH targets (root) of the nodes, keyed by node ID, hostname or label=value: where `serve --prepare-nodes` sends the image and serve puts its firewall rules.'),
    listen: z
      .strictObject({
        address: z.string().min(1).optional().describe('Address to listen on. Default 127.0.0.1; "0.0.0.0" opens it to the network.'),
        port: z.number().int().min(0).max(65535).optional().describe('Port to listen on. Default 8000; 0 lets the system choose.'),
        'trusted-proxies': z
          .array(z.string().refine(isAddressOrRange, 'an address or a CIDR range, like "10.0.0.5" or "10.0.0.0/8"'))
          .optional()
          .describe('Addresses (or CIDR ranges) of the TLS proxies in front: only their X-Forwarded-* are believed (by the proxy to notebooks, the visitor pages and the admin listener). Default none, loopback included.'),
        'max-connections': z.number().int().min(1).optional().describe('Most open connections on the visitors\' port. Default 4096.'),
        'connections-per-address': z.number().int().min(1).optional().describe('Most open connections from one address (trusted proxies excepted). Default 512.'),
      })
      .optional()
      .describe('Where the service listens.'),
    visitors: z
      .strictObject({
        host: z
          .string()
          .regex(/^\*\.([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$/i, 'a wildcard host like "*.nb.example.org"')
          .optional()
          .describe('Give each visitor a subdomain of its own (its own origin), e.g. "*.nb.example.org": the notebook is at ROUTE.nb.example.org. Needs a wildcard DNS record and certificate. Default: paths on the service\'s host.'),
      })
      .optional()
      .describe('Where visitors\' notebooks live.'),
    pool: z
      .strictObject({
        size: z.number().int().min(0).optional().describe('Warm containers kept started and waiting for visitors. Default 3.'),
        capacity: z.number().int().min(1).optional().describe('Hard limit of notebook containers (warm + in use). Default 20.'),
        'parallel-starts': z.number().int().min(1).optional().describe('Containers started at the same time (starting Jupyter is CPU-bound: more than the host has cores only slows each down). Default 2.'),
        'per-node': z.number().int().min(1).optional().describe('"backend": "swarm" only: most notebooks (warm + in use) on one node, so a small node is not overfilled. Default: no cap (Swarm places by the memory reserved).'),
        queue: z.number().int().min(0).optional().describe('Places in the waiting line when every notebook is taken; past it visitors get a "full, try again in a few minutes" page (503 + Retry-After). Default 2 × capacity.'),
        'per-address': z.number().int().min(1).optional().describe('Most notebooks (and places in line) one network address may hold. Default: no cap (a classroom behind one NAT shares one address); one per browser always holds.'),
        'starts-per-minute': z.number().int().min(1).optional().describe('Most "Start" requests (POST /spawn) one address may make per minute. Default 300 (a classroom behind one NAT starting together fits).'),
      })
      .optional()
      .describe('The pool of pre-started notebook containers.'),
    limits: z
      .strictObject({
        memory: size.optional().describe('Memory limit per container. Default "1g".'),
        cpus: z.number().positive().optional().describe('CPU limit per container. Default 1.'),
        pids: z.number().int().min(16).optional().describe('Process limit per container. Default 256.'),
        disk: z
          .union([size, z.literal(false)])
          .optional()
          .describe('What a visitor can write: the root filesystem is read-only, home (a fresh copy of the image\'s), /tmp and the image\'s VOLUMEs are tmpfs of this size each (counted in the memory limit). Default "512m"; false: a writable root filesystem without a limit.'),
      })
      .optional()
      .describe('Resource limits of each visitor container.'),
    cull: z
      .strictObject({
        idle: seconds('cull.idle').optional().describe('Seconds without traffic and without a busy kernel before a visitor is culled. Default 600.'),
        'max-age': seconds('cull.max-age').optional().describe('Seconds after which a visitor is culled whatever happens. Default 28800 (8 h).'),
        interval: seconds('cull.interval').optional().describe('Seconds between culler passes. Default 30.'),
      })
      .optional()
      .describe('When visitors are removed.'),
    jupyter: z
      .strictObject({
        command: z.array(z.string()).min(1).optional().describe('The notebook server command. Default ["transferctl-jupyter"] when the image has it, else ["jupyter-lab"].'),
        args: z.array(z.string()).optional().describe('Extra arguments for the server.'),
        port: z.number().int().min(1).max(65535).optional().describe('Port the server listens on inside the container. Default 8888.'),
        path: z.string().regex(/^[a-z0-9/_.-]*$/i).optional().describe('Where visitors land under their base URL, e.g. "lab" or "tree". Default: "lab" when the server has it, else "tree".'),
      })
      .optional()
      .describe('The notebook server inside each container.'),
    user: z.string().regex(/^[a-z0-9_][a-z0-9_.-]*(:[a-z0-9_][a-z0-9_.-]*)?$/i, 'a user like "1000:100" or "jovyan"').optional().describe('User the server runs as. Default "1000:100".'),
    environment: z.record(z.string(), z.string()).optional().describe('Environment variables for every container.'),
    network: z
      .strictObject({
        internet: z.boolean().optional().describe('Let containers reach the internet (NAT). Default true. Containers never reach each other.'),
        'host-firewall': z
          .boolean()
          .optional()
          .describe("Install iptables rules (INPUT, DOCKER-USER) and ip6tables rules (INPUT, FORWARD) so containers reach neither this host's ports nor link-local addresses (cloud metadata), over IPv4 or IPv6. With backend swarm, IPv4 rules on every node, on docker_gwbridge, also against every node's address (this machine's iptables for the manager serve runs on, ssh to the others through nodes). Default true; serve refuses to start where it cannot (not root, no iptables or ip6tables, a remote engine). false: you filter the network yourself."),
        'proxy-to': z
          .enum(['auto', 'address', 'port'])
          .optional()
          .describe('How the proxy reaches a container: its address on the service network, or its port published on 127.0.0.1. Default "auto": the address for a local engine on Linux, else the port.'),
      })
      .optional()
      .describe('The service network (one bridge per service with inter-container traffic disabled).'),
    admin: z
      .strictObject({
        'token-env': z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('Environment variable holding the admin token. Default TRANSFERCTL_SERVE_ADMIN_TOKEN; when unset a random token is made and printed.'),
        listen: z
          .strictObject({
            address: z.string().min(1).optional().describe('Address of the admin listener. Default 127.0.0.1.'),
            port: z.number().int().min(0).max(65535).optional().describe("Port of the admin listener. Default: the visitors' port + 1 (0 when that is 0)."),
          })
          .optional()
          .describe("The admin page, its API and /metrics listen here, never on the visitors' port (their own origin)."),
      })
      .optional()
      .describe('The admin page (signed-in session) and API (bearer token), on their own listener.'),
  })
  .describe('transferctl serve: temporary notebooks for a workshop\'s visitors.');

export type ServeConfig = z.infer<typeof serveConfigSchema>;

export function serveJsonSchema(): object {
  return {
    ...z.toJSONSchema(serveConfigSchema, { io: 'input', target: 'draft-7' }),
    $id: 'https://transferctl.dev/schema/serve.schema.json',
    title: 'transferctl serve (serve.json)',
  };
}
