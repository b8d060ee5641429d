#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""test-man-page.py VMCTL MAN_SOURCE SOURCE_ROOT: vmctl(1) and vmctl's own
--help must not drift apart. Every command "vmctl --help" lists has a
"## vmctl COMMAND" section in the man page, whose option entries are
exactly the options "vmctl COMMAND --help" prints (short letters included);
the global options, the exit codes and every environment variable the
sources read are documented. TAP output."""
import os
import re
import subprocess
import sys

OPTION_LINE = re.compile(r'^\s+(?:-([a-zA-Z]), )?--([a-z][a-z0-9-]*)')
MAN_ENTRY = re.compile(r'^\*(?:-([a-zA-Z])\*, \*)?--([a-z][a-z0-9-]*)\*')
COMMAND_WORD = re.compile(r'^[a-z][a-z-]*$')
ENV_READ = re.compile(r'(?:getenv|getenv_nonempty|timeout_from_env)\s*\(\s*"([A-Z][A-Z0-9_]*)"')

results = []


def check(description, ok, diagnostics=()):
    results.append((ok, description, list(diagnostics)))


def run_help(vmctl, words):
    # the tests' environment points nowhere; --help needs no host anyway
    done = subprocess.run([vmctl, *words, '--help'], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"vmctl {' '.join(words)} --help: exit {done.returncode}: "
                           f"{done.stderr.strip()}")
    return done.stdout


def help_sections(text):
    """{heading: [lines]} for the "Heading:" blocks of --help output."""
    sections = {}
    current = None
    for line in text.splitlines():
        if line and not line.startswith(' ') and line.rstrip().endswith(':'):
            current = line.rstrip()[:-1]
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def options_in(lines, pattern=OPTION_LINE):
    """(short letter or None, long name) of each line that @pattern matches:
    --help's option lines, or with MAN_ENTRY the man page's entries."""
    return {(m.group(1), m.group(2)) for m in map(pattern.match, lines) if m}


def commands_in(usage):
    """The command names of "vmctl --help": the leading lower-case words of
    each line of its Commands block (the rest is synopsis and summary)."""
    commands = []
    for line in help_sections(usage).get('Commands', []):
        if not line.strip():
            break
        spelling = re.split(r'\s{2,}', line.strip())[0]
        words = []
        for word in spelling.split():
            if not COMMAND_WORD.match(word):
                break
            words.append(word)
        commands.append(' '.join(words))
    return commands


def man_sections(text):
    """{heading: [lines]} for "# " and "## " headings of the scdoc source."""
    sections = {}
    current = None
    for line in text.splitlines():
        match = re.match(r'^#{1,2} (.*)$', line)
        if match:
            current = match.group(1).strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return sections


def man_command(heading):
    words = heading.split()
    if not words or words[0] != 'vmctl':
        return None
    command = []
    for word in words[1:]:
        if not COMMAND_WORD.match(word):
            break
        command.append(word)
    return ' '.join(command)


def spell(options):
    return ', '.join(sorted((f'-{s}/' if s else '') + f'--{l}' for s, l in options)) or 'none'


def compare(description, helped, documented):
    missing = helped - documented
    extra = documented - helped
    diagnostics = []
    if missing:
        diagnostics.append(f'in --help, not in the man page: {spell(missing)}')
    if extra:
        diagnostics.append(f'in the man page, not in --help: {spell(extra)}')
    check(description, not missing and not extra, diagnostics)


def environment_read(source_root):
    names = set()
    for directory in ('src', 'passthrough'):
        for parent, _, files in os.walk(os.path.join(source_root, directory)):
            for name in files:
                if name.endswith('.c'):
                    with open(os.path.join(parent, name), encoding='utf-8') as source:
                        names.update(ENV_READ.findall(source.read()))
    return names


def main():
    vmctl, man_path, source_root = sys.argv[1:4]
    with open(man_path, encoding='utf-8') as man_file:
        man = man_sections(man_file.read())
    usage = run_help(vmctl, [])
    commands = commands_in(usage)
    check('vmctl --help lists commands', len(commands) > 0, [usage])

    by_command = {}
    for heading, lines in man.items():
        command = man_command(heading)
        if command is not None:
            by_command[command] = lines
    for command in commands:
        section = by_command.get(command)
        check(f'the man page has a section for "vmctl {command}"', section is not None,
              [f'add "## vmctl {command} ..." under COMMANDS in {man_path}'])
        if section is None:
            continue
        helped = options_in(help_sections(run_help(vmctl, command.split()))
                            .get('Application Options', []))
        compare(f'"vmctl {command}" options match the man page', helped,
                options_in(section, MAN_ENTRY))
    for command in sorted(set(by_command) - set(commands)):
        check(f'the man page\'s "vmctl {command}" is a command', False,
              ['vmctl --help does not list it: remove the section or the command is gone'])

    compare('global options match the man page',
            options_in(help_sections(usage).get('Global options (before or after the command)',
                                                [])),
            options_in(man.get('GLOBAL OPTIONS', []), MAN_ENTRY))

    exit_lines = help_sections(usage).get('Exit status', [])
    codes = {line.split()[0] for line in exit_lines if line.strip()}
    documented = {m.group(1) for line in man.get('EXIT STATUS', [])
                  for m in [re.match(r'^\*(\d+)\*$', line)] if m}
    check('every exit status is documented', codes and codes == documented,
          [f'--help: {sorted(codes)}, man page: {sorted(documented)}'])

    environment = '\n'.join(man.get('ENVIRONMENT', []))
    variables = environment_read(source_root)
    undocumented = sorted(v for v in variables if f'*{v}*' not in environment)
    check('every environment variable vmctl reads is documented',
          len(variables) > 0 and not undocumented,
          [f'not under ENVIRONMENT: {", ".join(undocumented)}'] if undocumented
          else ['no getenv() found in the sources'])

    for number, (ok, description, diagnostics) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {number} - {description}")
        if not ok:
            for line in diagnostics:
                for part in line.splitlines():
                    print(f'# {part}')
    print(f'1..{len(results)}')
    return 0 if all(ok for ok, _, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
