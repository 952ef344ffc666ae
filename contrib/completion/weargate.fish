# weargate.fish — fish completion for weargate(8), as `weargate completion fish` writes it from
# the commands' tables: the commands, their options, and the job and drive names of the
# configuration in use (-c FILE, else weargate's default). Installed in fish's
# vendor_completions.d.

# The words before the cursor, from the first after weargate: the global options and their
# arguments, then the command and its own words.
function __weargate_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    test (count $tokens) -gt 0 && printf '%s\n' $tokens
end

# The command, then its words: what comes after the global options and their arguments.
function __weargate_command_words
    set -l skip 0
    set -l seen 0
    for t in (__weargate_args)
        if test $seen -eq 1
            printf '%s\n' $t
        else if test $skip -eq 1
            set skip 0
        else
            switch $t
                case -c --config
                    set skip 1
                case '-*'
                case '*'
                    set seen 1
                    printf '%s\n' $t
            end
        end
    end
end

# The command, once one is on the line; nothing before.
function __weargate_command
    set -l words (__weargate_command_words)
    test (count $words) -gt 0 && echo $words[1]
end

# Whether the command on the line is one of the arguments.
function __weargate_command_is
    contains -- (__weargate_command) $argv
end

# Whether the command's first operand (exec's job) is on the line, so that a command line comes next.
function __weargate_has_operand
    for t in (__weargate_command_words)[2..]
        string match -q -- '-*' $t || return 0
    end
    return 1
end

# After the command's first operand (and an optional --), the command line, completed as fish
# completes one.
function __weargate_operand_command
    set -l words
    set -l state 0
    for t in (__weargate_command_words)[2..]
        switch $state
            case 0
                string match -q -- '-*' $t || set state 1
            case 1
                set state 2
                test "$t" = -- && continue
                set -a words $t
            case 2
                set -a words $t
        end
    end
    set -l current (commandline -ct)
    if test (count $words) -eq 0
        __fish_complete_command
    else
        complete -C "$words $current"
    end
end

# The configuration the names come from: the global -c; nothing for weargate's default.
function __weargate_conf
    set -l take 0
    for t in (__weargate_args)
        if test $take -eq 1
            printf '%s\n' $t
            return
        end
        switch $t
            case -c --config
                set take 1
            case '--config=*'
                string replace -- --config= '' $t
                return
            case '-c?*'
                string sub -s 3 -- $t
                return
            case '-*'
            case '*'
                return
        end
    end
end

# The names of the sections of one kind ("job" or "drive") the configuration declares.
function __weargate_names -a kind
    set -l weargate (commandline -opc)[1]
    set -l conf (__weargate_conf)
    set -l c
    test -n "$conf" && set c -c $conf
    $weargate $c check-config 2>/dev/null | string replace -rf '^'$kind' "(.*)" \{$' '$1'
end

# The commands, each with its summary.
function __weargate_commands
    printf '%s\n' 'check-config	check the configuration file and print it as understood'
    printf '%s\n' 'completion	print the completion script of bash, zsh or fish'
    printf '%s\n' 'done	record the end of the run that \'gate --record\' began (a backup tool\'s hook)'
    printf '%s\n' 'exec	gate a job, then run a command under its limits and watchdog, and record it'
    printf '%s\n' 'export	write the drives, their states and the gate\'s verdicts as Prometheus metrics'
    printf '%s\n' 'gate	decide whether a heavy job may run now (exit 0 go, 75 defer, 1 refuse)'
    printf '%s\n' 'history	show the drives\' samples, trends and events, and what each heavy job did'
    printf '%s\n' 'import	add the history smartd\'s attribute logs or smartctl\'s JSON reports already kept'
    printf '%s\n' 'prune	thin old samples, keeping every change and the samples of every job run'
    printf '%s\n' 'report	write one HTML page of the drives\' history, the job runs and the gate\'s decisions'
    printf '%s\n' 'run	run the configured jobs, gated, ordered, watched and recorded (the nightly runner)'
    printf '%s\n' 'sample	read the drives and record one pass in the history'
    printf '%s\n' 'status	show every drive\'s latest sample and state, and what the gate would say for each job'
    printf '%s\n' 'help	show the help of a command'
end

complete -c weargate -f

# the global options and the commands
complete -c weargate -n 'not __weargate_command' -s c -l config -r -F -d 'configuration file'
complete -c weargate -n 'not __weargate_command' -s q -l quiet -d 'say only what went wrong'
complete -c weargate -n 'not __weargate_command' -s v -l verbose -d 'also say each drive\'s facts behind a verdict, and what the watchdog sees while a job runs'
complete -c weargate -n 'not __weargate_command' -s h -l help -d 'show this help'
complete -c weargate -n 'not __weargate_command' -s V -l version -d 'show the version'
complete -c weargate -n 'not __weargate_command' -a '(__weargate_commands)'

