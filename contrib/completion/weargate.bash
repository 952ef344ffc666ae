# weargate.bash — bash completion for weargate(8): commands, their options, and the job and
# drive names of the configuration in use (-c FILE, else /etc/weargate.conf).

# The names of the sections of one kind ("job" or "drive") the configuration declares.
_weargate_names()
{
	local kind=$1 conf=$2
	"${COMP_WORDS[0]}" -c "$conf" check-config 2>/dev/null |
		sed -n "s/^$kind \"\\(.*\\)\" {\$/\\1/p"
}

_weargate()
{
	local cur prev conf=/etc/weargate.conf cmd="" i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="check-config done exec export gate help history import prune report run sample status"

	# the configuration and the command, wherever they stand before the word being completed
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --config) conf=${COMP_WORDS[i + 1]}; ((i++)) ;;
		-*) ;;
		*) [[ -z $cmd ]] && cmd=${COMP_WORDS[i]} ;;
		esac
	done

	case $prev in
	-c | --config | --output)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--max-wait | --since | --until | --attr | --buckets | --status)
		COMPREPLY=()
		return
		;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "table csv json" -- "$cur")
		return
		;;
	esac

	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "-c --config -q --quiet -v --verbose -h --help -V --version" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return
	fi

	local opts="" words=""
	case $cmd in
	sample) opts="--json --wake -q --quiet -h --help"; words=$(_weargate_names drive "$conf") ;;
	status) opts="--json -h --help" ;;
	gate) opts="--condition --json --max-wait --record -q --quiet -h --help"; words=$(_weargate_names job "$conf") ;;
	done) opts="--status -q --quiet -h --help"; words=$(_weargate_names job "$conf") ;;
	exec)
		opts="-q --quiet -h --help"
		# after the job's name comes the command: complete it as bash would
		for ((i = 2; i < COMP_CWORD; i++)); do
			if [[ ${COMP_WORDS[i]} != -* && ${COMP_WORDS[i - 1]} != -c && ${COMP_WORDS[i]} != "$cmd" ]]; then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
				return
			fi
		done
		words=$(_weargate_names job "$conf")
		;;
	run) opts="-h --help"; words=$(_weargate_names job "$conf") ;;
	history) opts="--attr --trend --events --jobs --buckets --since --until --format --json -h --help"; words=$(_weargate_names drive "$conf") ;;
	export) opts="--output -h --help" ;;
	prune) opts="--older-than --thin-to --json -h --help" ;;
	import)
		opts="--json -q --quiet -h --help"
		# the kind of file first, then the files
		for ((i = 2; i < COMP_CWORD; i++)); do
			if [[ ${COMP_WORDS[i]} == smartd || ${COMP_WORDS[i]} == smartctl ]]; then
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
				return
			fi
		done
		words="smartd smartctl"
		;;
	report) opts="--output --since -h --help" ;;
	check-config) opts="-c --config --json -h --help" ;;
	help) words=$commands ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	fi
}

complete -F _weargate weargate
