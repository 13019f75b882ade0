// A stack's setting as the CLI would hand it to the program, read from the files alone (no CLI, no
// passphrase): Pulumi.<stack>.yaml, else the default Pulumi.yaml declares.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

export function stackSetting(root: string, stack: string, key: string): unknown {
    const read = (file: string) => YAML.parse(fs.readFileSync(path.join(root, file), "utf8")) ?? {};
    return read(`Pulumi.${stack}.yaml`).config?.[key] ?? read("Pulumi.yaml").config?.[key]?.default;
}
