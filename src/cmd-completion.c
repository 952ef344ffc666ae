/* cmd-completion.c — `weargate completion SHELL`: the bash, zsh and fish completions, written from the commands' tables */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const char completion_help[] =
	"Print the completion script of SHELL (bash, zsh or fish) on standard output: the\n"
	"commands, each command's options as its help lists them, the values an option takes\n"
	"where they are few, and the names of the jobs and drives that the configuration in use\n"
	"declares (the -c on the line being completed, else the default), as 'weargate\n"
	"check-config' prints them. The build writes the three scripts with it and installs\n"
	"them; contrib/completion holds the same, for reading.\n";

static const char completion_exit_status[] = "Exit status: 0, 64 for a wrong option or shell.\n";

/* The options of TABLE, which may be NULL. */
#define FOREACH_OPTION(o, table) for (const struct cmd_option *o = (table); o && o->name; o++)

/*
 * What an option is on its own, for a completion's one-line description: its help up to the
 * first ": " or "; ", the lines joined, without what it says in parentheses ("(default 1d)",
 * "(90d, 26w)"), which would tie the scripts to a build's paths.
 */
static void describe(char *buf, size_t size, const char *help)
{
	size_t k = 0;
	int depth = 0;

	for (const char *p = help; *p && k + 1 < size; p++) {
		if (*p == '(' && depth++ == 0 && k > 0 && buf[k - 1] == ' ')
			k--;
		if (depth == 0 && (*p == ':' || *p == ';') && p[1] == ' ')
			break;
		if (depth == 0)
			buf[k++] = *p == '\n' ? ' ' : *p;
		if (*p == ')' && depth > 0)
			depth--;
	}
	buf[k] = '\0';
}

