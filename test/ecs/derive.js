// Derive the compact definitions file from @elastic/ecs's generated field
// list: node test/ecs/derive.js PACKAGE_DIR > fields.json (test/ecs/defs).
'use strict';
const path = require('path');
const pkg = process.argv[2];
const { EcsFlat } = require(path.resolve(pkg, 'generated/ecs_flat.js'));
const fs = require('fs');
const pkgver = require(path.resolve(pkg, 'package.json')).version;
// the ECS release the package was generated from (what ecs.version names)
const m = fs.readFileSync(path.resolve(pkg, 'generated/index.ts'), 'utf8')
  .match(/EcsVersion = '([^']+)'/);
if (!m) throw new Error('no EcsVersion in generated/index.ts');
const version = m[1];
const fields = {};
for (const [name, f] of Object.entries(EcsFlat)) {
  const d = { type: f.type };
  if ((f.normalize || []).includes('array')) d.array = true;
  if (f.allowed_values) {
    d.allowed = {};
    for (const v of f.allowed_values) d.allowed[v.name] = v.expected_event_types || [];
  }
  fields[name] = d;
}
process.stdout.write(JSON.stringify({ source: '@elastic/ecs ' + pkgver, version, fields }) + '\n');
