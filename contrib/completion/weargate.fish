# weargate.fish — fish completion for weargate(8): commands, their options, and the job and
# drive names of the configuration in use (-c FILE, else /etc/weargate.conf). Installed in
# fish's vendor_completions.d; tests/cli/completion.sh checks it against `weargate --help`
# beside the bash and zsh completions.

# The words before the cursor, from the first after weargate: the global options and their
# arguments, then the command and its own words.
function __weargate_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    test (count $tokens) -gt 0 && printf '%s\n' $tokens
end

# The command, once one is on the line (the first word that is neither a global option nor
# the argument of -c); nothing before.
function __weargate_command
    set -l skip 0
    for t in (__weargate_args)
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case -c --config
                set skip 1
            case '-*'
            case '*'
                echo $t
                return 0
        end
    end
    return 1
end

# Whether the command on the line is one of the arguments.
function __weargate_command_is
    contains -- (__weargate_command) $argv
end

# The configuration the names come from: the global -c, else the default.
function __weargate_conf
    set -l conf /etc/weargate.conf
    set -l take 0
    for t in (__weargate_args)
        if test $take -eq 1
            set conf $t
            set take 0
            continue
        end
        switch $t
            case -c --config
                set take 1
            case '--config=*'
                set conf (string replace -- --config= '' $t)
            case '-c?*'
                set conf (string sub -s 3 -- $t)
            case '-*'
            case '*'
                break
        end
    end
    echo $conf
end

# The names of the sections of one kind ("job" or "drive") the configuration declares.
function __weargate_names -a kind
    set -l weargate (commandline -opc)[1]
    $weargate -c (__weargate_conf) check-config 2>/dev/null | string replace -rf '^'$kind' "(.*)" \{$' '$1'
end

# exec: whether the job's name is on the line already, so that a command comes next.
function __weargate_exec_has_job
    set -l seen 0
    set -l skip 0
    for t in (__weargate_args)
        if test $skip -eq 1
            set skip 0
            continue
        end
        if test $seen -eq 0
            switch $t
                case -c --config
                    set skip 1
                case exec
                    set seen 1
            end
            continue
        end
        switch $t
            case '-*'
            case '*'
                return 0
        end
    end
    return 1
end

# exec: complete the command line after the job (and an optional --) as fish completes it.
function __weargate_exec_command
    set -l words
    set -l state 0
    set -l skip 0
    for t in (__weargate_args)
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $state
            case 0
                switch $t
                    case -c --config
                        set skip 1
                    case exec
                        set state 1
                end
            case 1
                switch $t
                    case '-*'
                    case '*'
                        set state 2
                end
            case 2
                set state 3
                test "$t" = -- && continue
                set -a words $t
            case 3
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

complete -c weargate -f

# global options and the commands
set -l nocommand 'not __weargate_command'
complete -c weargate -n $nocommand -s c -l config -r -F -d 'configuration file'
complete -c weargate -n $nocommand -s q -l quiet -d 'say only what went wrong'
complete -c weargate -n $nocommand -s v -l verbose -d "also say each drive's facts and what the watchdog sees"
complete -c weargate -n $nocommand -s h -l help -d 'show the help'
complete -c weargate -n $nocommand -s V -l version -d 'show the version'
complete -c weargate -n $nocommand -a check-config -d 'check the configuration file and print it as understood'
complete -c weargate -n $nocommand -a done -d "record the end of the run that 'gate --record' began"
complete -c weargate -n $nocommand -a exec -d 'gate a job, then run a command under its limits and watchdog'
complete -c weargate -n $nocommand -a export -d "write the drives, their states and the gate's verdicts as Prometheus metrics"
complete -c weargate -n $nocommand -a gate -d 'decide whether a heavy job may run now'
complete -c weargate -n $nocommand -a history -d "show the drives' samples, trends and events, and what each heavy job did"
complete -c weargate -n $nocommand -a import -d "add the history smartd's attribute logs or smartctl's JSON reports already kept"
complete -c weargate -n $nocommand -a prune -d 'thin old samples'
complete -c weargate -n $nocommand -a report -d "write one HTML page of the drives' history, the job runs and the gate's decisions"
complete -c weargate -n $nocommand -a run -d 'run the configured jobs, gated, ordered, watched and recorded'
complete -c weargate -n $nocommand -a sample -d 'read the drives and record one pass in the history'
complete -c weargate -n $nocommand -a status -d "show every drive's latest sample and state, and the gate's verdicts"
complete -c weargate -n $nocommand -a help -d 'show the help of a command'

