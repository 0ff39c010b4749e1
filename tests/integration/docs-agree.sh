#!/bin/bash
# docs-agree.sh — the option table (as "snmpfleet --help" prints it), the
# two man pages and the sample config name the same options, with the same
# short letters, argument names and defaults.  Sends no packets.
#
# Environment: SNMPFLEET (the built binary), top_srcdir (the source tree).

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
SNMPFLEET=${SNMPFLEET:-${top_builddir:-.}/snmpfleet}
man1=$top_srcdir/man/snmpfleet.1
man5=$top_srcdir/man/snmpfleet.conf.5
sample=$top_srcdir/conf/snmpfleet.conf

# Options that are not config file keys (OPT_CLI_ONLY in src/options.c).
cli_only=(config echo-config help version)

results=()

# check DESCRIPTION COMMAND...: record ok/not ok; printed once the plan is known.
check() {
	local desc=$1
	shift
	if "$@"; then
		results+=("ok - $desc")
	else
		results+=("not ok - $desc")
	fi
}

finish() {
	local i
	echo "1..${#results[@]}"
	for i in "${!results[@]}"; do
		echo "${results[$i]/ok - /ok $((i + 1)) - }"
	done
	exit 0
}

is_cli_only() {
	local c
	for c in "${cli_only[@]}"; do
		[ "$c" = "$1" ] && return 0
	done
	return 1
}

is_option() {
	printf '%s\n' "${names[@]}" | grep -qxF -- "$1"
}

is_key() {
	is_option "$1" && ! is_cli_only "$1"
}

# mdoc source with "\-" and "\&" removed, so "Fl \-max-oids" reads
# "Fl -max-oids".
plain() {
	sed -e 's/\\-/-/g' -e 's/\\&//g' "$1"
}

# The text of the list item whose .It line matches ERE $2 in page $1, up
# to the next item or the end of its list (nested lists included).
item_block() {
	plain "$1" | awk -v re="$2" '
		!on && $0 ~ re { on = 1; depth = 0; print; next }
		on && /^\.Bl/ { depth++ }
		on && /^\.El/ { if (depth == 0) exit; depth-- }
		on && /^\.It/ && depth == 0 { exit }
		on { print }'
}

# block_states_default BLOCK DEFAULT: the block says "default" and has
# DEFAULT as a word (surrounding punctuation ignored).
block_states_default() {
	grep -qi 'default' <<<"$1" || return 1
	tr -s ' \t' '\n\n' <<<"$1" |
	    sed -E 's/^["'\''(]+//; s/["'\''),.;:]+$//' | grep -qxF -- "$2"
}

help=$("$SNMPFLEET" --help 2>/dev/null)
rc=$?
mapfile -t names < <(printf '%s\n' "$help" |
    grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u)

check "snmpfleet --help exits 0" [ "$rc" -eq 0 ]
check "snmpfleet --help names options" [ "${#names[@]}" -gt 0 ]
if [ "${#names[@]}" -eq 0 ]; then
	finish
fi
for c in "${cli_only[@]}"; do
	check "command-line-only option --$c is in --help" is_option "$c"
done

for name in "${names[@]}"; do
	# What --help says: "  -c, --community STRING   help text [default]".
	line=$(printf '%s\n' "$help" | grep -E -- "(^|[ ,])--$name( |$)" | head -n 1)
	short= arg= def=
	if [[ $line =~ ^\ *-([[:alnum:]]),\ --$name( |$) ]]; then
		short=${BASH_REMATCH[1]}
	fi
	rest=${line#*--$name}
	if [[ $rest =~ ^\ ([^ ]+)\ \  ]] ||
	    [[ $rest =~ ^\ ([A-Z][A-Z0-9_]*|[^ ]*\|[^ ]*)( |$) ]]; then
		arg=${BASH_REMATCH[1]}
	fi
	if [[ $line =~ \[([^]]*)\]$ ]]; then
		def=${BASH_REMATCH[1]}
	fi

	# snmpfleet.1: ".It Fl c , Fl \-community Ar STRING"
	it_re="^\\.It Fl ([[:alnum:]] , Fl )?-$name( |\$)"
	itline=$(plain "$man1" | grep -E -- "$it_re" | head -n 1)
	check "snmpfleet.1 documents --$name" [ -n "$itline" ]
	want="${short:+-$short}--$name$arg"
	got=$(sed -E -e 's/^\.It //' -e 's/(^| )Fl /\1-/g' \
	    -e ':a' -e 's/(^| )(Ar|Cm|Ns|Li) /\1/' -e 'ta' <<<"$itline" |
	    tr -d ' ,')
	check "snmpfleet.1 item for --$name agrees with --help ($want)" \
	    [ "$got" = "$want" ]
	if [ -n "$def" ]; then
		check "snmpfleet.1 gives the default of --$name ($def)" \
		    block_states_default "$(item_block "$man1" "$it_re")" "$def"
	fi

	if is_cli_only "$name"; then
		check "snmpfleet.conf.5 does not list command-line-only $name" \
		    eval '! plain "$man5" | grep -qE -- "^\\.It Ic $name( |\$)"'
		check "conf/snmpfleet.conf does not list command-line-only $name" \
		    eval '! grep -qE -- "^(# ?)?$name =" "$sample"'
		continue
	fi

	# snmpfleet.conf.5: ".It Ic community Ar STRING"
	key_re="^\\.It Ic $name( |\$)"
	check "snmpfleet.conf.5 documents key $name" \
	    eval 'plain "$man5" | grep -qE -- "$key_re"'
	if [ -n "$def" ]; then
		check "snmpfleet.conf.5 gives the default of $name ($def)" \
		    block_states_default "$(item_block "$man5" "$key_re")" "$def"
	fi

	# conf/snmpfleet.conf: "# community = public"
	sline=$(grep -E -- "^(# ?)?$name =" "$sample" | head -n 1)
	check "conf/snmpfleet.conf lists $name" [ -n "$sline" ]
	if [ -n "$def" ]; then
		sval=$(sed -E 's/^[^=]*= *//; s/ *$//' <<<"$sline")
		check "conf/snmpfleet.conf gives $name its default ($def)" \
		    [ "$sval" = "$def" ]
	fi
done

# The reverse: nothing documented that the program does not have.
while read -r name; do
	check "option --$name in snmpfleet.1 is a real option" is_option "$name"
done < <(plain "$man1" | grep -E '^\.It Fl ' |
    grep -oE -- 'Fl -[a-z][a-z0-9-]*' | sed 's/^Fl -//' | sort -u)

while read -r name; do
	check "key $name in snmpfleet.conf.5 is a real config key" is_key "$name"
done < <(plain "$man5" | sed -nE 's/^\.It Ic ([a-z][a-z0-9-]*).*/\1/p' |
    sort -u)

while read -r name; do
	check "key $name in conf/snmpfleet.conf is a real config key" \
	    is_key "$name"
done < <(sed -nE 's/^(# ?)?([a-z][a-z0-9-]*) =.*/\2/p' "$sample" | sort -u)

finish
