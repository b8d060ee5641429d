#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check-public-api.py {symbols|docs} MAP HEADER... [SOURCE.c...]: the installed API's
two promises, checked so that they cannot drift.

symbols: every function an installed header declares is in the hand-kept
  version script MAP (src/libvmctl.map), and every name in MAP is declared
  in an installed header. Exports the headers do not declare are ABI by
  accident (the library shares helpers across files); a declared function
  the map leaves out links in the build tree (the CLI and tests use the
  static library) and fails only for consumers.
docs: every declared function has a gtk-doc comment (`/**` then
  ` * name:`), in the header or in the library source that defines it
  (where gtk-doc and gi-docgen look), with a `Returns:` line unless it
  returns void, and no @parameter it does not take.

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
            word = re.findall(r'[A-Za-z_][A-Za-z0-9_]*', re.sub(r'\[.*?\]', '', parameter))
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


def check_docs(headers, sources):
    """each function the headers declare is documented in a header or in
    the library source that defines it, as gtk-doc and gi-docgen read them"""
    problems = []
    docs = {}
    for path in headers + sources:
        with open(path, encoding='utf-8') as stream:
            for match in DOC.finditer(stream.read()):
                docs.setdefault(match.group(1), (path, match.group(2)))
    for header in headers:
        for name, (returns, parameters) in declarations(header).items():
            if name not in docs:
                problems.append(f'{header}: {name} has no doc comment (/**\\n * {name}:)')
                continue
            path, doc = docs[name]
            has_returns = re.search(r'^\s*\*\s*Returns:', doc, re.M) is not None
            if returns != 'void' and not has_returns:
                problems.append(f'{path}: {name} returns {returns}; its doc has no "Returns:"')
            if returns == 'void' and has_returns:
                problems.append(f'{path}: {name} returns nothing; its doc has "Returns:"')
            for documented in re.findall(r'^\s*\*\s*@([A-Za-z_][A-Za-z0-9_]*):', doc, re.M):
                if documented not in parameters:
                    problems.append(f'{path}: {name} documents @{documented}, which it does not take')
    return problems


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('symbols', 'docs'):
        sys.exit(__doc__)
    mode, map_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    headers = [path for path in files if path.endswith('.h')]
    sources = [path for path in files if path.endswith('.c')]
    if mode == 'symbols':
        problems = check_symbols(map_path, headers)
    else:
        problems = check_docs(headers, sources)
    for problem in problems:
        print(problem)
    if not problems:
        print(f'{mode}: {len(headers)} headers agree')
    sys.exit(1 if problems else 0)


if __name__ == '__main__':
    main()
