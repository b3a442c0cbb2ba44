#!/usr/bin/env bash
# Runs bash, zsh and fish on the completion scripts a tool generates and checks what each
# shell offers for given command lines.
#   scripts/test-completions.sh BINARY NAME 'LINE|WORD WORD...' ...
# For each case the three shells complete LINE (the cursor at its end; a trailing space
# completes a new word): every WORD must be offered, and a WORD written !WORD must not be. Exit 1 on a missing word, 2 if a
# shell is not installed (CI installs zsh and fish; `apt install zsh fish` elsewhere).
set -euo pipefail
bin=$1 name=$2
shift 2
for sh in bash zsh fish; do
  command -v "$sh" >/dev/null || { echo "test-completions: $sh is not installed (apt install zsh fish)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" completions bash >"$work/$name.bash"
"$bin" completions zsh >"$work/_$name"
"$bin" completions fish >"$work/$name.fish"
fn=_${name//-/__}

bash_offers() {
  bash --norc --noprofile -c '
    source "$1"
    read -r -a words <<<"$2"
    [[ "$2" == *" " ]] && words+=("")
    COMP_WORDS=("${words[@]}"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE=$2; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
    prev=""; [ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}
    "$3" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "$prev"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$work/$name.bash" "$1" "$fn"
}

# zsh completes only in an interactive line editor: a pseudo-terminal (zpty) types LINE and a
# TAB; a compadd wrapper appends every offered word to a file, which is polled until all the
# wanted words are there (or 30 s pass, for a slow machine).
zsh_offers() {
  local out=$work/zsh.out want=$2
  : >"$out"
  zsh -f -c '
    zmodload zsh/zpty
    zpty z zsh -f -i
    zpty -w z "PROMPT=\">\"; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D"
    zpty -w z "compadd () { local -a __h; builtin compadd -O __h \"\$@\"; print -rl -- \$__h >> $3; builtin compadd \"\$@\" }"
    zpty -w z "bindkey \"^I\" complete-word"
    zpty -w -n z "$2"$'"'"'\t'"'"'
    sleep 30
    zpty -d z' _ "$work" "$1" "$out" >/dev/null 2>&1 &
  local pid=$! i w all
  for ((i = 0; i < 300; i++)); do
    all=1
    for w in $want; do
      case $w in '!'*) continue ;; esac
      grep -qxF -- "$w" "$out" || { all=0; break; }
    done
    [ "$all" = 1 ] && break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cat "$out"
}

fish_offers() {
  fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$work/$name.fish" "$1" | cut -f1
}

fail=0
for case in "$@"; do
  line=${case%%|*}
  want=${case#*|}
  missing=0
  for sh in bash zsh fish; do
    got=$("${sh}_offers" "$line" "$want" | sort -u)
    for w in $want; do
      case $w in
        '!'*)
          if grep -qxF -- "${w#!}" <<<"$got"; then
            echo "$sh: '$line' offers ${w#!}, which does not apply there" >&2
            missing=1
          fi
          ;;
        *)
          if ! grep -qxF -- "$w" <<<"$got"; then
            echo "$sh: '$line' does not offer $w (offers: $(tr '\n' ' ' <<<"$got" | cut -c1-300))" >&2
            missing=1
          fi
          ;;
      esac
    done
  done
  if [ "$missing" = 0 ]; then
    echo "ok: '$line' offers $want in bash, zsh and fish"
  else
    fail=1
  fi
done
exit $fail
