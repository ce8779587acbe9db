// tests/sarif/validate.mjs FILE=RESULTS... - SARIF logs against the SARIF
// 2.1.0 JSON schema and against what GitHub code scanning accepts.
//
// The schema is the SARIF 2.1.0 schema (draft-04) that Microsoft's SARIF SDK
// publishes in @microsoft/jest-sarif; it is validated with Ajv's draft-04
// class and ajv-formats, so "uri", "uri-reference" and "date-time" are
// checked too. GitHub adds rules of its own (results must name a rule that
// exists, security-severity must be a number in a string, limits on counts);
// those are checked here by hand, from GitHub's "SARIF support for code
// scanning" page.
//
// Each FILE=N argument is one test: the log must pass both and hold N
// results. Then the same checks must refuse a handful of broken copies of
// the first log, which shows they are able to fail. The last line is
// "sarif: N passed, N failed"; the exit status is non-zero on any failure.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename } from "node:path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);
const schemaPath = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
// The schema's "language" pattern has a stray "]" that is an error under
// JavaScript's unicode regular expressions and a literal without them.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validateSchema = ajv.compile(schema);

// GitHub's documented maximums for an uploaded SARIF file.
const MAX_RUNS = 20;
const MAX_RESULTS = 25000;
const MAX_RULES = 25000;
const MAX_TAGS = 20;
const MAX_LOCATIONS = 1000;
const LEVELS = new Set(["none", "note", "warning", "error"]);

function githubProblems(log) {
  const problems = [];
  const runs = log.runs ?? [];
  if (runs.length < 1 || runs.length > MAX_RUNS) problems.push(`runs: ${runs.length}`);
  runs.forEach((run, r) => {
    const rules = run.tool?.driver?.rules ?? [];
    const results = run.results ?? [];
    if (!run.tool?.driver?.name) problems.push(`run ${r}: no tool.driver.name`);
    if (rules.length > MAX_RULES) problems.push(`run ${r}: ${rules.length} rules`);
    if (results.length > MAX_RESULTS) problems.push(`run ${r}: ${results.length} results`);
    const ids = new Map();
    rules.forEach((rule, i) => {
      if (typeof rule.id !== "string" || rule.id === "") problems.push(`rule ${i}: no id`);
      if (ids.has(rule.id)) problems.push(`rule ${i}: id ${JSON.stringify(rule.id)} repeats rule ${ids.get(rule.id)}`);
      ids.set(rule.id, i);
      if (!rule.shortDescription?.text) problems.push(`rule ${i}: no shortDescription.text`);
      if (!rule.help?.text) problems.push(`rule ${i}: no help.text`);
      if (rule.helpUri !== undefined && !/^https?:\/\//.test(rule.helpUri)) problems.push(`rule ${i}: helpUri ${rule.helpUri}`);
      const props = rule.properties ?? {};
      const tags = props.tags ?? [];
      if (tags.length > MAX_TAGS) problems.push(`rule ${i}: ${tags.length} tags`);
      if (!tags.includes("security")) problems.push(`rule ${i}: no "security" tag, so GitHub ignores security-severity`);
      const sev = props["security-severity"];
      if (typeof sev !== "string" || !/^\d+(\.\d+)?$/.test(sev) || Number(sev) < 0 || Number(sev) > 10)
        problems.push(`rule ${i}: security-severity ${JSON.stringify(sev)} is not a score from 0.0 to 10.0`);
    });
    results.forEach((res, i) => {
      if (!ids.has(res.ruleId)) problems.push(`result ${i}: ruleId ${JSON.stringify(res.ruleId)} names no rule`);
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId)
        problems.push(`result ${i}: ruleIndex ${res.ruleIndex} is not rule ${JSON.stringify(res.ruleId)}`);
      if (!LEVELS.has(res.level)) problems.push(`result ${i}: level ${JSON.stringify(res.level)}`);
      if (!res.message?.text) problems.push(`result ${i}: no message.text`);
      const locs = res.locations ?? [];
      if (locs.length < 1 || locs.length > MAX_LOCATIONS) problems.push(`result ${i}: ${locs.length} locations`);
      locs.forEach((loc, l) => {
        const phys = loc.physicalLocation;
        if (!phys?.artifactLocation?.uri) problems.push(`result ${i} location ${l}: no artifactLocation.uri`);
        if (phys?.region && !(phys.region.startLine >= 1)) problems.push(`result ${i} location ${l}: region without startLine`);
      });
    });
  });
  return problems;
}

function check(log) {
  const problems = [];
  if (!validateSchema(log)) {
    for (const e of validateSchema.errors.slice(0, 10)) problems.push(`schema: ${e.instancePath || "/"} ${e.message}`);
  }
  return problems.concat(githubProblems(log));
}

let passed = 0;
let failed = 0;
const report = (ok, name, detail) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `\n       ${detail}` : ""}`);
};

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error("usage: node validate.mjs FILE=RESULTS...");
  console.log("sarif: 0 passed, 1 failed");
  process.exit(2);
}
let first = null;
for (const arg of args) {
  const eq = arg.lastIndexOf("=");
  const file = eq > 0 ? arg.slice(0, eq) : arg;
  const want = eq > 0 ? Number(arg.slice(eq + 1)) : null;
  let log;
  try {
    log = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    report(false, basename(file), `not JSON: ${e.message}`);
    continue;
  }
  const problems = check(log);
  const got = (log.runs ?? []).reduce((n, run) => n + (run.results ?? []).length, 0);
  if (want !== null && got !== want) problems.push(`${got} results, expected ${want}`);
  report(problems.length === 0, `${basename(file)} is valid SARIF 2.1.0 for GitHub (${got} results)`, problems.join("\n       "));
  if (!first && problems.length === 0 && got > 0) first = log;
}

// The checks must be able to fail: each broken copy must be refused.
const breakages = [
  ["no tool name", (l) => { delete l.runs[0].tool.driver.name; }],
  ["an unknown level", (l) => { l.runs[0].results[0].level = "fatal"; }],
  ["another SARIF version", (l) => { l.version = "2.0.0"; }],
  ["a URI with a space", (l) => { l.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = "a b"; }],
  ["an unknown property", (l) => { l.runs[0].results[0].severity = "high"; }],
  ["a ruleIndex naming another rule", (l) => { l.runs[0].results[0].ruleIndex = l.runs[0].tool.driver.rules.length - 1; }],
  ["a word as security-severity", (l) => { l.runs[0].tool.driver.rules[0].properties["security-severity"] = "high"; }],
  ["a result without a location", (l) => { l.runs[0].results[0].locations = []; }],
];
if (!first) {
  report(false, "broken logs are refused", "no valid log with results to break");
} else {
  for (const [what, breakIt] of breakages) {
    const copy = structuredClone(first);
    breakIt(copy);
    report(check(copy).length > 0, `a log with ${what} is refused`);
  }
}

console.log(`sarif: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