complete -c weargate -n '__weargate_command_is check-config' -s c -l config -r -F -d 'the file to check, as weargate\'s own -c'
complete -c weargate -n '__weargate_command_is check-config' -l json -d 'print JSON instead'
complete -c weargate -n '__weargate_command_is check-config' -s h -l help -d 'show this help'

complete -c weargate -n '__weargate_command_is completion' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is completion' -x -a 'bash zsh fish'

complete -c weargate -n '__weargate_command_is done' -l status -x -d 'how the job ended'
complete -c weargate -n '__weargate_command_is done' -s q -l quiet -d 'say nothing when all goes well'
complete -c weargate -n '__weargate_command_is done' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is done' -a '(__weargate_names job)' -d job

complete -c weargate -n '__weargate_command_is exec; and not __weargate_has_operand' -s q -l quiet -d 'say nothing on go and success but what CMD says'
complete -c weargate -n '__weargate_command_is exec; and not __weargate_has_operand' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is exec; and not __weargate_has_operand' -a '(__weargate_names job)' -d job
complete -c weargate -n '__weargate_command_is exec; and __weargate_has_operand' -x -a '(__weargate_operand_command)'

complete -c weargate -n '__weargate_command_is export' -l output -r -F -d 'write FILE atomically instead of standard output'
complete -c weargate -n '__weargate_command_is export' -s h -l help -d 'show this help'

complete -c weargate -n '__weargate_command_is gate' -l condition -d 'exit as systemd\'s ExecCondition= wants'
complete -c weargate -n '__weargate_command_is gate' -l json -d 'print the decision as JSON on standard output'
complete -c weargate -n '__weargate_command_is gate' -l max-wait -x -d 'on defer, look again until the job may go or DUR has passed'
complete -c weargate -n '__weargate_command_is gate' -l record -d 'on go, record the start of a run of JOB, for the backup tool\'s hook to end with \'weargate done JOB\''
complete -c weargate -n '__weargate_command_is gate' -s q -l quiet -d 'say nothing on go'
complete -c weargate -n '__weargate_command_is gate' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is gate' -a '(__weargate_names job)' -d job

complete -c weargate -n '__weargate_command_is history' -l attr -x -d 'the attributes to show, by id or name'
complete -c weargate -n '__weargate_command_is history' -l trend -d 'per drive and attribute'
complete -c weargate -n '__weargate_command_is history' -l events -d 'the drives\' state changes and the gate\'s decisions'
complete -c weargate -n '__weargate_command_is history' -l jobs -d 'the job runs'
complete -c weargate -n '__weargate_command_is history' -l buckets -x -d 'at most N rows per drive, each a span\'s lowest, highest and last value'
complete -c weargate -n '__weargate_command_is history' -l since -x -d 'from WHEN'
complete -c weargate -n '__weargate_command_is history' -l until -x -d 'up to WHEN'
complete -c weargate -n '__weargate_command_is history' -l format -x -a 'table csv json' -d 'table, csv or json'
complete -c weargate -n '__weargate_command_is history' -l json -d 'the same as --format json'
complete -c weargate -n '__weargate_command_is history' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is history' -a '(__weargate_names drive)' -d drive

complete -c weargate -n '__weargate_command_is import' -l json -d 'print JSON instead'
complete -c weargate -n '__weargate_command_is import' -s q -l quiet -d 'print nothing but errors'
complete -c weargate -n '__weargate_command_is import' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is import; and not __fish_seen_subcommand_from smartd smartctl' -x -a 'smartd smartctl'
complete -c weargate -n '__weargate_command_is import; and __fish_seen_subcommand_from smartd smartctl' -F

complete -c weargate -n '__weargate_command_is prune' -l older-than -x -d 'thin what is older than DUR'
complete -c weargate -n '__weargate_command_is prune' -l thin-to -x -d 'keep one sample per DUR'
complete -c weargate -n '__weargate_command_is prune' -l json -d 'print JSON instead'
complete -c weargate -n '__weargate_command_is prune' -s h -l help -d 'show this help'

complete -c weargate -n '__weargate_command_is report' -l output -r -F -d 'write FILE atomically instead of standard output'
complete -c weargate -n '__weargate_command_is report' -l since -x -d 'from WHEN'
complete -c weargate -n '__weargate_command_is report' -s h -l help -d 'show this help'

complete -c weargate -n '__weargate_command_is run' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is run' -a '(__weargate_names job)' -d job

complete -c weargate -n '__weargate_command_is sample' -l json -d 'print JSON instead'
complete -c weargate -n '__weargate_command_is sample' -l wake -d 'read drives in standby or asleep too'
complete -c weargate -n '__weargate_command_is sample' -s q -l quiet -d 'print only the drives that could not be read'
complete -c weargate -n '__weargate_command_is sample' -s h -l help -d 'show this help'
complete -c weargate -n '__weargate_command_is sample' -a '(__weargate_names drive)' -d drive

complete -c weargate -n '__weargate_command_is status' -l json -d 'print JSON'
complete -c weargate -n '__weargate_command_is status' -s h -l help -d 'show this help'

complete -c weargate -n '__weargate_command_is help' -a '(__weargate_commands)'