/* S as one word of sh (bash, zsh): between single quotes, each quote as '\''. */
static void put_sh(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* S as one word of fish: between single quotes, where a quote and a backslash are escaped. */
static void put_fish(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

/* "-q --quiet --json", as compgen -W takes them; then "-h --help" where WITH_HELP */
static void put_names(FILE *f, const struct cmd_option *table, bool with_help)
{
	const char *sep = "";

	FOREACH_OPTION (o, table) {
		if (o->short_name)
			fprintf(f, "%s-%c", sep, o->short_name), sep = " ";
		fprintf(f, "%s--%s", sep, o->name);
		sep = " ";
	}
	if (with_help)
		fprintf(f, "%s-h --help", sep);
}

static bool is_file(const struct cmd_option *o)
{
	return o->arg && strcmp(o->arg, "FILE") == 0;
}

/* ---------------------------------------------------------------------------------------- bash */

/* The case of $prev for the options that take a value: files, the values, or nothing to offer. */
static void bash_values(FILE *f, const struct cmd_option *table, const char *indent)
{
	bool any = false;

	FOREACH_OPTION (o, table)
		any |= o->arg != NULL;
	if (!any)
		return;
	fprintf(f, "%scase $prev in\n", indent);
	FOREACH_OPTION (o, table) {
		if (!o->arg)
			continue;
		fprintf(f, "%s", indent);
		if (o->short_name)
			fprintf(f, "-%c | ", o->short_name);
		fprintf(f, "--%s)\n", o->name);
		if (is_file(o))
			fprintf(f, "%s\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n", indent);
		else if (o->values)
			fprintf(f, "%s\tmapfile -t COMPREPLY < <(compgen -W \"%s\" -- \"$cur\")\n", indent, o->values);
		else
			fprintf(f, "%s\tCOMPREPLY=()\n", indent);
		fprintf(f, "%s\treturn\n%s\t;;\n", indent, indent);
	}
	fprintf(f, "%sesac\n", indent);
}

/* In a loop over the words: the value of an option is no operand. */
static void bash_skip_values(FILE *f, const struct cmd_option *table)
{
	const char *sep = "\t\t\tcase ${COMP_WORDS[i - 1]} in\n\t\t\t";

	FOREACH_OPTION (o, table) {
		if (!o->arg)
			continue;
		if (o->short_name)
			fprintf(f, "%s-%c", sep, o->short_name), sep = " | ";
		fprintf(f, "%s--%s", sep, o->name);
		sep = " | ";
	}
	if (sep[0] == ' ')
		fputs(") continue ;;\n\t\t\tesac\n", f);
}

static void bash_command(FILE *f, const struct cmd_entry *e)
{
	fprintf(f, "\t%s)\n", e->name);
	if (e->exec) {
		fputs("\t\topts=\"", f);
		put_names(f, e->options, true);
		fputs("\"\n", f);
	}
	bash_values(f, e->options, "\t\t");
	switch (e->operands) {
	case CMD_OPERANDS_NONE:
		break;
	case CMD_OPERANDS_JOB:
	case CMD_OPERANDS_JOBS:
		fputs("\t\twords=$(_weargate_names job \"$conf\")\n", f);
		break;
	case CMD_OPERANDS_DRIVES:
		fputs("\t\twords=$(_weargate_names drive \"$conf\")\n", f);
		break;
	case CMD_OPERANDS_JOB_COMMAND:
		fputs("\t\t# after the job's name comes the command: complete it as bash would\n"
		      "\t\tfor ((i = at + 1; i < COMP_CWORD; i++)); do\n",
		      f);
		bash_skip_values(f, e->options);
		fputs("\t\t\tif [[ ${COMP_WORDS[i]} != -* ]]; then\n"
		      "\t\t\t\tmapfile -t COMPREPLY < <(compgen -c -- \"$cur\")\n"
		      "\t\t\t\treturn\n"
		      "\t\t\tfi\n"
		      "\t\tdone\n"
		      "\t\twords=$(_weargate_names job \"$conf\")\n",
		      f);
		break;
	case CMD_OPERANDS_WORD:
		fprintf(f, "\t\twords=\"%s\"\n", e->words);
		break;
	case CMD_OPERANDS_WORD_FILES:
		fputs("\t\t# the first word says what the files are, then come the files\n"
		      "\t\tfor ((i = at + 1; i < COMP_CWORD; i++)); do\n"
		      "\t\t\tcase ${COMP_WORDS[i]} in\n\t\t\t",
		      f);
		for (const char *p = e->words; *p; p++) {
			if (*p == ' ')
				fputs(" | ", f);
			else
				fputc(*p, f);
		}
		fputs(")\n"
		      "\t\t\t\tmapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
		      "\t\t\t\treturn\n"
		      "\t\t\t\t;;\n"
		      "\t\t\tesac\n"
		      "\t\tdone\n",
		      f);
		fprintf(f, "\t\twords=\"%s\"\n", e->words);
		break;
	case CMD_OPERANDS_COMMAND:
		fputs("\t\twords=$commands\n", f);
		break;
	}
	fputs("\t\t;;\n", f);
}

static void print_bash(FILE *f, const struct cmd_program *p)
{
	fputs("# weargate.bash — bash completion for weargate(8), as `weargate completion bash` writes it from\n"
	      "# the commands' tables: the commands, their options, and the job and drive names of the\n"
	      "# configuration in use (-c FILE, else weargate's default).\n"
	      "\n"
	      "# The names of the sections of one kind (\"job\" or \"drive\") the configuration declares.\n"
	      "_weargate_names()\n"
	      "{\n"
	      "\tlocal kind=$1 conf=$2\n"
	      "\t\"${COMP_WORDS[0]}\" ${conf:+-c \"$conf\"} check-config 2>/dev/null |\n"
	      "\t\tsed -n \"s/^$kind \\\"\\\\(.*\\\\)\\\" {\\$/\\\\1/p\"\n"
	      "}\n"
	      "\n"
	      "_weargate()\n"
	      "{\n"
	      "\tlocal cur prev conf=\"\" cmd=\"\" at=0 i\n"
	      "\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	      "\tprev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\tlocal commands=\"",
	      f);
	for (size_t i = 0; i < p->n_commands; i++)
		fprintf(f, "%s ", p->commands[i]->name);
	fprintf(f, "%s\"\n\n", p->help->name);
	fputs("\t# the configuration and the command, wherever they stand before the word being completed\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in\n",
	      f);
	FOREACH_OPTION (o, p->options) {
		if (!o->arg)
			continue;
		fputs("\t\t", f);
		if (o->short_name)
			fprintf(f, "-%c | ", o->short_name);
		fprintf(f, "--%s) %s((i++)) ;;\n", o->name, strcmp(o->name, "config") == 0 ? "conf=${COMP_WORDS[i + 1]}; " : "");
	}
	fputs("\t\t-*) ;;\n"
	      "\t\t*) [[ -z $cmd ]] && cmd=${COMP_WORDS[i]} at=$i ;;\n"
	      "\t\tesac\n"
	      "\tdone\n"
	      "\n"
	      "\tif [[ -z $cmd ]]; then\n",
	      f);
	bash_values(f, p->options, "\t\t");
	fputs("\t\tif [[ $cur == -* ]]; then\n"
	      "\t\t\tmapfile -t COMPREPLY < <(compgen -W \"",
	      f);
	put_names(f, p->options, false);
	fputs("\" -- \"$cur\")\n"
	      "\t\telse\n"
	      "\t\t\tmapfile -t COMPREPLY < <(compgen -W \"$commands\" -- \"$cur\")\n"
	      "\t\tfi\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\n"
	      "\tlocal opts=\"\" words=\"\"\n"
	      "\tcase $cmd in\n",
	      f);
	for (size_t i = 0; i < p->n_commands; i++)
		bash_command(f, p->commands[i]);
	bash_command(f, p->help);
	fputs("\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
	      "\telse\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n"
	      "\tfi\n"
	      "}\n"
	      "\n"
	      "complete -F _weargate weargate\n",
	      f);
}

/* ----------------------------------------------------------------------------------------- zsh */

/*
 * What O excludes once it is on the line, as _arguments reads it in front of a spec: for -h or
 * -V, which end the line, everything ("(- : *)": the options, the operands, the rest); for an
 * option of a group, the group's options in TABLE; else its two names, that the one is not
 * offered after the other; nothing ("") for a long option of no group.
 */
static void zsh_excluded(char *buf, size_t size, const struct cmd_option *o, const struct cmd_option *table)
{
	struct wg_text names;
	char text[200]; /* the names: with the parentheses, they fit in the caller's 256 */

	buf[0] = '\0';
	if (o->ends_line) {
		snprintf(buf, size, "(- : *)");
		return;
	}
	if (!o->group && !o->short_name)
		return;
	wg_text_init(&names, text, sizeof(text));
	FOREACH_OPTION (p, table) {
		if (p != o && !(o->group && p->group && strcmp(p->group, o->group) == 0))
			continue;
		if (p->short_name)
			wg_text_add(&names, " ", "-%c", p->short_name);
		wg_text_add(&names, " ", "--%s", p->name);
	}
	snprintf(buf, size, "(%s)", text);
}

/*
 * One _arguments spec, O's in TABLE: '(-q --quiet)'{-q,--quiet}'[say nothing on go]',
 * '--since=[from WHEN]:WHEN', '(--format --json)--format=[table, csv or json]:FORMAT:(table csv json)'.
 */
static void zsh_spec(FILE *f, const struct cmd_option *o, const struct cmd_option *table)
{
	char desc[256], excluded[256], spec[512];
	size_t k = 0;

	describe(desc, sizeof(desc), o->help);
	zsh_excluded(excluded, sizeof(excluded), o, table);
	if (o->short_name)
		fprintf(f, "'%s'{-%c%s,--%s%s}", excluded, o->short_name, o->arg ? "+" : "", o->name, o->arg ? "=" : "");
	else
		k = (size_t)snprintf(spec, sizeof(spec), "%s--%s%s", excluded, o->name, o->arg ? "=" : "");
	spec[k++] = '[';
	for (const char *d = desc; *d && k + 3 < sizeof(spec); d++) {
		if (*d == '[' || *d == ']' || *d == '\\')
			spec[k++] = '\\';
		spec[k++] = *d;
	}
	spec[k++] = ']';
	spec[k] = '\0';
	/* the value: a message, then what to offer (files, the values), if anything */
	if (o->arg)
		snprintf(spec + k, sizeof(spec) - k, ":%s%s%s%s%s", o->arg, is_file(o) ? ":_files" : "",
			 !is_file(o) && o->values ? ":(" : "", !is_file(o) && o->values ? o->values : "",
			 !is_file(o) && o->values ? ")" : "");
	put_sh(f, spec);
}

/* The specs of TABLE's options, one a line. */
static void zsh_options(FILE *f, const struct cmd_option *table, const char *indent)
{
	FOREACH_OPTION (o, table) {
		fputs(indent, f);
		zsh_spec(f, o, table);
		fputs(" \\\n", f);
	}
}

static void zsh_command(FILE *f, const struct cmd_entry *e)
{
	fprintf(f, "\t\t%s)\n", e->name);
	if (e->operands == CMD_OPERANDS_COMMAND) {
		fputs("\t\t\t_describe -t commands 'weargate command' commands && ret=0\n\t\t\t;;\n", f);
		return;
	}
	/* -S: after the job, "--" and the command's own options are the command's */
	fprintf(f, "\t\t\t_arguments%s \\\n", e->operands == CMD_OPERANDS_JOB_COMMAND ? " -S" : "");
	zsh_options(f, e->options, "\t\t\t\t");
	fputs("\t\t\t\t$help", f);
	switch (e->operands) {
	case CMD_OPERANDS_NONE:
	case CMD_OPERANDS_COMMAND:
		break;
	case CMD_OPERANDS_JOB:
		fputs(" \\\n\t\t\t\t\"1:job:_weargate_names job ${(q)conf}\"", f);
		break;
	case CMD_OPERANDS_JOBS:
		fputs(" \\\n\t\t\t\t\"*:job:_weargate_names job ${(q)conf}\"", f);
		break;
	case CMD_OPERANDS_DRIVES:
		fputs(" \\\n\t\t\t\t\"*:drive:_weargate_names drive ${(q)conf}\"", f);
		break;
	case CMD_OPERANDS_JOB_COMMAND:
		fputs(" \\\n\t\t\t\t\"1:job:_weargate_names job ${(q)conf}\" \\\n\t\t\t\t'*::command:->command'", f);
		break;
	case CMD_OPERANDS_WORD:
		fprintf(f, " \\\n\t\t\t\t'1:argument:(%s)'", e->words);
		break;
	case CMD_OPERANDS_WORD_FILES:
		fprintf(f, " \\\n\t\t\t\t'1:argument:(%s)' \\\n\t\t\t\t'*:file:_files'", e->words);
		break;
	}
	fputs(" && ret=0\n", f);
	if (e->operands == CMD_OPERANDS_JOB_COMMAND)
		fputs("\t\t\tif [[ $state == command ]]; then\n"
		      "\t\t\t\t# words: the job, then the command line, after an optional --\n"
		      "\t\t\t\tshift words\n"
		      "\t\t\t\t(( CURRENT-- ))\n"
		      "\t\t\t\tif [[ $words[1] == -- ]] && (( CURRENT > 1 )); then\n"
		      "\t\t\t\t\tshift words\n"
		      "\t\t\t\t\t(( CURRENT-- ))\n"
		      "\t\t\t\tfi\n"
		      "\t\t\t\t_normal && ret=0\n"
		      "\t\t\tfi\n",
		      f);
	fputs("\t\t\t;;\n", f);
}

static void zsh_describe(FILE *f, const struct cmd_entry *e)
{
	char item[256];

	snprintf(item, sizeof(item), "%s:%s", e->name, e->summary);
	fputs("\t\t", f);
	put_sh(f, item);
	fputc('\n', f);
}

static void print_zsh(FILE *f, const struct cmd_program *p)
{
	fputs("#compdef weargate\n"
	      "# _weargate — zsh completion for weargate(8), as `weargate completion zsh` writes it from the\n"
	      "# commands' tables: the commands, their options, and the job and drive names of the\n"
	      "# configuration in use (-c FILE, else weargate's default). Installed in a directory of $fpath\n"
	      "# (Debian: /usr/share/zsh/vendor-completions).\n"
	      "\n"
	      "# _weargate_names [COMPADD-OPTIONS] KIND CONF: the names of the sections of one kind (\"job\" or\n"
	      "# \"drive\") that CONF (or the default) declares, as `weargate check-config` prints them; the\n"
	      "# options _arguments puts in front go on to compadd.\n"
	      "(( $+functions[_weargate_names] )) ||\n"
	      "_weargate_names() {\n"
	      "\tlocal kind=$argv[-2] conf=$argv[-1] line\n"
	      "\tlocal -a names\n"
	      "\targv[-2,-1]=()\n"
	      "\tfor line in ${(f)\"$(_call_program names ${(q)weargate} ${conf:+-c ${(q)conf}} check-config 2>/dev/null)\"}; do\n"
	      "\t\t[[ $line == (#b)$kind\\ \\\"(*)\\\"\\ \\{ ]] && names+=($match[1])\n"
	      "\tdone\n"
	      "\t_describe -t ${kind}s $kind names \"$@\"\n"
	      "}\n"
	      "\n"
	      "_weargate() {\n"
	      "\tlocal curcontext=$curcontext state state_descr line ret=1\n"
	      "\tlocal -A opt_args\n"
	      "\tlocal -a commands=(\n",
	      f);
	for (size_t i = 0; i < p->n_commands; i++)
		zsh_describe(f, p->commands[i]);
	zsh_describe(f, p->help);
	fputs("\t)\n"
	      "\tlocal -a help=(",
	      f);
	zsh_spec(f, &cmd_help_option, NULL);
	fputs(")\n"
	      "\t# the command as typed, which gives the configuration's names\n"
	      "\tlocal weargate=$words[1]\n"
	      "\n"
	      "\t_arguments -C \\\n",
	      f);
	zsh_options(f, p->options, "\t\t");
	fputs("\t\t'(-)1:command:->command' \\\n"
	      "\t\t'(-)*::argument:->argument' && ret=0\n"
	      "\n"
	      "\t# the configuration the names come from: the global -c, else weargate's default\n"
	      "\tlocal conf=${opt_args[-c]:-${opt_args[--config]}}\n"
	      "\tcase $state in\n"
	      "\tcommand)\n"
	      "\t\t_describe -t commands 'weargate command' commands && ret=0\n"
	      "\t\t;;\n"
	      "\targument)\n"
	      "\t\tcurcontext=${curcontext%:*:*}:weargate-$words[1]:\n"
	      "\t\tcase $words[1] in\n",
	      f);
	for (size_t i = 0; i < p->n_commands; i++)
		zsh_command(f, p->commands[i]);
	zsh_command(f, p->help);
	fputs("\t\tesac\n"
	      "\t\t;;\n"
	      "\tesac\n"
	      "\treturn ret\n"
	      "}\n"
	      "\n"
	      "_weargate \"$@\"\n",
	      f);
}

/* ---------------------------------------------------------------------------------------- fish */

static void fish_option(FILE *f, const char *cond, const struct cmd_option *o)
{
	char desc[256];

	describe(desc, sizeof(desc), o->help);
	fputs("complete -c weargate -n ", f);
	put_fish(f, cond);
	if (o->short_name)
		fprintf(f, " -s %c", o->short_name);
	fprintf(f, " -l %s", o->name);
	if (is_file(o))
		fputs(" -r -F", f);
	else if (o->arg)
		fputs(" -x", f);
	if (o->arg && !is_file(o) && o->values) {
		fputs(" -a ", f);
		put_fish(f, o->values);
	}
	fputs(" -d ", f);
	put_fish(f, desc);
	fputc('\n', f);
}

/* complete -c weargate -n 'COND' ARGS… */
static void fish_line(FILE *f, const char *cond, const char *args)
{
	fputs("complete -c weargate -n ", f);
	put_fish(f, cond);
	fprintf(f, " %s\n", args);
}

static void fish_command(FILE *f, const struct cmd_entry *e)
{
	char cond[128], more[192], words[160];
	bool command_line = e->operands == CMD_OPERANDS_JOB_COMMAND;

	/* exec: once its job is on the line, what follows is a command line of its own */
	snprintf(cond, sizeof(cond), "__weargate_command_is %s%s", e->name,
		 command_line ? "; and not __weargate_has_operand" : "");
	fputc('\n', f);
	if (e->exec) {
		FOREACH_OPTION (o, e->options)
			fish_option(f, cond, o);
		fish_option(f, cond, &cmd_help_option);
	}
	switch (e->operands) {
	case CMD_OPERANDS_NONE:
		break;
	case CMD_OPERANDS_JOB:
	case CMD_OPERANDS_JOBS:
	case CMD_OPERANDS_JOB_COMMAND:
		fish_line(f, cond, "-a '(__weargate_names job)' -d job");
		break;
	case CMD_OPERANDS_DRIVES:
		fish_line(f, cond, "-a '(__weargate_names drive)' -d drive");
		break;
	case CMD_OPERANDS_WORD:
		snprintf(words, sizeof(words), "-x -a '%s'", e->words);
		fish_line(f, cond, words);
		break;
	case CMD_OPERANDS_WORD_FILES:
		snprintf(more, sizeof(more), "%s; and not __fish_seen_subcommand_from %s", cond, e->words);
		snprintf(words, sizeof(words), "-x -a '%s'", e->words);
		fish_line(f, more, words);
		snprintf(more, sizeof(more), "%s; and __fish_seen_subcommand_from %s", cond, e->words);
		fish_line(f, more, "-F");
		break;
	case CMD_OPERANDS_COMMAND:
		fish_line(f, cond, "-a '(__weargate_commands)'");
		break;
	}
	if (command_line) {
		snprintf(more, sizeof(more), "__weargate_command_is %s; and __weargate_has_operand", e->name);
		fish_line(f, more, "-x -a '(__weargate_operand_command)'");
	}
}

static void print_fish(FILE *f, const struct cmd_program *p)
{
	fputs("# weargate.fish — fish completion for weargate(8), as `weargate completion fish` writes it from\n"
	      "# the commands' tables: the commands, their options, and the job and drive names of the\n"
	      "# configuration in use (-c FILE, else weargate's default). Installed in fish's\n"
	      "# vendor_completions.d.\n"
	      "\n"
	      "# The words before the cursor, from the first after weargate: the global options and their\n"
	      "# arguments, then the command and its own words.\n"
	      "function __weargate_args\n"
	      "    set -l tokens (commandline -opc)\n"
	      "    set -e tokens[1]\n"
	      "    test (count $tokens) -gt 0 && printf '%s\\n' $tokens\n"
	      "end\n"
	      "\n"
	      "# The command, then its words: what comes after the global options and their arguments.\n"
	      "function __weargate_command_words\n"
	      "    set -l skip 0\n"
	      "    set -l seen 0\n"
	      "    for t in (__weargate_args)\n"
	      "        if test $seen -eq 1\n"
	      "            printf '%s\\n' $t\n"
	      "        else if test $skip -eq 1\n"
	      "            set skip 0\n"
	      "        else\n"
	      "            switch $t\n",
	      f);
	FOREACH_OPTION (o, p->options) {
		if (!o->arg)
			continue;
		fputs("                case", f);
		if (o->short_name)
			fprintf(f, " -%c", o->short_name);
		fprintf(f, " --%s\n                    set skip 1\n", o->name);
	}
	fputs("                case '-*'\n"
	      "                case '*'\n"
	      "                    set seen 1\n"
	      "                    printf '%s\\n' $t\n"
	      "            end\n"
	      "        end\n"
	      "    end\n"
	      "end\n"
	      "\n"
	      "# The command, once one is on the line; nothing before.\n"
	      "function __weargate_command\n"
	      "    set -l words (__weargate_command_words)\n"
	      "    test (count $words) -gt 0 && echo $words[1]\n"
	      "end\n"
	      "\n"
	      "# Whether the command on the line is one of the arguments.\n"
	      "function __weargate_command_is\n"
	      "    contains -- (__weargate_command) $argv\n"
	      "end\n"
	      "\n"
	      "# Whether the command's first operand (exec's job) is on the line, so that a command line comes next.\n"
	      "function __weargate_has_operand\n"
	      "    for t in (__weargate_command_words)[2..]\n"
	      "        string match -q -- '-*' $t || return 0\n"
	      "    end\n"
	      "    return 1\n"
	      "end\n"
	      "\n"
	      "# After the command's first operand (and an optional --), the command line, completed as fish\n"
	      "# completes one.\n"
	      "function __weargate_operand_command\n"
	      "    set -l words\n"
	      "    set -l state 0\n"
	      "    for t in (__weargate_command_words)[2..]\n"
	      "        switch $state\n"
	      "            case 0\n"
	      "                string match -q -- '-*' $t || set state 1\n"
	      "            case 1\n"
	      "                set state 2\n"
	      "                test \"$t\" = -- && continue\n"
	      "                set -a words $t\n"
	      "            case 2\n"
	      "                set -a words $t\n"
	      "        end\n"
	      "    end\n"
	      "    set -l current (commandline -ct)\n"
	      "    if test (count $words) -eq 0\n"
	      "        __fish_complete_command\n"
	      "    else\n"
	      "        complete -C \"$words $current\"\n"
	      "    end\n"
	      "end\n"
	      "\n"
	      "# The configuration the names come from: the global -c; nothing for weargate's default.\n"
	      "function __weargate_conf\n"
	      "    set -l take 0\n"
	      "    for t in (__weargate_args)\n"
	      "        if test $take -eq 1\n"
	      "            printf '%s\\n' $t\n"
	      "            return\n"
	      "        end\n"
	      "        switch $t\n"
	      "            case -c --config\n"
	      "                set take 1\n"
	      "            case '--config=*'\n"
	      "                string replace -- --config= '' $t\n"
	      "                return\n"
	      "            case '-c?*'\n"
	      "                string sub -s 3 -- $t\n"
	      "                return\n"
	      "            case '-*'\n"
	      "            case '*'\n"
	      "                return\n"
	      "        end\n"
	      "    end\n"
	      "end\n"
	      "\n"
	      "# The names of the sections of one kind (\"job\" or \"drive\") the configuration declares.\n"
	      "function __weargate_names -a kind\n"
	      "    set -l weargate (commandline -opc)[1]\n"
	      "    set -l conf (__weargate_conf)\n"
	      "    set -l c\n"
	      "    test -n \"$conf\" && set c -c $conf\n"
	      "    $weargate $c check-config 2>/dev/null | string replace -rf '^'$kind' \"(.*)\" \\{$' '$1'\n"
	      "end\n"
	      "\n"
	      "# The commands, each with its summary.\n"
	      "function __weargate_commands\n",
	      f);
	for (size_t i = 0; i <= p->n_commands; i++) {
		const struct cmd_entry *e = i < p->n_commands ? p->commands[i] : p->help;
		char line[256];

		snprintf(line, sizeof(line), "%s\t%s", e->name, e->summary);
		fputs("    printf '%s\\n' ", f);
		put_fish(f, line);
		fputc('\n', f);
	}
	fputs("end\n"
	      "\n"
	      "complete -c weargate -f\n"
	      "\n"
	      "# the global options and the commands\n",
	      f);
	FOREACH_OPTION (o, p->options)
		fish_option(f, "not __weargate_command", o);
	fish_line(f, "not __weargate_command", "-a '(__weargate_commands)'");
	for (size_t i = 0; i < p->n_commands; i++)
		fish_command(f, p->commands[i]);
	fish_command(f, p->help);
}

static int cmd_completion(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*print)(FILE *f, const struct cmd_program *p);
	} shells[] = {
		{ "bash", print_bash },
		{ "zsh", print_zsh },
		{ "fish", print_fish },
	};
	int r;

	if (cmd_parse_options(ctx, argc, argv, NULL, NULL, &r))
		return r;
	if (optind >= argc)
		return cmd_usage_error(ctx->entry, "which shell? bash, zsh or fish");
	if (optind + 1 < argc)
		return cmd_usage_error(ctx->entry, "unexpected argument '%s'", argv[optind + 1]);
	for (size_t i = 0; i < WG_ELEMENTSOF(shells); i++) {
		if (strcmp(argv[optind], shells[i].name) == 0) {
			shells[i].print(stdout, ctx->program);
			return 0;
		}
	}
	return cmd_usage_error(ctx->entry, "'%s' is not a shell weargate completes for (bash, zsh, fish)", argv[optind]);
}

const struct cmd_entry cmd_completion_entry = {
	.name = "completion",
	.usage = "bash|zsh|fish",
	.summary = "print the completion script of bash, zsh or fish",
	.help = completion_help,
	.exit_status = completion_exit_status,
	.operands = CMD_OPERANDS_WORD,
	.words = "bash zsh fish",
	.exec = cmd_completion,
};
