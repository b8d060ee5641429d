#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test-completion.sh SOURCE_ROOT VMCTL: the bash and zsh completion of
# contrib/completion/ against the real vmctl (commands and options from its
# --help, addresses from the demo host, VM names from a libvirt test-driver
# connection) and against a stand-in vmctl that hangs, counts its --help
# runs, or grows an option. TAP output.

# the helpers below are called through tap_check, which shellcheck cannot see
# shellcheck disable=SC2317
root=${1:?usage: test-completion.sh SOURCE_ROOT VMCTL}
vmctl=${2:?usage: test-completion.sh SOURCE_ROOT VMCTL}
. "$root/tests/tap.sh"
tap_dir=$(mktemp -d "${TMPDIR:-/tmp}/vmctl-completion-XXXXXX") || exit 1
trap 'rm -rf "$tap_dir"' EXIT
bash_completion=$root/contrib/completion/vmctl.bash
zsh_completion=$root/contrib/completion/_vmctl
demo=$root/data/demo-host
vms=test://$root/tests/data/libvirt/vms.xml

# "vmctl" on PATH is the vmctl under test, as for a user
mkdir "$tap_dir/bin" "$tap_dir/stub" "$tap_dir/files"
ln -s "$vmctl" "$tap_dir/bin/vmctl"
PATH=$tap_dir/bin:$PATH
export PATH

# the stand-in: "list" hangs (a libvirt that never answers), every run is
# logged, and "create --help" grows an option vmctl does not have yet
cat > "$tap_dir/stub/vmctl" <<EOF
#!/bin/sh
echo "\$*" >> "$tap_dir/stub.log"
case " \$* " in
  *" list "*) exec sleep 30 ;;
  " create --help ") "$vmctl" create --help | sed 's/^Application Options:\$/&\n  --frobnicate=auto|off      A future option/' ; exit ;;
esac
exec "$vmctl" "\$@"
EOF
chmod +x "$tap_dir/stub/vmctl"

# what bash offers for the line (the cursor at its end), sorted, one line
complete_bash() {
  bash -c '. "$1"; COMP_LINE=$2; COMP_POINT=${#2}; _vmctl; printf "%s\n" "${COMPREPLY[@]}"' \
    bash "$bash_completion" "$1" | sort | tr '\n' ' ' | sed 's/ $//'
}

