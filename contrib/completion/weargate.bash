# weargate.bash — bash completion for weargate(8), as `weargate completion bash` writes it from
# the commands' tables: the commands, their options, and the job and drive names of the
# configuration in use (-c FILE, else weargate's default).

# The names of the sections of one kind ("job" or "drive") the configuration declares.
_weargate_names()
{
	local kind=$1 conf=$2
	"${COMP_WORDS[0]}" ${conf:+-c "$conf"} check-config 2>/dev/null |
		sed -n "s/^$kind \"\\(.*\\)\" {\$/\\1/p"
}

_weargate()
{
	local cur prev conf="" cmd="" at=0 i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="check-config completion done exec export gate history import prune report run sample status help"

	# the configuration and the command, wherever they stand before the word being completed
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config) conf=${COMP_WORDS[i + 1]}; ((i++)) ;;
		-*) ;;
		*) [[ -z $cmd ]] && cmd=${COMP_WORDS[i]} at=$i ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-c | --config)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		esac
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "-c --config -q --quiet -v --verbose -h --help -V --version" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return
	fi

	local opts="" words=""
	case $cmd in
	check-config)
		opts="-c --config --json -h --help"
		case $prev in
		-c | --config)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		esac
		;;
	completion)
		opts="-h --help"
		words="bash zsh fish"
		;;
	done)
		opts="--status -q --quiet -h --help"
		case $prev in
		--status)
			COMPREPLY=()
			return
			;;
		esac
		words=$(_weargate_names job "$conf")
		;;
	exec)
		opts="-q --quiet -h --help"
		# after the job's name comes the command: complete it as bash would
		for ((i = at + 1; i < COMP_CWORD; i++)); do
			if [[ ${COMP_WORDS[i]} != -* ]]; then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
				return
			fi
		done
		words=$(_weargate_names job "$conf")
		;;
	export)
		opts="--output -h --help"
		case $prev in
		--output)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		esac
		;;
	gate)
		opts="--condition --json --max-wait --record -q --quiet -h --help"
		case $prev in
		--max-wait)
			COMPREPLY=()
			return
			;;
		esac
		words=$(_weargate_names job "$conf")
		;;
	history)
		opts="--attr --trend --events --jobs --buckets --since --until --format --json -h --help"
		case $prev in
		--attr)
			COMPREPLY=()
			return
			;;
		--buckets)
			COMPREPLY=()
			return
			;;
		--since)
			COMPREPLY=()
			return
			;;
		--until)
			COMPREPLY=()
			return
			;;
		--format)
			mapfile -t COMPREPLY < <(compgen -W "table csv json" -- "$cur")
			return
			;;
		esac
		words=$(_weargate_names drive "$conf")
		;;
	import)
		opts="--json -q --quiet -h --help"
		# the first word says what the files are, then come the files
		for ((i = at + 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			smartd | smartctl)
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
				return
				;;
			esac
		done
		words="smartd smartctl"
		;;
	prune)
		opts="--older-than --thin-to --json -h --help"
		case $prev in
		--older-than)
			COMPREPLY=()
			return
			;;
		--thin-to)
			COMPREPLY=()
			return
			;;
		esac
		;;
	report)
		opts="--output --since -h --help"
		case $prev in
		--output)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		--since)
			COMPREPLY=()
			return
			;;
		esac
		;;
	run)
		opts="-h --help"
		words=$(_weargate_names job "$conf")
		;;
	sample)
		opts="--json --wake -q --quiet -h --help"
		words=$(_weargate_names drive "$conf")
		;;
	status)
		opts="--json -h --help"
		;;
	help)
		words=$commands
		;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	fi
}

complete -F _weargate weargate
