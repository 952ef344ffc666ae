#!/usr/bin/env zsh
# complete.zsh DIR OUT LINE — what zsh's own completion offers at the end of LINE, with the
# completion functions of DIR first in $fpath: one candidate per line in OUT, as compadd got
# them. An interactive zsh in a pseudo-terminal (zsh/zpty) gets LINE and a TAB, so that the
# completion system runs as it does for a user; compadd is wrapped to note what it is given.
# Used by completion.sh; exits 1 when the completion did not finish within 20 s.
emulate -L zsh
zmodload zsh/zpty || exit 77
dir=$1 out=$2 line=$3
rm -f -- $out $out.done
: >$out

zpty wgz zsh -f -i
zpty -w wgz "PROMPT='' RPROMPT=''; unsetopt beep; fpath=(${(q)dir} \$fpath)"
zpty -w wgz "autoload -Uz compinit && compinit -u -D"
zpty -w wgz "bindkey '^I' complete-word; zstyle ':completion:*' insert-tab false"
# compadd -O/-A/-D only collect for the caller: what is offered is every other call's matches.
zpty -w wgz "compadd() {
	if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd \"\$@\"; return; fi
	local -a __wg_hits
	builtin compadd -A __wg_hits \"\$@\"
	(( \$#__wg_hits )) && print -rl -- \$__wg_hits >>${(q)out}
	builtin compadd \"\$@\"
}"
zpty -w wgz "_wg_done() { : >${(q)out}.done }; comppostfuncs=(_wg_done)"
zpty -w -n wgz "$line"$'\t'

for i in {1..200}; do
	[[ -e $out.done ]] && break
	sleep 0.1
done
zpty -d wgz
[[ -e $out.done ]] || { print -u2 "complete.zsh: no completion for '$line' within 20 s"; exit 1 }
rm -f -- $out.done
