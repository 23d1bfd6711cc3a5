// Who the files in the mounted folder must belong to: the user who ran transferctl
// (the invoking user under sudo).
export function hostUser(env: NodeJS.ProcessEnv = process.env): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 1000;
  const gid = process.getgid?.() ?? 1000;
  if (uid === 0 && env.SUDO_UID && env.SUDO_GID) return { uid: Number(env.SUDO_UID), gid: Number(env.SUDO_GID) };
  return { uid, gid };
}
