// Measures the boilerplate devkube saves: for each worked example in test/fixtures/, the lines of
// stack config against the lines of the Kubernetes YAML it stands for (the objects the example adds,
// as the program registers them under mocks, written as plain manifests). Prints a Markdown table.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ROOT, asManifest, fixtureHeader, resourcesAdded, runFixture } from "./harness";

function configLines(text: string): number {
    return text.split("\n").filter((line) => line.trim() !== "" && !line.trim().startsWith("#")).length;
}

async function main() {
    const rows: string[] = [];
    for (const file of fs.readdirSync(path.join(ROOT, "test", "fixtures")).filter((f) => f.endsWith(".yaml")).sort()) {
        const text = fs.readFileSync(path.join(ROOT, "test", "fixtures", file), "utf8");
        const { stack } = fixtureHeader(file);
        const added = (await resourcesAdded(file, await runFixture(file))).filter((r) => r.type.startsWith("kubernetes:"));
        const manifests = added.map((r) => YAML.stringify(asManifest(r)));
        const yamlLines = manifests.join("---\n").split("\n").filter((l) => l.trim() !== "").length;
        const counts = new Map<string, number>();
        added.forEach((r) => counts.set(r.type.split(":").pop()!, (counts.get(r.type.split(":").pop()!) ?? 0) + 1));
        const kinds = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([kind, n]) => (n > 1 ? `${n} ${kind}` : kind)).join(", ");
        rows.push(`| ${file.replace(/\.yaml$/, "")} (${stack}) | ${configLines(text)} | ${yamlLines} | ${(yamlLines / configLines(text)).toFixed(1)}x | ${kinds} |`);
    }
    console.log("| example | stack config lines | equivalent Kubernetes YAML lines | ratio | objects |");
    console.log("|---|---:|---:|---:|---|");
    rows.forEach((row) => console.log(row));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
