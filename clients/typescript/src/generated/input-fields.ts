/** Each category's patch input type. */
export const PATCH_INPUTS = {
  "COMPETENCY": "CompetencyPatchInput",
  "CORE_VALUE": "CoreValuePatchInput",
  "PERFORMANCE": "PerformancePatchInput"
} as const;

/** The fields of every input type a patch is made of, typed in SDL notation (enums: `Enum`). */
export const INPUT_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "CompetencyPatchInput": {
    "actionPlan": "String",
    "competencyIds": "[ID!]",
    "selectedIdealActions": "[IdealActionSelectionInput!]",
    "weight": "Float"
  },
  "CoreValuePatchInput": {
    "coreValuePlan": "String",
    "weight": "Float"
  },
  "IdealActionSelectionInput": {
    "actions": "[String!]!",
    "competencyId": "ID!"
  },
  "PerformancePatchInput": {
    "achievementCriteria": "String",
    "goalType": "Enum",
    "meansMethods": "String",
    "specificGoal": "String",
    "title": "String",
    "weight": "Float"
  }
};