# every command's -h, --help
complete -c weargate -n '__weargate_command; and not __weargate_exec_has_job' -s h -l help -d 'show the help'

complete -c weargate -n '__weargate_command_is check-config' -s c -l config -r -F -d 'the file to check'
complete -c weargate -n '__weargate_command_is check-config' -l json -d 'print JSON'

complete -c weargate -n '__weargate_command_is done' -l status -x -d 'how the job ended: 0 success, 1-255 failed'
complete -c weargate -n '__weargate_command_is done' -s q -l quiet -d 'say nothing when all goes well'
complete -c weargate -n '__weargate_command_is done' -a '(__weargate_names job)' -d job

complete -c weargate -n '__weargate_command_is exec; and not __weargate_exec_has_job' -s q -l quiet -d 'say nothing on go and success but what the command says'
complete -c weargate -n '__weargate_command_is exec; and not __weargate_exec_has_job' -a '(__weargate_names job)' -d job
complete -c weargate -n '__weargate_command_is exec; and __weargate_exec_has_job' -x -a '(__weargate_exec_command)'

complete -c weargate -n '__weargate_command_is export' -l output -r -F -d 'write the metrics to a file atomically'

complete -c weargate -n '__weargate_command_is gate' -l condition -d "exit as systemd's ExecCondition= wants"
complete -c weargate -n '__weargate_command_is gate' -l json -d 'print the decision as JSON'
complete -c weargate -n '__weargate_command_is gate' -l max-wait -x -d 'on defer, look again for up to this long'
complete -c weargate -n '__weargate_command_is gate' -l record -d "on go, record the start of a run for 'weargate done'"
complete -c weargate -n '__weargate_command_is gate' -s q -l quiet -d 'say nothing on go'
complete -c weargate -n '__weargate_command_is gate' -a '(__weargate_names job)' -d job

complete -c weargate -n '__weargate_command_is history' -l attr -x -d 'the attributes to show, by id or name'
complete -c weargate -n '__weargate_command_is history' -l trend -d 'first and last value, change per day, largest jump'
complete -c weargate -n '__weargate_command_is history' -l events -d "the drives' state changes and the gate's decisions"
complete -c weargate -n '__weargate_command_is history' -l jobs -d 'the job runs and what each did to each drive'
complete -c weargate -n '__weargate_command_is history' -l buckets -x -d 'at most this many rows per drive'
complete -c weargate -n '__weargate_command_is history' -l since -x -d 'from this time or duration back'
complete -c weargate -n '__weargate_command_is history' -l until -x -d 'up to this time'
complete -c weargate -n '__weargate_command_is history' -l format -x -a 'table csv json' -d 'output format'
complete -c weargate -n '__weargate_command_is history' -l json -d 'the same as --format json'
complete -c weargate -n '__weargate_command_is history' -a '(__weargate_names drive)' -d drive

complete -c weargate -n '__weargate_command_is prune' -l older-than -x -d 'thin what is older than this'
complete -c weargate -n '__weargate_command_is prune' -l thin-to -x -d 'keep one sample per this long'
complete -c weargate -n '__weargate_command_is prune' -l json -d 'print JSON'

complete -c weargate -n '__weargate_command_is import' -l json -d 'print JSON'
complete -c weargate -n '__weargate_command_is import' -s q -l quiet -d 'print nothing but errors'
complete -c weargate -n '__weargate_command_is import; and not __fish_seen_subcommand_from smartd smartctl' -x -a 'smartctl smartd' -d 'kind of file'
complete -c weargate -n '__weargate_command_is import; and __fish_seen_subcommand_from smartd smartctl' -F

complete -c weargate -n '__weargate_command_is report' -l output -r -F -d 'write the page to a file atomically'
complete -c weargate -n '__weargate_command_is report' -l since -x -d 'from this time or duration back'

complete -c weargate -n '__weargate_command_is run' -a '(__weargate_names job)' -d job

complete -c weargate -n '__weargate_command_is sample' -l json -d 'print JSON'
complete -c weargate -n '__weargate_command_is sample' -l wake -d 'read drives in standby or asleep too'
complete -c weargate -n '__weargate_command_is sample' -s q -l quiet -d 'print only the drives that could not be read'
complete -c weargate -n '__weargate_command_is sample' -a '(__weargate_names drive)' -d drive

complete -c weargate -n '__weargate_command_is status' -l json -d 'print JSON'

complete -c weargate -n '__weargate_command_is help' -a 'check-config done exec export gate history import prune report run sample status help'
