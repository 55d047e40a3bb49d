// ESLint flat config: typescript-eslint's strict, type-aware rules over the sources and tests.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  // test/consumer/ compiles against the built package (after `npm run build`); `npm test`
  // type-checks it, lint runs before the build.
  { ignores: ["dist/", "node_modules/", "src/generated/", "sheet/generated/", "test/consumer/"] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ["eslint.config.js", "scripts/*.js", "codegen/*.js"],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
);
