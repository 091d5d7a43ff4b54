// Check osl activity-log records against ECS's own definitions
// (test/ecs/defs derives them from Elastic's @elastic/ecs package).
//
//   node test/ecs/check.js FIELDS.json [--actions lib/action.h] PATH...
//
// PATH is a log file or a folder searched for log files (files whose first
// line is a record: it starts with {"@timestamp":").  Every record must:
//   - have no duplicate keys, at any depth, and no dotted key inside an
//     object ({"dns":{"question.name":..}} is {"dns":{"question":{"name":..}}});
//   - have each field an ECS field of the right JSON type (arrays only where
//     ECS has one), or live under osl.*;
//   - use ECS's allowed values for event.kind, event.category, event.outcome,
//     and for event.type only values ECS expects for one of its categories;
//   - carry ecs.version, the version of the definitions;
//   - have an absolute file.path.
// With --actions lib/action.h (the action table, read from its rows), every
// row's category must be an ECS category and its type one ECS expects for
// it, and each record's event.action must be a row, with that row's
// event.category and event.type[0].  A line that is not a JSON object, or one without
// @timestamp, is not a record (a torn line a test left): counted, skipped.
// Prints each problem (file:line: field: why), then a summary; exit 1 if any.
'use strict';
const fs = require('fs');
const path = require('path');

const args = process.argv.slice(2);
if (args.length < 2) {
  console.error('usage: node test/ecs/check.js FIELDS.json [--actions lib/action.h] PATH...');
  process.exit(2);
}
const defs = JSON.parse(fs.readFileSync(args.shift(), 'utf8'));
const F = defs.fields;
let actions = null, tableProblems = 0;
if (args[0] === '--actions') {
  args.shift();
  const h = args.shift();
  actions = {};
  // X(ID, "name", ACCESS, "category", "type", OPERAND)
  const row = /^\s*X\((\w+),\s*"([\w.]+)",\s*(\w+),\s*"(\w+)",\s*"(\w+)",\s*(\w+)\)/;
  for (const line of fs.readFileSync(h, 'utf8').split('\n')) {
    const m = row.exec(line);
    if (!m) continue;
    actions[m[2]] = { category: m[4], type: m[5] };
    const types = F['event.category'].allowed[m[4]];
    if (!types || !types.includes(m[5])) {
      console.log(h + ': ' + m[2] + ': event.category ' + m[4] + ' with event.type ' + m[5] +
        ' is not an ECS pair' + (types ? ' (ECS expects ' + types.join(', ') + ')' : ''));
      tableProblems++;
    }
  }
  if (Object.keys(actions).length < 10) {
    console.log(h + ': the action table was not found');
    tableProblems++;
  }
}

// --- a JSON parser that sees duplicate keys (JSON.parse keeps the last) ---
function parse(text) {
  let i = 0;
  const dups = [];
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i])) i++; };
  const fail = (why) => { throw new Error(why + ' at ' + i); };
  function str() {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (text[i] !== '"') fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i));
  }
  function value(where) {
    ws();
    const c = text[i];
    if (c === '{') {
      const o = {};
      i++; ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const k = str();
        ws();
        if (text[i++] !== ':') fail('expected :');
        const p = where ? where + '.' + k : k;
        if (Object.prototype.hasOwnProperty.call(o, k)) dups.push(p);
        o[k] = value(p);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      const a = [];
      i++; ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(where));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        fail('expected , or ]');
      }
    }
    if (c === '"') return str();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 40));
    if (!m) fail('unexpected character');
    i += m[0].length;
    return JSON.parse(m[0]);
  }
  const v = value('');
  ws();
  if (i !== text.length) fail('trailing bytes');
  return { v, dups };
}

// --- types ---
const STRING = new Set(['keyword', 'constant_keyword', 'wildcard', 'match_only_text', 'text',
  'date', 'ip', 'version']);
const NUMBER = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long', 'float',
  'half_float', 'scaled_float', 'double']);
const INTEGER = new Set(['long', 'integer', 'short', 'byte', 'unsigned_long']);
function typeOk(t, v) {
  if (STRING.has(t)) return typeof v === 'string';
  if (NUMBER.has(t)) return typeof v === 'number' && (!INTEGER.has(t) || Number.isInteger(v));
  if (t === 'boolean') return typeof v === 'boolean';
  if (t === 'object' || t === 'flattened') return v !== null && typeof v === 'object';
  if (t === 'geo_point') return typeof v === 'string' || (v && typeof v === 'object');
  return false;
}

