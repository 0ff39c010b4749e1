#!/usr/bin/python3
"""gen-mib.py -- write src/mib-builtin.c, snmpfleet's built-in MIB objects.

Run with Debian's /usr/bin/python3 and the packages python3-pysnmp4 and
python3-pysnmp4-mibs (compiled IETF modules); net-snmp's own modules
(UCD-SNMP-MIB) are read as text from /usr/share/snmp/mibs, and LLDP-MIB,
which Debian does not package, from tools/mibs/LLDP-MIB.txt.

    /usr/bin/python3 tools/gen-mib.py > src/mib-builtin.c

The output depends only on those inputs: tests/integration/mib-generated.sh
regenerates it and compares byte for byte.
"""

import os
import re
import sys
import textwrap

from pysnmp.proto import rfc1902
from pysnmp.smi import builder

PYSNMP_MODULES = [
    'SNMPv2-MIB', 'IF-MIB', 'IANAifType-MIB', 'IP-MIB', 'IP-FORWARD-MIB',
    'HOST-RESOURCES-MIB', 'HOST-RESOURCES-TYPES', 'ENTITY-MIB',
    'ENTITY-SENSOR-MIB', 'BRIDGE-MIB', 'Q-BRIDGE-MIB', 'TCP-MIB', 'UDP-MIB',
    'INET-ADDRESS-MIB', 'SNMPv2-TC',
]
HERE = os.path.dirname(os.path.abspath(__file__))
TEXT_MODULES = [
    '/usr/share/snmp/mibs/UCD-SNMP-MIB.txt',
    os.path.join(HERE, 'mibs', 'LLDP-MIB.txt'),
    os.path.join(HERE, 'mibs', 'ENTITY-MIB-v4.txt'),
]

SYNTAX_NAMES = {
    'INTEGER': 'MIB_SYN_INTEGER', 'OCTETS': 'MIB_SYN_OCTETS',
    'OID': 'MIB_SYN_OID', 'IPADDR': 'MIB_SYN_IPADDR',
    'COUNTER32': 'MIB_SYN_COUNTER32', 'GAUGE32': 'MIB_SYN_GAUGE32',
    'TIMETICKS': 'MIB_SYN_TIMETICKS', 'OPAQUE': 'MIB_SYN_OPAQUE',
    'COUNTER64': 'MIB_SYN_COUNTER64', 'UNSIGNED32': 'MIB_SYN_UNSIGNED32',
    'BITS': 'MIB_SYN_BITS', None: 'MIB_SYN_NONE',
}
ACCESS = {
    'noaccess': 'MIB_ACC_NOACCESS', 'not-accessible': 'MIB_ACC_NOACCESS',
    'notifyonly': 'MIB_ACC_NOTIFY', 'accessiblefornotify': 'MIB_ACC_NOTIFY',
    'accessible-for-notify':
    'MIB_ACC_NOTIFY', 'readonly': 'MIB_ACC_READONLY',
    'read-only': 'MIB_ACC_READONLY', 'readwrite': 'MIB_ACC_READWRITE',
    'read-write': 'MIB_ACC_READWRITE', 'readcreate': 'MIB_ACC_READCREATE',
    'read-create': 'MIB_ACC_READCREATE', None: 'MIB_ACC_NONE',
}
# Base types of SMI by the name a module gives them (text modules).
SMI_BASE = {
    'Integer32': 'INTEGER', 'INTEGER': 'INTEGER', 'Counter32': 'COUNTER32',
    'Counter': 'COUNTER32', 'Gauge32': 'GAUGE32', 'Gauge': 'GAUGE32',
    'Unsigned32': 'UNSIGNED32', 'TimeTicks': 'TIMETICKS',
    'IpAddress': 'IPADDR', 'Opaque': 'OPAQUE', 'Counter64': 'COUNTER64',
    'OCTET': 'OCTETS', 'OBJECT': 'OID', 'BITS': 'BITS',
}


class Obj:
    """One object: what the C table holds for it."""
    def __init__(self, name, module, oid, kind):
        self.name, self.module, self.oid, self.kind = name, module, oid, kind
        self.syntax = None
        self.tc = self.hint = self.units = ''
        self.access = None
        self.enums = []
        self.index = []
        self.implied = False
        self.augments = ''
        self.fixed = 0


