// semver_ref.mjs - npm's semver package as the reference for check.py.
//
// Reads lines "MODE<TAB>A<TAB>B" on standard input, MODE "semver" (strict
// parsing, semver.compare) or "npm" (loose parsing, semver.compareLoose, as
// npm itself reads versions), and prints one line per input line:
//
//   VA VB CMP EXACT WHYA WHYB
//
// VA, VB: 1 when the package accepts that version in that mode, else 0.
// CMP: -1, 0 or 1, or "x" when either is refused (semver throws rather than
// order a version it cannot parse). EXACT: "-", unless a prerelease
// identifier of either is all digits but past Number.MAX_SAFE_INTEGER,
// which semver keeps as a string and compares as a floating-point number;
// then the answer semver gives once every numeric prerelease identifier of
// the pair is replaced by its rank among them (exact, with BigInt), which is
// CMP without the rounding. WHYA, WHYB: "ok", or
// why the version is refused: "syntax" (no match for the grammar), "range"
// (a major, minor or patch number past MAX_SAFE_INTEGER), "length" (over
// 256 characters) or "other".
//
// The package is the one pinned by package-lock.json beside this file, so a
// result does not move when a new semver is published.
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'

const require = createRequire(import.meta.url)
const semver = require('semver')

const digits = /^[0-9]+$/

function parse (v, loose) {
  try {
    return { version: new semver.SemVer(v, { loose }), why: 'ok' }
  } catch (e) {
    const m = String(e.message)
    const why = m.startsWith('Invalid Version') ? 'syntax'
      : /^Invalid (major|minor|patch) version/.test(m) ? 'range'
        : m.includes('longer than') ? 'length'
          : 'other'
    return { version: null, why }
  }
}

const bigPrerelease = (sv) => sv.prerelease.some((id) => typeof id === 'string' && digits.test(id))

// semver.compare on the pair with each numeric prerelease identifier
// replaced by its rank among those of both versions: the same order, in
// numbers small enough for semver to compare exactly.
function exactCompare (pa, pb) {
  const numbers = new Set()
  for (const sv of [pa, pb]) {
    for (const id of sv.prerelease) {
      if (digits.test(String(id))) numbers.add(BigInt(id))
    }
  }
  const rank = new Map([...numbers].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)).map((n, i) => [n, i]))
  const rewrite = (sv) => `${sv.major}.${sv.minor}.${sv.patch}` + (sv.prerelease.length
    ? '-' + sv.prerelease.map((id) => (digits.test(String(id)) ? String(rank.get(BigInt(id))) : id)).join('.')
    : '')
  return semver.compare(rewrite(pa), rewrite(pb))
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
const out = []
for await (const line of lines) {
  const fields = line.split('\t')
  if (fields.length !== 3 || (fields[0] !== 'semver' && fields[0] !== 'npm')) {
    process.stderr.write(`semver_ref: bad line ${out.length + 1}: ${JSON.stringify(line)}\n`)
    process.exit(2)
  }
  const [mode, a, b] = fields
  const loose = mode === 'npm'
  const pa = parse(a, loose)
  const pb = parse(b, loose)
  // valid() must agree with the constructor; say so loudly if it ever does not.
  if ((semver.valid(a, { loose }) !== null) !== (pa.version !== null) ||
      (semver.valid(b, { loose }) !== null) !== (pb.version !== null)) {
    process.stderr.write(`semver_ref: valid() and new SemVer() disagree on line ${out.length + 1}\n`)
    process.exit(2)
  }
  let cmp = 'x'
  let exact = '-'
  if (pa.version && pb.version) {
    cmp = String(loose ? semver.compareLoose(a, b) : semver.compare(a, b))
    if (bigPrerelease(pa.version) || bigPrerelease(pb.version)) {
      exact = String(exactCompare(pa.version, pb.version))
    }
  }
  out.push(`${pa.version ? 1 : 0} ${pb.version ? 1 : 0} ${cmp} ${exact} ${pa.why} ${pb.why}`)
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '')
