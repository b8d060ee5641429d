# SPDX-License-Identifier: GPL-2.0-or-later
# bash completion for vmctl(1).
#
# Nothing here lists vmctl's commands or options: they come from the
# vmctl being completed ("vmctl --help", "vmctl COMMAND --help", read once
# per shell and kept), so a new command or option completes without
# touching this file. VM names come from "vmctl list --all --json", PCI
# addresses from "gpu list", "iommu list" or "gpu status" (--json), asked
# each time with the -c, --host-root and --state-dir already on the line,
# and given up after $VMCTL_COMPLETION_TIMEOUT seconds (default 2) so a
# libvirt that does not answer never hangs the shell.

declare -gA _vmctl_help_cache

# the global options that choose the host, the connection or the state
# directory, and so what the lookups below must ask
_vmctl_host_option() {
    case $1 in
        -c | --connect | --host-root | --state-dir) return 0 ;;
    esac
    return 1
}

# runs the vmctl being completed with the line's host options; stdout only
_vmctl_run() {
    local -a limit=()
    if command -v timeout >/dev/null 2>&1; then
        limit=(timeout "${VMCTL_COMPLETION_TIMEOUT:-2}")
    fi
    "${limit[@]}" "$_vmctl_bin" "${_vmctl_hosts[@]}" "$@" 2>/dev/null </dev/null
}

# "vmctl [COMMAND] --help", once per binary and command. Only a call in
# the completing shell itself fills the cache (not one inside $(...) or
# <(...)): _vmctl warms it with "_vmctl_help ... >/dev/null" first.
_vmctl_help() {
    local key="$_vmctl_bin|$*"
    if [[ -z ${_vmctl_help_cache[$key]+set} ]]; then
        _vmctl_help_cache[$key]=$("$_vmctl_bin" "$@" --help 2>/dev/null </dev/null)
    fi
    printf '%s\n' "${_vmctl_help_cache[$key]}"
}

# the command table of "vmctl --help": one line per command, its words and
# synopsis ("gpu check ADDR")
_vmctl_command_lines() {
    _vmctl_help | sed -n '/^Commands:/,/^$/{/^  /{s/^  //;s/  .*//;p}}'
}

# "--option HINT" for each option "vmctl COMMAND --help" prints (HINT
# empty for a flag), "-x" lines for short forms
_vmctl_options() {
    # only the option blocks ("Global options ...:", "Application Options:"),
    # not examples that happen to start a line with an option
    _vmctl_help "$@" | sed -n -E '/^[A-Za-z].*[Oo]ptions.*:$/,/^$/{
        s/^ +(-[a-zA-Z]), --([a-z][a-z0-9-]*)(=([^ ]+))?.*/\1 \4\n--\2 \4/p
        s/^ +--([a-z][a-z0-9-]*)(=([^ ]+))?.*/--\1 \3/p
    }'
}

# the value hint of an option of the command ("ADDR", "efi|efi-secure|bios"),
# empty for a flag; status 1 when there is no such option
_vmctl_option_hint() {
    local option=$1 name hint
    shift
    while read -r name hint; do
        if [[ $name == "$option" ]]; then
            printf '%s\n' "$hint"
            return 0
        fi
    done < <(_vmctl_options "$@")
    return 1
}

_vmctl_vm_names() {
    _vmctl_run list --all --json | sed -n 's/^ *"name" : "\([^"]*\)".*/\1/p'
}

# addresses from SOURCE: "gpu list", "iommu list" or "gpu status"
_vmctl_addresses() {
    # shellcheck disable=SC2086 # the source is two words
    _vmctl_run $1 --json | sed -n 's/^ *"address" : "\([^"]*\)".*/\1/p'
}

# the profiles "vmctl create --help" describes in its Profiles block
_vmctl_profiles() {
    _vmctl_help create | sed -n '/^Profiles/,/^$/{s/^  \([a-z][a-z0-9_.+-]*\)  .*/\1/p}'
}

# "files" or "dirs" when the value of an option with hint HINT is a path
_vmctl_path_kind() {
    case $1 in
        *ADDR*) ;;
        DIR) echo dirs ;;
        *PATH* | *ISO* | *FILE* | *OUT*) echo files ;;
    esac
}

# candidates for the value of OPTION with hint HINT, besides paths
_vmctl_values() {
    local option=$1 hint=$2 alternative
    case $option in
        --profile) _vmctl_profiles; return ;;
        --vm) _vmctl_vm_names; return ;;
        --hostdev) _vmctl_addresses "iommu list"; return ;;
        --connect | -c) printf '%s\n' qemu:///system qemu:///session; return ;;
    esac
    [[ $hint == *ADDR* ]] && { _vmctl_addresses "gpu list"; return; }
    # "default|bridge=BR|none": the literal alternatives, "bridge=" to go on
    local IFS='|'
    for alternative in $hint; do
        alternative=${alternative%%\[*}
        if [[ $alternative =~ ^[a-z][a-z0-9-]*$ ]]; then
            printf '%s\n' "$alternative"
        elif [[ $alternative =~ ^([a-z][a-z0-9-]*=) ]]; then
            printf '%s\n' "${BASH_REMATCH[1]}"
        fi
    done
}

# candidates for the positional argument of COMMAND with synopsis SYNOPSIS
_vmctl_arguments() {
    local command=$1 synopsis=$2 given=$3
    case $synopsis in
        *NAME...*) ;;
        *NAME* | *ADDR*) ((given == 0)) || return ;;
        *) return ;;
    esac
    case $command in
        create) return ;;  # a new name
        "gpu reattach") _vmctl_addresses "gpu status" ;;
        gpu\ *) _vmctl_addresses "gpu list" ;;
        *) [[ $synopsis == *NAME* ]] && _vmctl_vm_names ;;
    esac
}

