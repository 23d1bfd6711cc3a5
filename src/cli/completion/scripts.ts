// Shell completion scripts: each asks `transferctl __complete WORDS…` for candidates (one per
// line) and lets the shell filter them; an empty answer falls back to file names.
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(shell: Shell, bin = 'transferctl'): string {
  switch (shell) {
    case 'bash':
      return `# transferctl completion for bash: eval "$(${bin} completion bash)" in ~/.bashrc
_transferctl_complete() {
  local cur=\${COMP_WORDS[COMP_CWORD]} IFS=$'\\n'
  local words=("\${COMP_WORDS[@]:1:COMP_CWORD-1}")
  COMPREPLY=($(compgen -W "$(${bin} __complete "\${words[@]}" 2>/dev/null)" -- "$cur"))
}
complete -o default -o bashdefault -F _transferctl_complete ${bin}
`;
    case 'zsh':
      return `#compdef ${bin}
# transferctl completion for zsh: eval "$(${bin} completion zsh)" in ~/.zshrc (after compinit)
_transferctl_complete() {
  local -a candidates
  candidates=("\${(@f)$(${bin} __complete "\${(@)words[2,CURRENT-1]}" 2>/dev/null)}")
  if (( \${#candidates[@]} )) && [[ -n "\${candidates[1]}" ]]; then compadd -a candidates; else _files; fi
}
compdef _transferctl_complete ${bin}
`;
    case 'fish':
      return `# transferctl completion for fish: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish
complete -c ${bin} -a '(${bin} __complete (commandline -opc)[2..-1] 2>/dev/null)'
`;
  }
}