# zsh: the completion system replaced by stand-ins that print what would
# be offered; _arguments offers option names, or runs the action of the
# option before the cursor or of the first positional argument
cat > "$tap_dir/zsh-stubs" <<'EOF'
compadd() {
  local -a offered
  local arrays=0
  while (( $# )); do
    case $1 in
      -a) arrays=1 ;;
      -S|-J|-X|-V) shift ;;
      --) shift; offered+=("$@"); break ;;
      -*) ;;
      *) if (( arrays )); then offered+=("${(@P)1}"); else offered+=$1; fi ;;
    esac
    shift
  done
  print -rl -- $offered
}
_wanted() { shift 3; "$@" }
_describe() { print -rl -- ${${(@P)${@[-1]}}%%:*} }
_files() { print -r -- "(files)" }
_message() { print -r -- "(message)" }
# an action "{code}" is run as written, a bare command with options first
# (-J group), as the real _arguments does
run_action() {
  if [[ $1 == \{*\} ]]; then
    eval ${${1#\{}%\}}
  else
    eval ${1%% *} -J -default- ${1#* }
  fi
}
_arguments() {
  local -a specs=("${@[3,-1]}")
  local current=${words[CURRENT]} previous=${words[CURRENT-1]} spec name
  for spec in $specs; do
    spec=${spec#\(*\)}
    spec=${spec#\*}
    name=${spec%%[\[=:]*}
    if [[ $current == -* ]]; then
      [[ $name == ${current}* ]] && print -r -- $name
    elif [[ $name == $previous && $spec == *\]:* ]]; then
      run_action ${spec#*\]:*:}
      return
    fi
  done
  [[ $current == -* ]] && return
  for spec in $specs; do
    if [[ $spec == (1|\*):* ]]; then
      run_action ${spec#*:*:}
      return
    fi
  done
}
complete_line() {
  words=(${(s: :)1})
  [[ $1 == *' ' ]] && words+=('')
  CURRENT=$#words
  _vmctl
}
EOF
complete_zsh() {
  zsh -f -c '. "$1"; . "$2"; complete_line "$3"' zsh "$tap_dir/zsh-stubs" "$zsh_completion" "$1" \
    | sort | tr '\n' ' ' | sed 's/ $//'
}

profiles=$(for file in "$root"/data/profiles/*.conf; do basename "$file" .conf; done \
  | sort | tr '\n' ' ' | sed 's/ $//')

tap_expect "bash: first words of every command, once" "$(complete_bash 'vmctl ')" \
  "autostart create destroy gpu host info input iommu list start stop undefine usb xml"
tap_expect "bash: 'gpu ' offers the gpu subcommands" "$(complete_bash 'vmctl gpu ')" \
  "check detach list reattach recover rom status"
tap_expect "bash: 'create NAME --pro' completes the option" "$(complete_bash 'vmctl create x --pro')" \
  "--profile"
tap_expect "bash: --profile offers the installed profiles" "$(complete_bash 'vmctl create x --profile ')" \
  "$profiles"
tap_expect "bash: --profile=w, after the '=' word break" "$(complete_bash 'vmctl create x --profile=w')" \
  "workstation"
tap_expect "bash: --firmware offers its choices" "$(complete_bash 'vmctl create x --firmware ')" \
  "bios efi efi-secure"
tap_expect "bash: --network= offers choices and bridge=" "$(complete_bash 'vmctl create x --network=')" \
  "bridge= default none"
tap_expect "bash: gpu check offers the host root's GPUs" \
  "$(complete_bash "vmctl --host-root $demo gpu check ")" "0000:00:02.0 0000:01:00.0"
tap_expect "bash: an address completes after its last ':'" \
  "$(complete_bash "vmctl --host-root=$demo gpu check 0000:01")" "01:00.0"
tap_expect "bash: --gpu= offers the GPUs" "$(complete_bash "vmctl --host-root $demo create x --gpu=")" \
  "0000:00:02.0 0000:01:00.0"
count_hostdevs() {
  [ "$(complete_bash "vmctl --host-root $demo create x --hostdev " | wc -w)" \
    -eq "$("$vmctl" --host-root "$demo" iommu list --json | grep -c '"address"')" ]
}
tap_check "bash: --hostdev offers every PCI function" count_hostdevs
tap_expect "bash: start offers the connection's VMs" "$(complete_bash "vmctl -c $vms start ")" \
  "backup db gamer web"
tap_expect "bash: start offers each VM once" "$(complete_bash "vmctl -c $vms start gamer ")" \
  "backup db web"
tap_expect "bash: info takes one VM" "$(complete_bash "vmctl --connect=$vms info gamer ")" ""
tap_expect "bash: create NAME is a new name" "$(complete_bash "vmctl -c $vms create ")" ""
touch "$tap_dir/files/win11.iso" "$tap_dir/files/other.img"
tap_expect "bash: --cdrom completes files" \
  "$(complete_bash "vmctl create x --cdrom $tap_dir/files/w")" "$tap_dir/files/win11.iso"
tap_expect "bash: --disk= completes files and size=" \
  "$(complete_bash "vmctl create x --disk=$tap_dir/files/o")" "$tap_dir/files/other.img"

# the stand-in first on PATH
PATH=$tap_dir/stub:$PATH
hangs_briefly() {
  start=$(date +%s)
  got=$(VMCTL_COMPLETION_TIMEOUT=1 complete_bash "vmctl -c $vms start ")
  elapsed=$(($(date +%s) - start))
  echo "offered '$got' after ${elapsed}s"
  [ -z "$got" ] && [ "$elapsed" -le 5 ]
}
tap_check "bash: a vmctl list that hangs is given up after the timeout" hangs_briefly
help_once() {
  : > "$tap_dir/stub.log"
  bash -c '. "$1"; COMP_LINE="vmctl gpu "; COMP_POINT=10; _vmctl; _vmctl; _vmctl' \
    bash "$bash_completion"
  cat "$tap_dir/stub.log"
  [ "$(grep -c -- '--help' "$tap_dir/stub.log")" -eq 1 ]
}
tap_check "bash: vmctl --help runs once per shell" help_once
tap_expect "bash: an option vmctl grows completes without editing the script" \
  "$(complete_bash 'vmctl create x --frob')" "--frobnicate"
tap_expect "bash: ... and so do its values" "$(complete_bash 'vmctl create x --frobnicate ')" \
  "auto off"
PATH=$tap_dir/bin:${PATH#"$tap_dir/stub:"}

if ! command -v zsh >/dev/null 2>&1; then
  tap_skip "zsh completion" "zsh is not installed"
  tap_done
fi
tap_check "zsh: _vmctl parses" zsh -n "$zsh_completion"
tap_expect "zsh: first words of every command" "$(complete_zsh 'vmctl ')" \
  "autostart create destroy gpu host info input iommu list start stop undefine usb xml"
tap_expect "zsh: 'gpu ' offers the gpu subcommands" "$(complete_zsh 'vmctl gpu ')" \
  "check detach list reattach recover rom status"
tap_expect "zsh: 'create NAME --pro' completes the option" "$(complete_zsh 'vmctl create x --pro')" \
  "--profile"
tap_expect "zsh: --profile offers the installed profiles" "$(complete_zsh 'vmctl create x --profile ')" \
  "$profiles"
tap_expect "zsh: --network offers choices and bridge=" "$(complete_zsh 'vmctl create x --network ')" \
  "bridge= default none"
tap_expect "zsh: gpu check offers the host root's GPUs" \
  "$(complete_zsh "vmctl --host-root $demo gpu check ")" "0000:00:02.0 0000:01:00.0"
tap_expect "zsh: start offers the connection's VMs" "$(complete_zsh "vmctl -c $vms start ")" \
  "backup db gamer web"
tap_expect "zsh: --cdrom completes files" "$(complete_zsh 'vmctl create x --cdrom ')" "(files)"
PATH=$tap_dir/stub:$PATH
zsh_help_once() {
  : > "$tap_dir/stub.log"
  zsh -f -c '. "$1"; . "$2"; complete_line "vmctl gpu "; complete_line "vmctl gpu "' \
    zsh "$tap_dir/zsh-stubs" "$zsh_completion"
  cat "$tap_dir/stub.log"
  [ "$(grep -c -- '--help' "$tap_dir/stub.log")" -eq 1 ]
}
tap_check "zsh: vmctl --help runs once per shell" zsh_help_once
tap_expect "zsh: an option vmctl grows completes without editing the script" \
  "$(complete_zsh 'vmctl create x --frob')" "--frobnicate"
tap_expect "zsh: ... and so do its values" "$(complete_zsh 'vmctl create x --frobnicate ')" \
  "auto off"
tap_done
