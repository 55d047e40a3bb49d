// A GraphQL Code Generator plugin: the input types a goal patch is made of, as data, so the
// saver can check a patch at run time (from plain JavaScript, or past a cast) before it can
// make the server refuse a whole batch with BAD_USER_INPUT (docs/autosave.md, "Recording
// edits"). The categories' patch inputs are the GoalBatchItemInput fields typed `…PatchInput`.
import { getNamedType, isEnumType, isInputObjectType } from "graphql";

/** `coreValue` → `CORE_VALUE`: the GoalCategory a batch item's patch field stands for.
 * @param {string} field */
function categoryOf(field) {
  return field.replace(/([A-Z])/g, "_$1").toUpperCase();
}

/** @param {Record<string, unknown>} object */
function sorted(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

/** @param {import("graphql").GraphQLSchema} schema @returns {string} */
export function plugin(schema) {
  const item = schema.getType("GoalBatchItemInput");
  if (!isInputObjectType(item)) {
    throw new Error("schema.graphql has no GoalBatchItemInput");
  }
  /** @type {Record<string, string>} */
  const patches = {};
  /** @type {Record<string, Record<string, string>>} */
  const inputs = {};
  /** @param {import("graphql").GraphQLNamedType} type */
  const visit = (type) => {
    if (!isInputObjectType(type) || type.name in inputs) {
      return;
    }
    /** @type {Record<string, string>} */
    const fields = {};
    inputs[type.name] = fields;
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      fields[field.name] = isEnumType(named) ? String(field.type).replace(named.name, "Enum") : String(field.type);
      visit(named);
    }
  };
  for (const field of Object.values(item.getFields())) {
    const named = getNamedType(field.type);
    if (isInputObjectType(named) && named.name.endsWith("PatchInput")) {
      patches[categoryOf(field.name)] = named.name;
      visit(named);
    }
  }
  /** @param {unknown} value */
  const json = (value) => JSON.stringify(value, null, 2);
  return [
    "/** Each category's patch input type. */",
    `export const PATCH_INPUTS = ${json(sorted(patches))} as const;`,
    "",
    "/** The fields of every input type a patch is made of, typed in SDL notation (enums: `Enum`). */",
    `export const INPUT_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = ${json(sorted(inputs))};`,
    "",
  ].join("\n");
}