_vmctl() {
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words
    read -ra words <<<"$line"
    [[ $line =~ [[:space:]]$ || ${#words[@]} -eq 0 ]] && words+=("")
    local cur=${words[${#words[@]} - 1]}
    local _vmctl_bin=${words[0]:-vmctl} path_kind="" path_prefix=""
    local -a _vmctl_hosts=() command_words=() command_argv=() arguments=() candidates=()
    [[ $_vmctl_bin == */* ]] || _vmctl_bin=$(command -v "$_vmctl_bin") || return 0
    COMPREPLY=()

    _vmctl_help >/dev/null
    # the command table: each command's words (its leading lower-case
    # words) and the synopsis after them
    local -a table_commands=() table_synopses=() parts
    local table_line part table_command
    while IFS= read -r table_line; do
        read -ra parts <<<"$table_line"
        table_command=""
        for part in "${parts[@]}"; do
            [[ $part =~ ^[a-z][a-z-]*$ ]] || break
            table_command+="${table_command:+ }$part"
        done
        table_commands+=("$table_command")
        table_synopses+=("${table_line#"$table_command"}")
    done < <(_vmctl_command_lines)

    # what precedes the word being completed: the host options, the command
    # words, how many arguments were given, and an option waiting for its value
    local i j word command="" synopsis="" pending=""
    for ((i = 1; i < ${#words[@]} - 1; i++)); do
        word=${words[i]}
        if [[ -n $pending ]]; then
            _vmctl_host_option "$pending" && _vmctl_hosts+=("$pending" "$word")
            pending=""
        elif [[ $word == --*=* ]]; then
            _vmctl_host_option "${word%%=*}" && _vmctl_hosts+=("$word")
        elif [[ $word == -* ]]; then
            # an option that takes a value takes the next word
            [[ -n $(_vmctl_option_hint "$word" "${command_argv[@]}") ]] && pending=$word
        elif [[ -z $command ]]; then
            command_words+=("$word")
            for ((j = 0; j < ${#table_commands[@]}; j++)); do
                if [[ ${table_commands[j]} == "${command_words[*]}" ]]; then
                    command=${table_commands[j]}
                    synopsis=${table_synopses[j]}
                    read -ra command_argv <<<"$command"
                    _vmctl_help "${command_argv[@]}" >/dev/null
                fi
            done
        else
            arguments+=("$word")
        fi
    done

    local hint value
    [[ $pending == --profile || $cur == --profile=* ]] && _vmctl_help create >/dev/null
    if [[ -n $pending ]]; then
        hint=$(_vmctl_option_hint "$pending" "${command_argv[@]}")
        path_kind=$(_vmctl_path_kind "$hint")
        mapfile -t candidates < <(_vmctl_values "$pending" "$hint")
    elif [[ $cur == --*=* ]]; then
        local option=${cur%%=*}
        hint=$(_vmctl_option_hint "$option" "${command_argv[@]}")
        path_kind=$(_vmctl_path_kind "$hint")
        path_prefix=$option=
        while IFS= read -r value; do
            candidates+=("$option=$value")
        done < <(_vmctl_values "$option" "$hint")
    elif [[ $cur == -* ]]; then
        mapfile -t candidates < <(_vmctl_options "${command_argv[@]}" | cut -d ' ' -f 1)
    elif [[ -z $command ]]; then
        # the next word of every command that starts with the words so far
        local -a next
        for table_command in "${table_commands[@]}"; do
            read -ra next <<<"$table_command"
            if [[ "${next[*]:0:${#command_words[@]}}" == "${command_words[*]}" ]]; then
                candidates+=("${next[${#command_words[@]}]}")
            fi
        done
    else
        # NAME...: each VM once
        local candidate
        while IFS= read -r candidate; do
            [[ " ${arguments[*]} " == *" $candidate "* ]] || candidates+=("$candidate")
        done < <(_vmctl_arguments "$command" "$synopsis" "${#arguments[@]}")
    fi

    mapfile -t COMPREPLY < <(compgen -W "${candidates[*]}" -- "$cur" | awk '!seen[$0]++')
    if [[ -n $path_kind ]]; then
        # "--cdrom=PATH" completes the part after "="
        local flag=-f file
        [[ $path_kind == dirs ]] && flag=-d
        while IFS= read -r file; do
            COMPREPLY+=("$path_prefix$file")
        done < <(compgen "$flag" -- "${cur#"$path_prefix"}")
        compopt -o filenames 2>/dev/null
    fi
    # values that end in "=" (bridge=, --gpu=) go on without a space
    if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]]; then
        compopt -o nospace 2>/dev/null
    fi
    # bash replaces only what follows the last ':' or '=' of the word
    # (COMP_WORDBREAKS): "0000:01" completes as "01:00.0"
    local breaks=${COMP_WORDBREAKS-:=} trim=""
    for ((i = ${#cur} - 1; i >= 0; i--)); do
        if [[ ${cur:i:1} == [:=] && $breaks == *"${cur:i:1}"* ]]; then
            trim=${cur:0:i+1}
            break
        fi
    done
    if [[ -n $trim ]]; then
        COMPREPLY=("${COMPREPLY[@]#"$trim"}")
    fi
    return 0
}

complete -F _vmctl vmctl
