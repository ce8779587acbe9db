// How values from central's API are written for people: times, severities, scores, digests, counts.
//
// Ideas it rests on:
// - Central speaks StackRox's enums (CRITICAL_VULNERABILITY_SEVERITY, HIGH_SEVERITY, ...); people
//   read one word. Vulnerability severities (Critical/Important/Moderate/Low) and policy
//   severities (Critical/High/Medium/Low) keep their own words but share ranks and colours.
// - Missing values are shown as an em dash, never as "undefined" or "Invalid Date".
export const DASH = '—';

const numberFormat = new Intl.NumberFormat('en-US');
const timeFormat = new Intl.DateTimeFormat('en-US', {
  year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false,
});
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

function toDate(iso) {
  if (!iso) return null;
  const d = iso instanceof Date ? iso : new Date(iso);
  // Go/proto zero times mean "never".
  if (Number.isNaN(d.getTime()) || d.getTime() <= 0) return null;
  return d;
}

export function formatTime(iso) {
  const d = toDate(iso);
  return d ? timeFormat.format(d) : DASH;
}

export function relativeTime(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return DASH;
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? 'just now' : 'in a few seconds';
  const steps = [
    ['minute', 60, 3600],
    ['hour', 3600, 86400],
    ['day', 86400, 86400 * 30],
    ['month', 86400 * 30, 86400 * 365],
    ['year', 86400 * 365, Infinity],
  ];
  for (const [unit, size, limit] of steps) {
    if (abs < limit) return rtf.format(Math.round(seconds / size), unit);
  }
  return formatTime(iso);
}

// Seconds → "3 h 20 min", "2 days".
export function formatDuration(seconds) {
  if (seconds === undefined || seconds === null || Number.isNaN(Number(seconds))) return DASH;
  const s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) {
    const m = Math.floor((s % 3600) / 60);
    return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
  }
  return plural(Math.floor(s / 86400), 'day');
}

const SEVERITIES = {
  CRITICAL: ['Critical', 4, 'critical'],
  IMPORTANT: ['Important', 3, 'high'],
  HIGH: ['High', 3, 'high'],
  MODERATE: ['Moderate', 2, 'medium'],
  MEDIUM: ['Medium', 2, 'medium'],
  LOW: ['Low', 1, 'low'],
  UNKNOWN: ['Unknown', 0, 'unknown'],
  UNSET: ['Unknown', 0, 'unknown'],
};

function severityKey(s) {
  if (!s) return 'UNKNOWN';
  const k = String(s).toUpperCase().replace(/_(VULNERABILITY_)?SEVERITY$/, '');
  return SEVERITIES[k] ? k : 'UNKNOWN';
}

// CRITICAL_VULNERABILITY_SEVERITY / CRITICAL_SEVERITY / CRITICAL → "Critical"; IMPORTANT → "Important"; HIGH → "High"; ...
export function severityLabel(s) {
  return SEVERITIES[severityKey(s)][0];
}

// 4 critical, 3 important/high, 2 moderate/medium, 1 low, 0 unknown.
export function severityRank(s) {
  return SEVERITIES[severityKey(s)][1];
}

// The colour class suffix: critical | high | medium | low | unknown (CSS: .sev-<suffix>).
export function severityClass(s) {
  return SEVERITIES[severityKey(s)][2];
}

export function formatCvss(n) {
  if (n === undefined || n === null || n === '' || Number.isNaN(Number(n))) return DASH;
  return Number(n).toFixed(1);
}

export function formatNumber(n) {
  if (n === undefined || n === null || n === '' || Number.isNaN(Number(n))) return DASH;
  return numberFormat.format(Number(n));
}

// "sha256:9a8b7c6d5e4f30211f2e..." → "sha256:9a8b7c6d5e4f".
export function shortDigest(id) {
  if (!id) return DASH;
  const s = String(id);
  const at = s.indexOf(':');
  return at >= 0 ? s.slice(0, at + 1 + 12) : s.slice(0, 12);
}

function pluralWord(word) {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

// plural(1, 'image') → "1 image"; plural(1200, 'policy') → "1,200 policies"; plural(2, 'person', 'people').
export function plural(n, word, many) {
  const count = Number(n) || 0;
  return `${numberFormat.format(count)} ${count === 1 ? word : (many || pluralWord(word))}`;
}

export function formatBytes(n) {
  if (n === undefined || n === null || Number.isNaN(Number(n))) return DASH;
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = Number(n);
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}