function checkRecord(rec, bad) {
  // walk: leaves are checked against their flat name
  function walk(v, p) {
    if (p === 'osl' || p.startsWith('osl.')) return;
    const d = F[p];
    if (d && (d.type === 'object' || d.type === 'flattened')) {
      if (!typeOk(d.type, v)) bad(p, 'ECS ' + d.type + ', got ' + JSON.stringify(v));
      return;
    }
    if (d && d.type === 'nested') {
      if (!Array.isArray(v) || v.some((e) => !e || typeof e !== 'object' || Array.isArray(e)))
        bad(p, 'ECS nested: an array of objects');
      else v.forEach((e) => Object.keys(e).forEach((k) => walk(e[k], p + '.' + k)));
      return;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      if (d) bad(p, 'ECS ' + d.type + ', got an object');
      else for (const k of Object.keys(v)) {
        // {"dns":{"question.name":..}}: jq .dns.question.name and the
        // collectors' path lookups miss a dotted key; ECS objects nest
        if (k.includes('.') && p) bad(p + '.' + k, 'a dotted key inside an object (nest it)');
        walk(v[k], p ? p + '.' + k : k);
      }
      return;
    }
    if (!d) {
      bad(p, 'not an ECS field (custom fields belong under osl.*)');
      return;
    }
    if (Array.isArray(v)) {
      if (!d.array) bad(p, 'ECS has one ' + d.type + ' here, not an array');
      v.forEach((e) => { if (!typeOk(d.type, e)) bad(p, 'ECS ' + d.type + ', got ' + JSON.stringify(e)); });
      return;
    }
    if (!typeOk(d.type, v)) bad(p, 'ECS ' + d.type + ', got ' + JSON.stringify(v));
  }
  walk(rec, '');

  const ev = rec.event || {};
  const arr = (x) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  for (const k of ['kind', 'category', 'outcome']) {
    const allowed = F['event.' + k].allowed;
    for (const x of arr(ev[k]))
      if (!Object.prototype.hasOwnProperty.call(allowed, x)) bad('event.' + k, JSON.stringify(x) + ' is not an ECS value');
  }
  const cats = arr(ev.category);
  for (const t of arr(ev.type)) {
    if (!Object.prototype.hasOwnProperty.call(F['event.type'].allowed, t)) {
      bad('event.type', JSON.stringify(t) + ' is not an ECS value');
      continue;
    }
    const expected = cats.some((c) => (F['event.category'].allowed[c] || []).includes(t));
    if (cats.length && !expected)
      bad('event.type', JSON.stringify(t) + ' is not one ECS expects for ' + JSON.stringify(cats));
  }
  if (!rec.ecs || rec.ecs.version !== defs.version)
    bad('ecs.version', 'want ' + JSON.stringify(defs.version) + ', got ' + JSON.stringify(rec.ecs && rec.ecs.version));
  if (rec.file && rec.file.path !== undefined &&
      (typeof rec.file.path !== 'string' || !rec.file.path.startsWith('/')))
    bad('file.path', 'not absolute: ' + JSON.stringify(rec.file.path));
  if (actions && typeof ev.action === 'string') {
    const a = actions[ev.action];
    if (!a) bad('event.action', JSON.stringify(ev.action) + ' is not in the action table');
    else if (JSON.stringify(cats) !== JSON.stringify([a.category]) || arr(ev.type)[0] !== a.type)
      bad('event', ev.action + ': category/type ' + JSON.stringify([cats, arr(ev.type)[0]]) +
        ', the table has ' + JSON.stringify([a.category, a.type]));
  }
}

// --- files ---
function isLog(file) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const b = Buffer.alloc(15);
    return fs.readSync(fd, b, 0, 15, 0) === 15 && b.toString() === '{"@timestamp":"';
  } catch (e) {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
const files = [];
function collect(p, top) {
  let st;
  try { st = fs.lstatSync(p); } catch (e) { if (top) throw e; return; }
  if (st.isDirectory()) {
    for (const e of fs.readdirSync(p)) collect(path.join(p, e), false);
  } else if (st.isFile() && (top || (st.size < 256 << 20 && isLog(p)))) {
    files.push(p);
  }
}
args.forEach((p) => collect(p, true));

let records = 0, skipped = 0, problems = tableProblems;
const seen = new Map();	// one line per distinct problem, with a count
for (const file of files) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, n) => {
    if (!line) return;
    let r;
    try {
      r = parse(line);
    } catch (e) {
      skipped++;
      return;
    }
    if (!r.v || typeof r.v !== 'object' || Array.isArray(r.v) || !('@timestamp' in r.v)) {
      skipped++;
      return;
    }
    records++;
    const bad = (field, why) => {
      problems++;
      const key = field + ': ' + why;
      const s = seen.get(key);
      if (s) s.n++;
      else seen.set(key, { n: 1, at: file + ':' + (n + 1) });
    };
    r.dups.forEach((p) => bad(p, 'duplicate key'));
    checkRecord(r.v, bad);
  });
}
for (const [key, s] of seen)
  console.log(s.at + ': ' + key + (s.n > 1 ? ' (and ' + (s.n - 1) + ' more)' : ''));
console.log('ecs: ' + records + ' records in ' + files.length + ' files checked against ' +
  defs.source + ' (ECS ' + defs.version + '): ' + (problems ? problems + ' problems' : 'conform') +
  (skipped ? '; ' + skipped + ' lines not records, skipped' : ''));
process.exit(problems || !records ? 1 : 0);
