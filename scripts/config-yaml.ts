// Writes Pulumi.yaml's `config:` block from the settings (config/index.ts, targets/*.ts):
// npm run config:yaml after adding or changing a key. A unit test fails while the file is behind.
import * as fs from "fs";
import * as path from "path";
import { configBlock, withConfigBlock } from "../config/schema";
import { SETTINGS } from "../targets";

const file = path.join(__dirname, "..", "Pulumi.yaml");
const before = fs.readFileSync(file, "utf8");
const after = withConfigBlock(before, configBlock(SETTINGS));
fs.writeFileSync(file, after);
console.log(after === before ? "Pulumi.yaml: config block already up to date" : "Pulumi.yaml: config block written from the settings");