# --- compiled modules (pysnmp) ---------------------------------------

def patch_pysnmp():
    """P-BRIDGE-MIB (under Q-BRIDGE-MIB) gives Bits().subtype(namedValues=)
    which Debian's pyasn1 refuses; take the named values aside."""
    orig = rfc1902.Bits.subtype

    def subtype(self, *args, **kwargs):
        nv = kwargs.pop('namedValues', None)
        r = orig(self, *args, **kwargs)
        if nv is not None:
            r = r.clone(namedValues=nv) if hasattr(r, 'clone') else r
        return r
    rfc1902.Bits.subtype = subtype


def base_syntax(syn):
    for cls in type(syn).__mro__:
        n = cls.__name__
        if cls.__module__.endswith('rfc1902') or n in ('Bits',):
            return {
                'Integer32': 'INTEGER', 'Integer': 'INTEGER',
                'OctetString': 'OCTETS', 'ObjectIdentifier': 'OID',
                'IpAddress': 'IPADDR', 'Counter32': 'COUNTER32',
                'Gauge32': 'GAUGE32', 'Unsigned32': 'UNSIGNED32',
                'TimeTicks': 'TIMETICKS', 'Opaque': 'OPAQUE',
                'Counter64': 'COUNTER64', 'Bits': 'BITS',
            }.get(n)
    return None


def tc_of(syn):
    """The textual convention: the first class the MIB modules define
    (pysnmp-mibs does not always derive them from TextualConvention)."""
    for cls in type(syn).__mro__:
        if cls.__name__ == 'TextualConvention':
            return None
        if cls is not object and \
                not cls.__module__.startswith(('pysnmp', 'pyasn1')):
            return cls
    return None


def size_fixed(syn):
    fixed = getattr(syn, 'fixedLength', None)
    if fixed:
        return int(fixed)
    sizes = []

    def walk(c):
        vals = getattr(c, '_values', ())
        if type(c).__name__ == 'ValueSizeConstraint':
            sizes.append(tuple(vals) if len(vals) == 2 else None)
            return
        for x in vals:
            if type(x).__name__.endswith(('Constraint', 'Intersection',
                                          'Union')):
                walk(x)
    walk(getattr(syn, 'subtypeSpec', ()))
    sizes = [s for s in sizes if s]
    if not sizes or base_syntax(syn) != 'OCTETS':
        return 0
    lo, hi = sizes[-1]
    return int(lo) if lo == hi else 0


def syntax_facts(o, syn):
    o.syntax = base_syntax(syn)
    tc = tc_of(syn)
    if tc is not None:
        o.tc = tc.__name__
        o.hint = getattr(tc, 'displayHint', '') or ''
    nv = getattr(syn, 'namedValues', None)
    if nv is not None and o.syntax in ('INTEGER', 'BITS'):
        o.enums = sorted(((int(v), str(k)) for k, v in nv.items()),
                         key=lambda e: e[0])
    o.fixed = size_fixed(syn)


