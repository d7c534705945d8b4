#!/usr/bin/env node
// Writes src/api/schema-constants.gen.ts from the server's OpenAPI document: which step each
// editable field feeds (`x-feeds`, the domain's one table), the enums and the limits the studio
// shows, so none of them is typed again by hand. Part of `npm run client`; `scripts/check-client`
// fails when the committed file is stale.
//
//   node scripts/gen-schema-constants.mjs [openapi.json] [out.ts]
import { readFileSync, writeFileSync } from "node:fs";

const [input = "openapi.json", output = "src/api/schema-constants.gen.ts"] = process.argv.slice(2);
const schemas = JSON.parse(readFileSync(input, "utf8")).components.schemas;

function fail(message) {
  console.error(`gen-schema-constants: ${message}`);
  process.exit(1);
}

function property(schemaName, field) {
  const schema = schemas[schemaName] ?? fail(`no schema ${schemaName}`);
  return schema.properties?.[field] ?? fail(`${schemaName} has no field ${field}`);
}

/** A property's own schema, without the `null` an optional field allows. */
function nonNull(prop) {
  const options = prop.anyOf?.filter((o) => o.type !== "null") ?? [prop];
  return options.length === 1 ? { ...prop, ...options[0], anyOf: undefined } : prop;
}

/** `x-feeds` of every field that carries it: the step's name, or null (`false`: no step). */
function feeds(schemaName) {
  const out = {};
  const props = (schemas[schemaName] ?? fail(`no schema ${schemaName}`)).properties;
  for (const name of Object.keys(props).sort()) {
    if (!("x-feeds" in props[name])) continue;
    const step = props[name]["x-feeds"];
    if (step !== false && typeof step !== "string") fail(`${schemaName}.${name}: x-feeds ${JSON.stringify(step)}`);
    out[name] = step === false ? null : step;
  }
  if (!Object.keys(out).length) fail(`${schemaName} documents no x-feeds`);
  return out;
}

function enumOf(schemaName, field) {
  const values = nonNull(property(schemaName, field)).enum;
  return Array.isArray(values) && values.length ? values : fail(`${schemaName}.${field} is not an enum`);
}

const LIMIT_KEYS = ["minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "maxItems"];

/** Each field's bounds (those it has), by field name. */
function limits(schemaName) {
  const out = {};
  const props = (schemas[schemaName] ?? fail(`no schema ${schemaName}`)).properties;
  for (const name of Object.keys(props).sort()) {
    const prop = nonNull(props[name]);
    const bounds = {};
    for (const key of LIMIT_KEYS) if (typeof prop[key] === "number") bounds[key] = prop[key];
    if (Object.keys(bounds).length) out[name] = bounds;
  }
  return out;
}

const literal = (value) => JSON.stringify(value);

const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : literal(name));
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** An object literal, one entry a line; an object of plain values (a field's bounds) on one. */
function objectLiteral(obj, indent = "") {
  const entries = Object.entries(obj);
  if (!entries.some(([, value]) => isObject(value)) && indent.length >= 4) {
    return `{ ${entries.map(([name, value]) => `${key(name)}: ${literal(value)}`).join(", ")} }`;
  }
  const inner = `${indent}  `;
  const lines = entries.map(([name, value]) => `${inner}${key(name)}: ${isObject(value) ? objectLiteral(value, inner) : literal(value)},`);
  return `{\n${lines.join("\n")}\n${indent}}`;
}

const arrayLiteral = (values) => `[${values.map(literal).join(", ")}]`;

const tables = {
  SHOT_FEEDS: feeds("ShotPatch"),
  PROJECT_FEEDS: feeds("ProjectPatch"),
  CHARACTER_FEEDS: feeds("CharacterPatch"),
};
const steps = [...new Set(Object.values(tables).flatMap((t) => Object.values(t)).filter((s) => s !== null))].sort();

const enums = [
  ["SHOT_TYPES", "ShotType", "ShotPatch", "shot_type", "A shot's framing."],
  ["CAMERA_MOTIONS", "CameraMotion", "ShotPatch", "camera_motion", "A shot's camera move."],
  ["ASPECTS", "Aspect", "ProjectPatch", "aspect", "A project's frame shape."],
  ["QUALITIES", "Quality", "ProjectPatch", "quality", "A render's quality."],
];

const LIMIT_SCHEMAS = ["ShotIn", "ShotPatch", "ProjectIn", "ProjectPatch", "CharacterIn", "CharacterPatch", "ImageIn"];

const parts = [
  `// Generated from openapi.json by scripts/gen-schema-constants.mjs (\`npm run client\`): never edit by hand.`,
  ``,
  `/** A step of the pipeline that an edit can make again. */`,
  `export type Step = ${steps.map(literal).join(" | ")};`,
  ``,
  `/** Which step each editable field feeds (\`x-feeds\` in the document): the step an edit of it makes`,
  ` * again for the shot, for every shot (project settings) or for the shots naming the character;`,
  ` * null: none. */`,
];
for (const [name, table] of Object.entries(tables)) {
  parts.push(`export const ${name} = ${objectLiteral(table)} as const satisfies Record<string, Step | null>;`, ``);
}
for (const [name, type, schemaName, field, doc] of enums) {
  parts.push(
    `/** ${doc} (${schemaName}.${field}) */`,
    `export const ${name} = ${arrayLiteral(enumOf(schemaName, field))} as const;`,
    `export type ${type} = (typeof ${name})[number];`,
    ``,
  );
}
const limitTable = Object.fromEntries(LIMIT_SCHEMAS.map((name) => [name, limits(name)]));
parts.push(
  `/** The server's bounds on each request body's fields (\`maxLength\` counts Unicode code points). */`,
  `export const LIMITS = ${objectLiteral(limitTable)} as const;`,
  ``,
);

writeFileSync(output, parts.join("\n"));
