#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-public-api.py {symbols|docs} MAP HEADER...: the installed API's
two promises, checked so that they cannot drift.

symbols: every function an installed header declares is in the hand-kept
  version script MAP (src/libvmctl.map), and every name in MAP is declared
  in an installed header. Exports the headers do not declare are ABI by
  accident (the library shares helpers across files); a declared function
  the map leaves out links in the build tree (the CLI and tests use the
  static library) and fails only for consumers.
docs: every declared function has a gtk-doc comment (`/**` then
  ` * name:`) naming each parameter (` * @param:`) and, unless it returns
  void, a `Returns:` line.

Prints one line per problem and exits 1 if there is any."""
import re
import sys

COMMENT = re.compile(r'/\*.*?\*/', re.S)
DOC = re.compile(r'/\*\*\s*\n\s*\*\s*([A-Za-z_][A-Za-z0-9_]*):(.*?)\*/', re.S)
# one statement: return type, vmctl_name (parameters), attributes
DECLARATION = re.compile(r'^\s*([A-Za-z_][\w\s\*]*?)\b(vmctl_[a-z0-9_]+)\s*\((.*?)\)'
                         r'(?:\s*G_[A-Z_]+(?:\s*\([^()]*\))?)*\s*$', re.S)


def declarations(path):
    """name -> (return type, [parameter names]) for the functions @path declares"""
    with open(path, encoding='utf-8') as stream:
        text = COMMENT.sub(' ', stream.read())
    # macros (G_DEFINE_AUTOPTR_CLEANUP_FUNC...) and preprocessor lines
    text = re.sub(r'^\s*#.*?(?<!\\)$', '', text, flags=re.M | re.S)
    text = re.sub(r'^\s*G_[A-Z_]+\s*\([^;]*?\)\s*$', ';', text, flags=re.M)
    text = re.sub(r'\bG_(BEGIN|END)_DECLS\b', ';', text)
    found = {}
    for statement in re.split(r'[;{}]', text):
        match = DECLARATION.match(statement)
        if match is None:
            continue
        returns, name, parameters = match.group(1), match.group(2), match.group(3)
        if re.search(r'\b(typedef|static|return)\b', returns):
            continue
        names = []
        for parameter in parameters.split(','):
            parameter = parameter.strip()
            if parameter in ('void', ''):
                continue
            if parameter == '...':
                names.append('...')
                continue
            word = re.findall(r'[A-Za-z_][A-Za-z0-9_]*', parameter)
            names.append(word[-1])
        found[name] = (' '.join(returns.split()), names)
    return found


def map_symbols(path):
    with open(path, encoding='utf-8') as stream:
        text = COMMENT.sub(' ', stream.read())
    global_part = re.search(r'global:(.*?)local:', text, re.S)
    if global_part is None:
        sys.exit(f'{path}: no global: ... local: section')
    return set(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)\s*;', global_part.group(1)))


def check_symbols(map_path, headers):
    problems = []
    declared = {}
    for header in headers:
        for name in declarations(header):
            declared[name] = header
    exported = map_symbols(map_path)
    for name in sorted(set(declared) - exported):
        problems.append(f'{declared[name]}: {name} is declared but not in {map_path}')
    for name in sorted(exported - set(declared)):
        problems.append(f'{map_path}: {name} is exported but no installed header declares it')
    return problems


def check_docs(headers):
    problems = []
    for header in headers:
        with open(header, encoding='utf-8') as stream:
            docs = {m.group(1): m.group(2) for m in DOC.finditer(stream.read())}
        for name, (returns, parameters) in declarations(header).items():
            doc = docs.get(name)
            if doc is None:
                problems.append(f'{header}: {name} has no doc comment (/**\\n * {name}:)')
                continue
            for parameter in parameters:
                if not re.search(r'^\s*\*\s*@' + re.escape(parameter) + r':', doc, re.M):
                    problems.append(f'{header}: {name}: @{parameter} is not documented')
            has_returns = re.search(r'^\s*\*\s*Returns:', doc, re.M) is not None
            if returns != 'void' and not has_returns:
                problems.append(f'{header}: {name} returns {returns}; no "Returns:"')
            if returns == 'void' and has_returns:
                problems.append(f'{header}: {name} returns nothing but documents "Returns:"')
    return problems


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('symbols', 'docs'):
        sys.exit(__doc__)
    mode, map_path, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    if mode == 'symbols':
        problems = check_symbols(map_path, headers)
    else:
        problems = check_docs(headers)
    for problem in problems:
        print(problem)
    if not problems:
        print(f'{mode}: {len(headers)} headers agree')
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