def load_pysnmp(objs, tcs):
    patch_pysnmp()
    b = builder.MibBuilder()
    b.loadTexts = True
    b.addMibSources(builder.DirMibSource(
        '/usr/lib/python3/dist-packages/pysnmp_mibs'))
    b.loadModules(*PYSNMP_MODULES, 'HCNUM-TC', 'SNMP-FRAMEWORK-MIB',
                  'RMON2-MIB')
    syms = b.mibSymbols
    for mod in PYSNMP_MODULES:
        for name, sym in sorted(syms[mod].items()):
            kind = {
                'MibScalar': 'SCALAR', 'MibTable': 'TABLE',
                'MibTableRow': 'ENTRY', 'MibTableColumn': 'COLUMN',
                'MibIdentifier': 'NODE', 'ObjectIdentity': 'NODE',
                'ModuleIdentity': 'NODE', 'NotificationType': 'NOTIFY',
            }.get(type(sym).__name__)
            if name == 'PYSNMP_MODULE_ID' or kind is None:
                continue
            o = Obj(name, mod, tuple(sym.name), kind)
            if kind in ('SCALAR', 'COLUMN'):
                syntax_facts(o, sym.getSyntax())
                o.access = sym.getMaxAccess()
                o.units = sym.getUnits() or ''
            elif kind in ('TABLE', 'ENTRY'):
                o.access = 'noaccess'
            if kind == 'ENTRY':
                o.index = [n for _, _, n in sym.getIndexNames()]
                o.implied = any(i for i, _, _ in sym.getIndexNames()[-1:])
            objs.append(o)
            if kind == 'ENTRY':
                for (amod, aname) in sorted(sym.augmentingRows):
                    tcs.setdefault('#aug', {})[aname] = name
    # TCs used by text modules (DisplayString, TruthValue, ...).
    for mod in list(PYSNMP_MODULES) + ['HCNUM-TC', 'SNMP-FRAMEWORK-MIB',
                                       'RMON2-MIB']:
        for name, sym in syms[mod].items():
            if isinstance(sym, type) and tc_of_cls(sym):
                try:
                    tcs[name] = sym()
                except Exception:
                    pass
    roots = {}
    for mod in syms:
        for name, sym in syms[mod].items():
            if hasattr(sym, 'name') and isinstance(
                    getattr(sym, 'name', None), tuple):
                roots.setdefault(name, tuple(sym.name))
    return roots


def tc_of_cls(cls):
    return not cls.__module__.startswith(('pysnmp', 'pyasn1')) and \
        any(b.__module__.startswith(('pysnmp', 'pyasn1'))
            for b in cls.__mro__[1:])


# --- text modules -------------------------------------------------------

TOKEN = re.compile(r'"[^"]*"|::=|\.\.|[A-Za-z][-A-Za-z0-9_]*|-?[0-9]+|'
                   r'[{}(),;|]')


def tokens(text):
    text = re.sub(r'--[^\n]*', '', re.sub(r'"[^"]*"',
                  lambda m: m.group(0).replace('--', '\x01'), text))
    return [t.replace('\x01', '--') for t in TOKEN.findall(text)]


def skip_braces(t, i):
    """t[i] is '{' or '(': the index past its match."""
    depth = 0
    while True:
        if t[i] in '{(':
            depth += 1
        elif t[i] in '})':
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def read_type(t, i):
    """A SYNTAX: (base or TC name, enums, fixed size, index past it)."""
    enums, fixed = [], 0
    if t[i] in ('OCTET', 'OBJECT'):
        name, i = t[i], i + 2
    elif t[i] == 'SEQUENCE':
        return ('SEQUENCE', [], 0, i + 3)
    else:
        name, i = t[i], i + 1
    if i < len(t) and t[i] == '{':
        j = skip_braces(t, i)
        body = t[i + 1:j - 1]
        for k in range(len(body) - 3):
            if body[k + 1] == '(' and body[k + 3] == ')':
                enums.append((int(body[k + 2]), body[k]))
        i = j
    if i < len(t) and t[i] == '(':
        j = skip_braces(t, i)
        body = t[i + 1:j - 1]
        if body[:2] == ['SIZE', '('] and len(body) == 4:
            fixed = int(body[2])
        i = j
    return (name, enums, fixed, i)


def oid_value(t, i, known):
    """{ parent n ... } at t[i]: (arcs, index past it)."""
    j = skip_braces(t, i)
    body = [x for x in t[i + 1:j - 1] if x not in '()']
    arcs = list(known[body[0]]) if body[0] in known else \
        [{'iso': 1}[body[0]]]
    for x in body[1:]:
        if re.match(r'-?[0-9]+$', x):
            arcs.append(int(x))
    return tuple(arcs), j


