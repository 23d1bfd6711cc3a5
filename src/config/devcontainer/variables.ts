// The variables devcontainer.json may use, as the Dev Containers spec defines them:
// ${localEnv:NAME[:default]} (and the older ${env:NAME}), ${localWorkspaceFolder},
// ${localWorkspaceFolderBasename}, ${containerWorkspaceFolder}, ${containerWorkspaceFolderBasename},
// ${devcontainerId}; ${containerEnv:NAME[:default]} only once the image's environment is known.
// Anything else in ${…} is left as written (it belongs to a shell in the container).

export interface LocalVariables {
  localWorkspaceFolder: string;
  containerWorkspaceFolder?: string;
  devcontainerId: string;
  env: NodeJS.ProcessEnv;
}

const VARIABLE = /\$\{([A-Za-z]+)(?::([^}:]*)(?::([^}]*))?)?\}/g;

function basenameOf(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return parts[parts.length - 1] ?? '';
}

/** Replace the host-side variables; ${containerEnv:…} and unknown names stay. */
export function replaceLocal(text: string, vars: LocalVariables): string {
  return text.replace(VARIABLE, (all, name: string, arg: string | undefined, fallback: string | undefined) => {
    switch (name) {
      case 'localEnv':
      case 'env':
        if (arg === undefined) return all;
        return vars.env[arg] ?? fallback ?? '';
      case 'localWorkspaceFolder':
        return vars.localWorkspaceFolder;
      case 'localWorkspaceFolderBasename':
        return basenameOf(vars.localWorkspaceFolder);
      case 'containerWorkspaceFolder':
        return vars.containerWorkspaceFolder ?? all;
      case 'containerWorkspaceFolderBasename':
        return vars.containerWorkspaceFolder === undefined ? all : basenameOf(vars.containerWorkspaceFolder);
      case 'devcontainerId':
        return vars.devcontainerId;
      default:
        return all;
    }
  });
}

/** Replace ${containerEnv:NAME[:default]} from the container's environment (image + containerEnv). */
export function replaceContainerEnv(text: string, env: Record<string, string>): string {
  return text.replace(VARIABLE, (all, name: string, arg: string | undefined, fallback: string | undefined) => {
    if (name !== 'containerEnv' || arg === undefined) return all;
    return env[arg] ?? fallback ?? '';
  });
}
