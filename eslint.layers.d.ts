import type { Linter } from "eslint";

/** The layering rules, one config block per layer (see eslint.layers.js). */
export declare const layers: Linter.Config[];