def load_text(path, objs, tcs, roots):
    with open(path, encoding='latin-1') as f:
        t = tokens(f.read())
    module = t[0]
    local_tcs = {}
    i = 0
    while i < len(t):
        if i + 2 < len(t) and t[i + 1] == '::=' and \
                t[i + 2] == 'TEXTUAL-CONVENTION':
            name, j, hint = t[i], i + 3, ''
            while t[j] != 'SYNTAX':
                if t[j] == 'DISPLAY-HINT':
                    hint = t[j + 1].strip('"')
                j += 1
            base, enums, fixed, j = read_type(t, j + 1)
            local_tcs[name] = (base, enums, fixed, hint)
            i = j
            continue
        if i + 1 < len(t) and t[i + 1] in ('OBJECT-TYPE', 'OBJECT',
                                           'MODULE-IDENTITY',
                                           'OBJECT-IDENTITY') and \
                re.match('[a-z]', t[i]) and t[i - 1] != 'SYNTAX':
            name, j = t[i], i + 1
            o = Obj(name, module, None, 'NODE')
            if t[j] == 'OBJECT-TYPE':
                syntax = None
                while t[j] != '::=':
                    if t[j] == 'SYNTAX':
                        syntax = read_type(t, j + 1)
                        j = syntax[3]
                        continue
                    if t[j] == 'UNITS':
                        o.units = t[j + 1].strip('"')
                    if t[j] in ('MAX-ACCESS', 'ACCESS'):
                        o.access = t[j + 1]
                    if t[j] == 'INDEX':
                        k = skip_braces(t, j + 1)
                        body = [x for x in t[j + 2:k - 1] if x != ',']
                        o.implied = 'IMPLIED' in body
                        o.index = [x for x in body if x != 'IMPLIED']
                        j = k
                        continue
                    if t[j] == 'AUGMENTS':
                        o.augments = t[j + 2]
                    if t[j] in ('DEFVAL',):
                        j = skip_braces(t, j + 1)
                        continue
                    j += 1
                text_syntax(o, syntax, local_tcs, tcs)
            else:
                while t[j] != '::=':
                    j += 1
            o.oid, j = oid_value(t, j + 1, roots)
            roots[name] = o.oid
            objs.append(o)
            i = j
            continue
        i += 1


def text_syntax(o, syntax, local_tcs, tcs):
    base, enums, fixed, _ = syntax
    if base == 'SEQUENCE':
        o.kind = 'TABLE'
        return
    if base in local_tcs:
        o.tc = base
        b2, e2, f2, o.hint = local_tcs[base]
        base, enums, fixed = b2, enums or e2, fixed or f2
    elif base in tcs:
        o.tc = base
        ref = Obj('', '', None, '')
        syntax_facts(ref, tcs[base])
        o.syntax, o.hint = ref.syntax, ref.hint
        o.enums = enums or ref.enums
        o.fixed = fixed or ref.fixed
        o.kind = 'LEAF'
        return
    if base not in SMI_BASE:
        o.kind = 'ENTRY'	# SYNTAX XEntry (a SEQUENCE type)
        return
    o.syntax, o.enums, o.fixed, o.kind = SMI_BASE[base], enums, fixed, 'LEAF'
    if o.syntax != 'OCTETS':
        o.fixed = 0


def settle_text_kinds(objs, known):
    """A leaf is a column when its parent is an entry, else a scalar."""
    by_oid = {o.oid: o for o in known + objs}
    for o in objs:
        if o.kind == 'LEAF':
            p = by_oid.get(o.oid[:-1])
            o.kind = 'COLUMN' if p is not None and p.kind == 'ENTRY' \
                else 'SCALAR'
        if o.kind == 'ENTRY' and not o.index and not o.augments:
            o.kind = 'NODE'


# --- output -------------------------------------------------------------

class Pool:
    def __init__(self):
        self.data, self.at = [''], {'': 0}
        self.size = 1

    def add(self, s):
        if s not in self.at:
            self.at[s] = self.size
            self.data.append(s)
            self.size += len(s.encode()) + 1
        return self.at[s]


