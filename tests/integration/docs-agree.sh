#!/bin/bash
# docs-agree.sh — the option table (as "snmpfleet --help" prints it), the
# two man pages and the sample config name the same options, with the same
# short letters, argument names and defaults.  Sends no packets.
#
# Which options are config keys comes from the program too: every
# "name = ..." or "# name = ..." line of "snmpfleet --echo-config" is a key;
# every other option in --help is command-line-only.
#
# shellcheck disable=SC2317  # the helpers run through check()
#
# Environment: SNMPFLEET (the built binary), top_srcdir (the source tree).

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
SNMPFLEET=${SNMPFLEET:-${top_builddir:-.}/snmpfleet}
man1=$top_srcdir/man/snmpfleet.1
man5=$top_srcdir/man/snmpfleet.conf.5
sample=$top_srcdir/conf/snmpfleet.conf

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

# finish: print the plan and the results; exit 1 if any failed (so that
# a run by hand, not only the TAP driver, tells).
finish() {
	local i nfail=0
	echo "1..${#results[@]}"
	for i in "${!results[@]}"; do
		echo "${results[$i]/ok - /ok $((i + 1)) - }"
		case ${results[$i]} in "not ok"*) nfail=$((nfail + 1)) ;; esac
	done
	[ "$nfail" -eq 0 ] || exit 1
	exit 0
}

not() {
	! "$@"
}

in_list() {
	local want=$1 x
	shift
	for x in "$@"; do
		[ "$x" = "$want" ] && return 0
	done
	return 1
}

is_option() {
	in_list "$1" "${names[@]}"
}

is_key() {
	in_list "$1" "${keys[@]}"
}

is_cli_only() {
	is_option "$1" && ! is_key "$1"
}

# man5_lists_key NAME: snmpfleet.conf.5 has ".It Ic NAME".
man5_lists_key() {
	plain "$man5" | grep -qE -- "^\.It Ic $1( |\$)"
}

# sample_lists_key NAME: conf/snmpfleet.conf has "NAME =" or "# NAME =".
sample_lists_key() {
	grep -qE -- "^(# ?)?$1 =" "$sample"
}

# echo_reads_back: --echo-config's output, read back with --config, echoes
# the same (so it is a valid config file naming only real keys).
echo_reads_back() {
	local f again
	f=$(mktemp "${TMPDIR:-/tmp}/docs-agree.XXXXXX") || return 1
	printf '%s\n' "$echo_out" >"$f"
	again=$("$SNMPFLEET" --config "$f" --echo-config 2>&1)
	rm -f "$f"
	[ "$again" = "$echo_out" ]
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
	tr -s ' \t' '\n' <<<"$1" |
	    sed -E 's/^["'\''(]+//; s/["'\''),.;:]+$//' | grep -qxF -- "$2"
}

help=$("$SNMPFLEET" --help 2>/dev/null)
rc=$?
mapfile -t names < <(printf '%s\n' "$help" |
    grep -oE -- '--[a-z][a-z0-9-]*' | sed 's/^--//' | sort -u)

echo_out=$("$SNMPFLEET" --echo-config 2>/dev/null)
echo_rc=$?
mapfile -t keys < <(printf '%s\n' "$echo_out" |
    sed -nE 's/^(# )?([a-z][a-z0-9-]*) = .*/\2/p' | sort -u)

check "snmpfleet --help exits 0" [ "$rc" -eq 0 ]
check "snmpfleet --help names options" [ "${#names[@]}" -gt 0 ]
check "snmpfleet --echo-config exits 0" [ "$echo_rc" -eq 0 ]
check "snmpfleet --echo-config names keys" [ "${#keys[@]}" -gt 0 ]
if [ "${#names[@]}" -eq 0 ] || [ "${#keys[@]}" -eq 0 ]; then
	finish
fi
check "snmpfleet --echo-config output reads back as a config file" \
    echo_reads_back
for k in "${keys[@]}"; do
	check "config key $k (from --echo-config) is an option in --help" \
	    is_option "$k"
done

for name in "${names[@]}"; do
	# What --help says: "  -c, --community STRING   help text [default]".
	line=$(printf '%s\n' "$help" | grep -E -- "(^|[ ,])--$name( |$)" | head -n 1)
	short='' arg='' def=''
	if [[ $line =~ ^\ *-([[:alnum:]]),\ --$name( |$) ]]; then
		short=${BASH_REMATCH[1]}
	fi
	rest=${line#*--"$name"}
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
		check "snmpfleet.1 says --$name is command line only" \
		    grep -qi 'command line only' \
		    <<<"$(item_block "$man1" "$it_re")"
		check "snmpfleet.conf.5 does not list command-line-only $name" \
		    not man5_lists_key "$name"
		check "conf/snmpfleet.conf does not list command-line-only $name" \
		    not sample_lists_key "$name"
		continue
	fi

	# snmpfleet.conf.5: ".It Ic community Ar STRING"
	key_re="^\\.It Ic $name( |\$)"
	check "snmpfleet.conf.5 documents key $name" man5_lists_key "$name"
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