def c_string(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '\\0"'


def emit(objs, out):
    # A node two modules both declare (hrStorageTypes) is kept once,
    # from the first module that declares it (PYSNMP_MODULES order).
    seen, kept = {}, []
    for o in objs:
        if o.oid in seen:
            if seen[o.oid] != o.name:
                raise SystemExit('OID %s is both %s and %s' %
                                 (o.oid, seen[o.oid], o.name))
            continue
        seen[o.oid] = o.name
        kept.append(o)
    objs[:] = sorted(kept, key=lambda o: o.oid)
    row_of = {(o.module, o.name): n for n, o in enumerate(objs)}
    strings, arcs, enums, index = Pool(), [], [], []
    rows = []
    for o in objs:
        r = [strings.add(o.name), strings.add(o.module), 0,
             strings.add(o.tc), strings.add(o.hint), strings.add(o.units),
             len(arcs), len(enums), len(index), strings.add(o.augments)]
        arcs.extend(o.oid)
        for v, label in o.enums:
            enums.append((v, strings.add(label)))
        for n in o.index:
            index.append(strings.add(n))
        rows.append(r + [len(o.enums), o.fixed, len(o.oid),
                         'MIB_K_' + o.kind, SYNTAX_NAMES[o.syntax],
                         ACCESS[o.access], len(o.index), int(o.implied)])
    by_name = sorted(range(len(objs)),
                     key=lambda n: (objs[n].name, objs[n].module))
    del row_of
    w = out.write
    w('/*\n * mib-builtin.c — the built-in MIB objects, GENERATED by '
      'tools/gen-mib.py\n * from python3-pysnmp4-mibs:\n * ' +
      textwrap.fill(' '.join(PYSNMP_MODULES), 66, break_on_hyphens=False,
                    subsequent_indent=' * ') +
      ';\n * UCD-SNMP-MIB (net-snmp), '
      'tools/mibs/LLDP-MIB.txt and\n * tools/mibs/ENTITY-MIB-v4.txt.  Do not edit:\n * run "/usr/bin/python3 '
      'tools/gen-mib.py > src/mib-builtin.c".\n */\n')
    w('#include "config.h"\n\n#include "snmpfleet.h"\n\n')
    w('static const char mib_strings[] =\n')
    line = '    '
    for s in strings.data:
        piece = c_string(s)
        if len(line) + len(piece) > 76:
            w(line.rstrip() + '\n')
            line = '    '
        line += piece + ' '
    w(line.rstrip() + ';\n\n')
    w('static const uint32_t mib_arcs[] = {\n')
    for k in range(0, len(arcs), 12):
        w('\t' + ', '.join(str(a) for a in arcs[k:k + 12]) + ',\n')
    w('};\n\nstatic const struct mib_enum mib_enums[] = {\n')
    for v, s in enums:
        w('\t{ %d, %d },\n' % (v, s))
    w('};\n\nstatic const uint32_t mib_index[] = {\n')
    for k in range(0, len(index), 12):
        w('\t' + ', '.join(str(a) for a in index[k:k + 12]) + ',\n')
    w('};\n\n/* name, module, source, tc, hint, units, oid, enums, index,\n'
      ' * augments,'
      ' nenums, fixed, oid_len, kind, syntax, access, nindex, implied '
      '*/\nstatic const struct mib_row mib_rows[] = {\n')
    for r in rows:
        w('\t{ ' + ', '.join(str(x) for x in r) + ' },\n')
    w('};\n\nstatic const uint32_t mib_by_name[] = {\n')
    for k in range(0, len(by_name), 12):
        w('\t' + ', '.join(str(a) for a in by_name[k:k + 12]) + ',\n')
    w('};\n\n')
    w('const struct mib_set mib_builtin = {\n'
      '\t.str = mib_strings,\n\t.arcs = mib_arcs,\n\t.enums = mib_enums,\n'
      '\t.index = mib_index,\n\t.rows = mib_rows,\n\t.by_name = mib_by_name,\n'
      '\t.nrows = %d,\n\t.source = NULL,\n};\n' % len(rows))


def main():
    objs, tcs = [], {}
    roots = load_pysnmp(objs, tcs)
    aug = tcs.pop('#aug', {})
    for o in objs:
        if o.name in aug:
            o.augments = aug[o.name]
            o.index = []
    text = []
    for path in TEXT_MODULES:
        load_text(path, text, tcs, roots)
    settle_text_kinds(text, objs)
    objs.extend(text)
    emit(objs, sys.stdout)


if __name__ == '__main__':
    main()
